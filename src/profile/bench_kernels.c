/* sdn_profile_kernels (simdnn profile kernels): every kernel of every ISA this CPU runs (or one),
 * timed through the profiler's instrumented table at the exercise network's shapes (3072 → 20 ×
 * 100 → 10 at batch N), and the profiler's own table with % of the calibrated roof. No Google
 * Benchmark needed. Buffers stay warm between calls (a training step also finds its small
 * operands in cache). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gemm.h"
#include "report.h"

enum { IN = 3072, HID = 100, OUT = 10 };
#define N_PARAMS ((size_t)IN * HID + HID + 19 * ((size_t)HID * HID + HID) + HID * OUT + OUT)

typedef struct bufs {
    size_t b;
    float *x, *w, *c, *g, *v[5];
    uint8_t *keep;
    int32_t *labels;
} bufs;

/* Repeats `call` at least 10 times, for about 20 ms, at most 2000 times (the trace stays small). */
#define REPEAT(call)                                                                               \
    do {                                                                                           \
        const uint64_t end_ = sdn_clock_mono_ns() + 20000000u;                                     \
        for (int r_ = 0; r_ < 10 || (sdn_clock_mono_ns() < end_ && r_ < 2000); r_++)               \
            call;                                                                                  \
    } while (0)

static void time_gemms(const sdn_kernels *k, const bufs *d)
{
    const size_t b = d->b;
    /* forward: first layer, hidden, output; backward dX; weight gradients (first, hidden) */
    REPEAT(sdn_gemm_serial(k, SDN_NO_TRANS, SDN_NO_TRANS, b, HID, IN, 1.0f, d->x, IN, d->w, HID,
                           0.0f, d->c, HID, d->v[0]));
    REPEAT(sdn_gemm_serial(k, SDN_NO_TRANS, SDN_NO_TRANS, b, HID, HID, 1.0f, d->x, HID, d->w, HID,
                           0.0f, d->c, HID, d->v[0]));
    REPEAT(sdn_gemm_serial(k, SDN_NO_TRANS, SDN_NO_TRANS, b, OUT, HID, 1.0f, d->x, HID, d->w, OUT,
                           0.0f, d->c, OUT, d->v[0]));
    REPEAT(sdn_gemm_serial(k, SDN_NO_TRANS, SDN_TRANS, b, HID, HID, 1.0f, d->x, HID, d->w, HID,
                           0.0f, d->c, HID, NULL));
    REPEAT(sdn_gemm_serial(k, SDN_TRANS, SDN_NO_TRANS, IN, HID, b, 1.0f, d->x, IN, d->c, HID, 0.0f,
                           d->g, HID, NULL));
    REPEAT(sdn_gemm_serial(k, SDN_TRANS, SDN_NO_TRANS, HID, HID, b, 1.0f, d->x, HID, d->c, HID,
                           0.0f, d->g, HID, NULL));
}

static void time_elementwise(const sdn_kernels *k, const bufs *d)
{
    const size_t b = d->b, n = b * HID;
    float **v = (float **)d->v;
    for (int a = 0; a < SDN_ACT_COUNT; a++) {
        if (!k->act[a])
            continue;
        REPEAT(k->act[a](n, v[0], v[1], 1.0f));
        REPEAT(k->act_grad[a](n, v[0], v[1], v[2], v[3], 1.0f));
    }
    REPEAT(k->softmax(b, OUT, v[0], v[1]));
    REPEAT(k->softmax_xent(b, OUT, v[0], d->labels, 1.0f / (float)b, v[1], v[2], v[3]));
    float *col = v[4]; /* per-column vectors: mean, inv_std, gamma, beta, two sums */
    REPEAT(k->colsum(b, HID, v[0], col));
    REPEAT(k->colsumsq_dev(b, HID, v[0], col, col + HID));
    REPEAT(k->bn_forward(b, HID, v[0], col, col + HID, col + 2 * HID, col + 3 * HID, v[1], v[2]));
    REPEAT(k->bn_backward_reduce(b, HID, v[0], v[1], col + 4 * HID, col + 5 * HID));
    REPEAT(
        k->bn_backward_dx(b, HID, v[0], v[1], col, col + HID, col + 2 * HID, col + 3 * HID, v[2]));
    REPEAT(k->dropout(n, v[0], d->keep, 1.25f, 0.0f, 0.0f, v[1]));
    REPEAT(k->dropout_grad(n, v[0], d->keep, 1.25f, v[1]));
}

