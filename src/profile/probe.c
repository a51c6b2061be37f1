/* Probes for the profiling tool above the library: one kernel of an ISA's table run on buffers of
 * its own, timed, with the FLOPs and bytes its record would carry (captured from one call through
 * the instrumented table, so the tool never restates the counts). */
#include <string.h>

#include "error.h"
#include "gemm/gemm.h"
#include "prof.h"

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct probe_bufs {
    float *x, *y, *dy, *dx, *w, *g, *m, *v, *col;
    uint8_t *keep;
    int32_t *labels;
    size_t len;
} probe_bufs;

/* Kept between probes (a calibration runs hundreds at the same sizes); freed by a probe without
 * a kernel. */
static probe_bufs cache;

static void free_bufs(probe_bufs *b)
{
    float *f[] = {b->x, b->y, b->dy, b->dx, b->w, b->g, b->m, b->v, b->col};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        free(f[i]);
    free(b->keep);
    free(b->labels);
    memset(b, 0, sizeof *b);
}

/* Every buffer holds `len` floats; inputs negative (every activation lane takes its exp path),
 * second moments positive. */
static int alloc_bufs(probe_bufs *b, size_t len)
{
    if (len <= b->len)
        return 0;
    free_bufs(b);
    b->len = len;
    float **f[] = {&b->x, &b->y, &b->dy, &b->dx, &b->w, &b->g, &b->m, &b->v, &b->col};
    int ok = 1;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        ok &= (*f[i] = sdn_prof_aligned(len * sizeof(float))) != NULL;
    ok &= (b->keep = malloc(len)) != NULL;
    ok &= (b->labels = calloc(len, sizeof(int32_t))) != NULL;
    for (size_t i = 0; ok && i < len; i++) {
        const float s = (float)(i % 29) / 29.0f;
        b->x[i] = -0.1f - 3.0f * s;
        b->y[i] = b->dy[i] = b->g[i] = b->w[i] = b->m[i] = 0.5f - s;
        b->dx[i] = 0.0f;
        b->v[i] = 0.1f + s;
        b->col[i] = 1.0f + s;
        b->keep[i] = (i * 7) % 10 != 0;
    }
    if (!ok)
        free_bufs(b);
    return ok ? 0 : -1;
}

static sdn_optim_scalars tiny_step(int momentum)
{
    sdn_optim_scalars s = {0};
    s.lr = 1e-9f; /* tiny steps keep the buffers finite over many calls */
    s.beta1 = 0.9f;
    s.beta2 = 0.999f;
    s.c_m = s.c_g = s.c_v = 1.0f;
    s.rho = 0.9f;
    s.eps = 1e-7f;
    s.momentum = momentum ? 0.9f : 0.0f;
    return s;
}

/* One call of the named kernel; -1 for an unknown name. Long because it is one table of names. */
static int call(const sdn_kernels *k, const sdn_profile_probe *p, probe_bufs *b)
{
    const char *n = p->kernel;
    const size_t r = p->m, c = p->n, N = p->n;
    if (!strncmp(n, "gemm_", 5)) {
        const int ta = !strcmp(n, "gemm_tn"), tb = !strcmp(n, "gemm_nt");
        if (!ta && !tb && strcmp(n, "gemm_nn"))
            return -1;
        sdn_gemm_serial(k, ta ? SDN_TRANS : SDN_NO_TRANS, tb ? SDN_TRANS : SDN_NO_TRANS, p->m, p->n,
                        p->k, 1.0f, b->x, ta ? p->m : p->k, b->w, tb ? p->k : p->n, 0.0f, b->y,
                        p->n, NULL);
        return 0;
    }
    for (int a = 0; a < SDN_ACT_COUNT; a++) {
        const char *an = sdn_activation_name((sdn_activation)a);
        const size_t len = strlen(an);
        if (!k->act[a] || strncmp(n, an, len))
            continue;
        if (!n[len])
            k->act[a](N, b->x, b->y, 1.0f);
        else if (!strcmp(n + len, "_grad"))
            k->act_grad[a](N, b->x, b->y, b->dy, b->dx, 1.0f);
        else
            continue;
        return 0;
    }
    sdn_optim_scalars s = tiny_step(!strcmp(n, "sgd_momentum"));
    float *col = b->col;
    if (!strcmp(n, "softmax"))
        k->softmax(r, c, b->x, b->y);
    else if (!strcmp(n, "softmax_xent"))
        k->softmax_xent(r, c, b->x, b->labels, 1.0f, b->y, b->dx, b->dy);
    else if (!strcmp(n, "colsum"))
        k->colsum(r, c, b->x, col);
    else if (!strcmp(n, "colsumsq_dev"))
        k->colsumsq_dev(r, c, b->x, col, col + c);
    else if (!strcmp(n, "bn_forward"))
        k->bn_forward(r, c, b->x, col, col + c, col + 2 * c, col + 3 * c, b->y, b->dy);
    else if (!strcmp(n, "bn_backward_reduce"))
        k->bn_backward_reduce(r, c, b->dy, b->x, col, col + c);
    else if (!strcmp(n, "bn_backward_dx"))
        k->bn_backward_dx(r, c, b->dy, b->x, col, col + c, col + 2 * c, col + 3 * c, b->dx);
    else if (!strcmp(n, "dropout"))
        k->dropout(N, b->x, b->keep, 1.25f, 0.0f, 0.0f, b->y);
    else if (!strcmp(n, "dropout_grad"))
        k->dropout_grad(N, b->dy, b->keep, 1.25f, b->dx);
    else if (!strcmp(n, "sumsq"))
        sdn_peak_sink = (float)k->sumsq(N, b->x);
    else if (!strcmp(n, "scale"))
        k->scale(N, b->y, 1.0f);
    else if (!strcmp(n, "sgd") || !strcmp(n, "sgd_momentum"))
        k->sgd(N, b->w, b->g, b->m, &s);
    else if (!strcmp(n, "adam"))
        k->adam(N, b->w, b->g, b->m, b->v, &s);
    else if (!strcmp(n, "rmsprop"))
        k->rmsprop(N, b->w, b->g, b->v, &s);
    else
        return -1;
    return 0;
}

