/* The kernel tables: one per ISA this build and CPU can run, filled once from kernels.def, and the
 * active one chosen by the CPU's best ISA or capped by SIMDNN_ISA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "kernels.h"
#include "platform/platform.h"

static const char *const isa_names[SDN_ISA_COUNT] = {"ref", "avx2", "avx512", "neon"};

static const int isa_built[SDN_ISA_COUNT] = {
    1,
    SDN_HAVE_AVX2,
    SDN_HAVE_AVX512,
    SDN_HAVE_NEON,
};

static sdn_once init_once = SDN_ONCE_INIT;
static sdn_cpu_info cpu;
static sdn_kernels tables[SDN_ISA_COUNT];
static int table_ok[SDN_ISA_COUNT];
static sdn_isa active = SDN_ISA_REF;
static sdn_status init_status = SDN_OK;
static char init_message[512];

/* Whether kernels written for `isa` may serve `target`: each ISA builds on those below it. */
static int isa_serves(sdn_isa isa, sdn_isa target)
{
    if (isa == SDN_ISA_REF || isa == target)
        return 1;
    return isa == SDN_ISA_AVX2 && target == SDN_ISA_AVX512;
}

static void fill_table(sdn_kernels *k, sdn_isa target)
{
    memset(k, 0, sizeof *k);
    k->isa = target;
#define SDN_GEMM(isa, fn, pack_bt, tile_m, tile_n)                                                 \
    if (isa_serves(SDN_ISA_##isa, target))                                                         \
        k->gemm = (sdn_gemm_kernel){fn, pack_bt, tile_m, tile_n};
#define SDN_KERNEL(isa, field, type, fn)                                                           \
    if (isa_serves(SDN_ISA_##isa, target))                                                         \
        k->field = fn;
#include "kernels.def"
#undef SDN_GEMM
#undef SDN_KERNEL
}

int sdn_isa_supported(sdn_isa isa)
{
    sdn_kernels_select();
    return isa < SDN_ISA_COUNT && table_ok[isa];
}

static void list_supported(char *buf, size_t size)
{
    buf[0] = 0;
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        if (table_ok[i]) {
            strncat(buf, " ", size - strlen(buf) - 1);
            strncat(buf, isa_names[i], size - strlen(buf) - 1);
        }
    }
}

static void init_once_fn(void)
{
    const int cache_status = sdn_cpu_detect(&cpu);
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        table_ok[i] = isa_built[i] && sdn_cpu_runs(&cpu, (sdn_isa)i);
        if (table_ok[i]) {
            fill_table(&tables[i], (sdn_isa)i);
            active = (sdn_isa)i; /* the enum is ordered by preference within an architecture */
        }
    }
    if (cache_status != 0) {
        init_status = SDN_ERR_INVALID_ARG;
        snprintf(init_message, sizeof init_message,
                 "SIMDNN_CACHE_SIZES=%s: expected the L1d, L2 and L3 sizes as in 48K,1M,32M",
                 getenv("SIMDNN_CACHE_SIZES"));
        return;
    }
    const char *want = getenv("SIMDNN_ISA");
    if (want && *want) {
        char supported[64];
        list_supported(supported, sizeof supported);
        sdn_isa isa = sdn_isa_from_name(want);
        if (isa == SDN_ISA_COUNT) {
            init_status = SDN_ERR_INVALID_ARG;
            snprintf(init_message, sizeof init_message,
                     "SIMDNN_ISA=%s: unknown ISA (known: ref avx2 avx512 neon; this CPU runs:%s)",
                     want, supported);
        } else if (!table_ok[isa]) {
            init_status = SDN_ERR_UNSUPPORTED;
            snprintf(init_message, sizeof init_message,
                     "SIMDNN_ISA=%s: this %s cannot run %s (it runs:%s)", want,
                     isa_built[isa] ? "CPU" : "build", want, supported);
        } else {
            active = isa;
        }
    }
}

sdn_status sdn_kernels_select(void)
{
    sdn_call_once(&init_once, init_once_fn);
    return init_status;
}

const char *sdn_kernels_select_error(void)
{
    sdn_kernels_select();
    return init_message;
}

const sdn_kernels *sdn_kernels_active(void)
{
    sdn_kernels_select();
    /* The profiler's instrumented copy while profiling or verbose */
    return sdn_prof_table ? sdn_prof_table : &tables[active];
}

const sdn_kernels *sdn_kernels_for(sdn_isa isa)
{
    sdn_kernels_select();
    return isa < SDN_ISA_COUNT && table_ok[isa] ? &tables[isa] : NULL;
}

const sdn_cpu_info *sdn_cpu(void)
{
    sdn_kernels_select();
    return &cpu;
}

sdn_isa sdn_active_isa(void)
{
    sdn_kernels_select();
    return active;
}

const char *sdn_isa_name(sdn_isa isa)
{
    return isa < SDN_ISA_COUNT ? isa_names[isa] : "?";
}

sdn_isa sdn_isa_from_name(const char *name)
{
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (name && strcmp(name, isa_names[i]) == 0)
            return (sdn_isa)i;
    return SDN_ISA_COUNT;
}