static void time_optimizers(const sdn_kernels *k, const bufs *d)
{
    float **v = (float **)d->v;
    sdn_optim_scalars s = {0};
    s.lr = 1e-9f; /* tiny steps keep the buffers finite over many repeats */
    s.beta1 = 0.9f;
    s.beta2 = 0.999f;
    s.c_m = s.c_g = s.c_v = 1.0f;
    s.rho = 0.9f;
    s.eps = 1e-7f;
    s.momentum = 0.9f;
    REPEAT(sdn_peak_sink = (float)k->sumsq(N_PARAMS, v[1]));
    REPEAT(k->scale(N_PARAMS, v[1], 1.0f));
    REPEAT(k->sgd(N_PARAMS, v[0], v[1], v[2], &s));
    REPEAT(k->adam(N_PARAMS, v[0], v[1], v[2], v[3], &s));
    REPEAT(k->rmsprop(N_PARAMS, v[0], v[1], v[3], &s));
}

static int alloc_bufs(bufs *d, size_t b)
{
    memset(d, 0, sizeof *d);
    d->b = b;
    const size_t big = N_PARAMS > b * IN ? N_PARAMS : b * IN;
    d->x = sdn_prof_aligned(big * sizeof(float));
    d->w = sdn_prof_aligned((size_t)IN * HID * sizeof(float));
    d->c = sdn_prof_aligned(big * sizeof(float));
    d->g = sdn_prof_aligned((size_t)IN * HID * sizeof(float));
    int ok = d->x && d->w && d->c && d->g;
    for (int i = 0; i < 5; i++)
        ok &= (d->v[i] = sdn_prof_aligned(big * sizeof(float))) != NULL;
    d->keep = malloc(big);
    d->labels = malloc(b * sizeof(int32_t));
    if (!ok || !d->keep || !d->labels)
        return -1;
    for (size_t i = 0; i < big; i++) {
        const float s = sinf((float)i * 0.37f);
        d->x[i] = d->c[i] = s;
        for (int j = 0; j < 5; j++)
            d->v[j][i] = j == 3 ? fabsf(s) + 0.1f : 2.0f * s; /* v[3]: second moments, >= 0 */
        d->keep[i] = (i * 7) % 10 != 0;
    }
    for (size_t i = 0; i < (size_t)IN * HID; i++)
        d->w[i] = d->g[i] = 0.01f * cosf((float)i);
    for (size_t i = 0; i < b; i++)
        d->labels[i] = (int32_t)(i % OUT);
    return 0;
}

static void free_bufs(bufs *d)
{
    sdn_aligned_free(d->x);
    sdn_aligned_free(d->w);
    sdn_aligned_free(d->c);
    sdn_aligned_free(d->g);
    for (int i = 0; i < 5; i++)
        sdn_aligned_free(d->v[i]);
    free(d->keep);
    free(d->labels);
}

sdn_status sdn_profile_kernels(sdn_isa isa, size_t batch, const char *dir, FILE *out, FILE *log)
{
    sdn_status st = sdn_dispatch_init();
    if (st)
        return st;
    if (isa != SDN_ISA_COUNT && !sdn_isa_supported(isa))
        return sdn_fail(SDN_ERR_UNSUPPORTED, "profile kernels: this CPU or build cannot run %s",
                        sdn_isa_name(isa));
    if (batch < 1 || batch > 65536)
        return sdn_fail(SDN_ERR_INVALID_ARG, "profile kernels: batch %zu outside 1..65536", batch);
    sdn_calibration cal;
    bufs d;
    if ((st = sdn_calibration_get(&cal, 0, log)))
        return st;
    if (alloc_bufs(&d, batch)) {
        free_bufs(&d);
        return sdn_fail(SDN_ERR_NOMEM, "profile kernels: out of memory");
    }
    sdn_profile_options o = {dir, 0, 0, 0};
    st = sdn_profile_begin(&o);
    for (int i = 0; i < SDN_ISA_COUNT && !st; i++) {
        const sdn_kernels *real = sdn_kernels_for((sdn_isa)i);
        if (!real || (isa != SDN_ISA_COUNT && i != (int)isa))
            continue;
        if (log)
            fprintf(log, "timing the %s kernels\n", sdn_isa_name((sdn_isa)i));
        const sdn_kernels *k = sdn_prof_wrap(real);
        time_gemms(k, &d);
        time_elementwise(k, &d);
        time_optimizers(k, &d);
    }
    if (!st)
        st = sdn_profile_end();
    free_bufs(&d);
    sdn_profile_report r;
    if (!st && !(st = sdn_profile_analyze(sdn_prof_records(), &cal, &r))) {
        fprintf(out, "# simdnn profile kernels: batch %zu, one thread, %s\n\n", batch, cal.cpu);
        sdn_prof_write_kernel_table(&r, out);
        sdn_profile_report_free(&r);
    }
    return st;
}
