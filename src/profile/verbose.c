/* SIMDNN_VERBOSE=1, at start: the dispatch decisions with their reasons — which ISAs this build
 * carries and this CPU runs (and what is missing where it does not), which one was chosen and why,
 * and every kernel slot's function, marking those inherited from a lower ISA; with it, one line
 * per kernel call. Grep-able lines. */
#include <stdlib.h>
#include <string.h>

#include "record_state.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void sdn_prof_verbose_line(sdn_kernel_kind kind, const char *fn, sdn_isa isa, double ms, uint32_t m,
                           uint32_t n, uint32_t k, double flops, double bytes)
{
    char shape[64];
    if (kind == SDN_KK_GEMM)
        snprintf(shape, sizeof shape, "m=%u n=%u k=%u", m, n, k);
    else if (m)
        snprintf(shape, sizeof shape, "rows=%u cols=%u", m, n);
    else
        snprintf(shape, sizeof shape, "n=%u", n);
    int omp = 0;
#ifdef _OPENMP
    omp = omp_get_thread_num();
#endif
    fprintf(stderr, "simdnn_verbose,exec,%s,%s,%s,thread=%d,%s,flops=%.0f,bytes=%.0f,%.4f ms\n",
            sdn_kernel_kind_name(kind), fn, sdn_isa_name(isa), omp, shape, flops, bytes, ms);
}

static const int isa_built[SDN_ISA_COUNT] = {1, SDN_HAVE_AVX2, SDN_HAVE_AVX512, SDN_HAVE_NEON};

/* What keeps this CPU from an ISA ("" when it runs it). */
static void missing(sdn_isa isa, char *buf, size_t size)
{
    const sdn_cpu_info *c = sdn_cpu();
    const int x86 = isa == SDN_ISA_AVX2 || isa == SDN_ISA_AVX512, z = isa == SDN_ISA_AVX512;
    const struct {
        int needed, present;
        const char *name;
    } need[] = {{x86, c->avx2, "avx2"},
                {x86, c->fma, "fma"},
                {x86, c->os_ymm, "os-ymm"},
                {z, c->avx512f, "avx512f"},
                {z, c->avx512bw, "avx512bw"},
                {z, c->avx512vl, "avx512vl"},
                {z, c->avx512dq, "avx512dq"},
                {z, c->os_zmm, "os-zmm"},
                {isa == SDN_ISA_NEON, c->neon, "asimd"}};
    buf[0] = 0;
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (need[i].needed && !need[i].present)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "",
                     need[i].name);
}

static void slot(FILE *out, const char *label, const void *fn, sdn_isa active, const char *why)
{
    const char *name = sdn_kernel_fn_name(fn), *sep = strstr(name, "__");
    const int inherited = sep && strcmp(sep + 2, sdn_isa_name(active)) != 0;
    if (inherited)
        fprintf(out, "simdnn_verbose,dispatch,kernel,%s,%s,no %s variant: %s inherited\n", label,
                name, sdn_isa_name(active), sep + 2);
    else
        fprintf(out, "simdnn_verbose,dispatch,kernel,%s,%s,%s\n", label, name,
                *why ? why : "own variant");
}

void sdn_prof_print_dispatch(FILE *out)
{
    const sdn_cpu_info *c = sdn_cpu();
    const sdn_isa active = sdn_active_isa();
    fprintf(out, "simdnn_verbose,info,cpu,%s %s\n", c->vendor, c->brand);
    sdn_isa best = SDN_ISA_REF;
    char why_not[128] = "";
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        char miss[96];
        missing((sdn_isa)i, miss, sizeof miss);
        if (!isa_built[i])
            fprintf(out,
                    "simdnn_verbose,dispatch,isa,%s,not in this build (another "
                    "architecture)\n",
                    sdn_isa_name((sdn_isa)i));
        else if (!sdn_isa_supported((sdn_isa)i)) {
            fprintf(out, "simdnn_verbose,dispatch,isa,%s,not runnable: %s absent\n",
                    sdn_isa_name((sdn_isa)i), miss);
            if (!why_not[0])
                snprintf(why_not, sizeof why_not, "%s absent", miss);
        } else {
            fprintf(out, "simdnn_verbose,dispatch,isa,%s,runnable\n", sdn_isa_name((sdn_isa)i));
            best = (sdn_isa)i;
        }
    }
    const char *cap = getenv("SIMDNN_ISA");
    char reason[192];
    if (active != best && cap && *cap)
        snprintf(reason, sizeof reason, "SIMDNN_ISA=%s caps the choice below %s", cap,
                 sdn_isa_name(best));
    else if (why_not[0])
        snprintf(reason, sizeof reason, "the best this CPU runs (%s)", why_not);
    else
        snprintf(reason, sizeof reason, "the best this CPU runs");
    fprintf(out, "simdnn_verbose,dispatch,chosen,%s,%s\n", sdn_isa_name(active), reason);
    const sdn_kernels *k = sdn_kernels_for(active);
    char tile[192];
    snprintf(tile, sizeof tile, "%s%s%s %ux%u tile", why_not[0] && active == best ? why_not : "",
             why_not[0] && active == best ? ": " : "", sdn_isa_name(active), k->gemm.mr,
             k->gemm.nr);
    slot(out, "gemm", (const void *)k->gemm.fn, active, tile);
    for (int a = 0; a < SDN_ACT_COUNT; a++) {
        char label[48];
        if (k->act[a]) {
            snprintf(label, sizeof label, "act[%s]", sdn_activation_name((sdn_activation)a));
            slot(out, label, (const void *)k->act[a], active, "");
            snprintf(label, sizeof label, "act_grad[%s]", sdn_activation_name((sdn_activation)a));
            slot(out, label, (const void *)k->act_grad[a], active, "");
        }
    }
    const struct {
        const char *label;
        const void *fn;
    } slots[] = {{"softmax", (const void *)k->softmax},
                 {"softmax_xent", (const void *)k->softmax_xent},
                 {"colsum", (const void *)k->colsum},
                 {"colsumsq_dev", (const void *)k->colsumsq_dev},
                 {"bn_forward", (const void *)k->bn_forward},
                 {"bn_backward_reduce", (const void *)k->bn_backward_reduce},
                 {"bn_backward_dx", (const void *)k->bn_backward_dx},
                 {"dropout", (const void *)k->dropout},
                 {"dropout_grad", (const void *)k->dropout_grad},
                 {"sumsq", (const void *)k->sumsq},
                 {"scale", (const void *)k->scale},
                 {"sgd", (const void *)k->sgd},
                 {"adam", (const void *)k->adam},
                 {"rmsprop", (const void *)k->rmsprop},
                 {"u8_affine", (const void *)k->u8_affine}};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        slot(out, slots[i].label, slots[i].fn, active, "");
}