static sdn_status fma_peak(const sdn_kernels *k, const sdn_profile_probe *p, double *seconds,
                           double *flops)
{
    if (!k->fma_peak)
        return sdn_fail(SDN_ERR_UNSUPPORTED, "probe: %s has no peak loop", sdn_isa_name(k->isa));
    double f = 0;
    const uint64_t t0 = sdn_clock_mono_ns();
#ifdef _OPENMP
#pragma omp parallel num_threads(p->threads > 0 ? p->threads : 1) reduction(+ : f)
    f += k->fma_peak(p->m);
#else
    f = k->fma_peak(p->m);
#endif
    *seconds = (double)(sdn_clock_mono_ns() - t0) * 1e-9;
    *flops = f;
    return SDN_OK;
}

/* Buffer length for the probe's shape: the largest operand. */
static size_t probe_len(const sdn_profile_probe *p)
{
    if (!strncmp(p->kernel, "gemm_", 5)) {
        const size_t mk = p->m * p->k, kn = p->k * p->n, mn = p->m * p->n;
        const size_t a = mk > kn ? mk : kn;
        return (a > mn ? a : mn) + 64;
    }
    return (p->m ? p->m * p->n : p->n) + 6 * p->n + 64;
}

sdn_status sdn_profile_probe_run(const sdn_profile_probe *p, double *seconds, double *flops,
                                 double *bytes)
{
    sdn_status st = sdn_dispatch_init();
    if (st)
        return st;
    if (p && !p->kernel) {
        free_bufs(&cache);
        return SDN_OK;
    }
    const sdn_kernels *real = p && p->kernel ? sdn_kernels_for(p->isa) : NULL;
    if (!real)
        return sdn_fail(SDN_ERR_UNSUPPORTED, "probe: this CPU or build cannot run %s",
                        p ? sdn_isa_name(p->isa) : "?");
    *seconds = *flops = *bytes = 0;
    if (!strcmp(p->kernel, "fma_peak"))
        return fma_peak(real, p, seconds, flops);
    if (!p->n || (!strncmp(p->kernel, "gemm_", 5) && (!p->m || !p->k)))
        return sdn_fail(SDN_ERR_INVALID_ARG, "probe: %s needs a shape", p->kernel);
    probe_bufs *b = &cache;
    if (alloc_bufs(b, probe_len(p)))
        return sdn_fail(SDN_ERR_NOMEM, "probe: out of memory");
    const sdn_kernels *wrapped = sdn_prof_wrap(real);
    const int flags = sdn_prof_flags;
    sdn_prof_flags = SDN_PROF_CAPTURE; /* the warm-up call gives the counts, records nothing */
    const int bad = call(wrapped, p, b);
    sdn_prof_flags = flags;
    *flops = sdn_prof_capture_flops;
    *bytes = sdn_prof_capture_bytes;
    const sdn_kernels *k = flags ? wrapped : real; /* recorded while a profile runs */
    const uint64_t t0 = sdn_clock_mono_ns();
    for (size_t i = 0; !bad && i < p->calls; i++)
        call(k, p, b);
    *seconds = (double)(sdn_clock_mono_ns() - t0) * 1e-9;
    if (sdn_prof_table) /* the running profile's table is the active ISA's again */
        sdn_prof_table = sdn_prof_wrap(sdn_kernels_for(sdn_active_isa()));
    return bad ? sdn_fail(SDN_ERR_INVALID_ARG, "probe: unknown kernel '%s'", p->kernel) : SDN_OK;
}

void sdn_prof_fill_tiles(sdn_prof_data *d)
{
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        const sdn_kernels *k = sdn_kernels_for((sdn_isa)i);
        d->gemm_mr[i] = k ? k->gemm.mr : 0;
        d->gemm_nr[i] = k ? k->gemm.nr : 0;
        /* a partial tile skips the vectors of columns it does not use */
        d->gemm_lanes[i] = i == SDN_ISA_AVX512 ? 16
                           : i == SDN_ISA_AVX2 ? 8
                           : i == SDN_ISA_NEON ? 4
                                               : d->gemm_nr[i];
    }
}
