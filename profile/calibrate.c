/* simdnn profile calibrate: this machine's roofs — each ISA's FMA peak on one and all threads, its
 * per-kind compute ceilings (exp, square root and divide, compare-select), its bandwidth per cache
 * level for the numbers of streams the kernels run (1 to 7), and DRAM's triad — measured through
 * the library's probes in a few seconds and cached per CPU (calib_io.c). */
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "report.h"

/* the kernel that runs each stream count: its counted bytes are its streams */
static const char *const stream_kernel[SDN_N_STREAMS] = {"colsum", "relu", "sgd", "sgd_momentum",
                                                         "adam"};
enum { COLS = 256 }; /* colsum's columns: one stream read row after row */

static double now_s(void)
{
    return 1e-9 * (double)sdn_monotonic_ns();
}

/* The best time of one call over `runs` timed runs, each sized to about 2 ms: on a busy host
 * the best run is one the scheduler left alone, and short runs are more often left alone. */
static double best_call_s(sdn_profile_probe p, int runs, double *flops, double *bytes)
{
    double s = 0, best = 0;
    p.calls = 1;
    while (!sdn_profile_probe_run(&p, &s, flops, bytes) && s < 0.002 && p.calls < (1u << 24))
        p.calls *= 2;
    for (int r = 0; r < runs && s > 0; r++) {
        if (sdn_profile_probe_run(&p, &s, flops, bytes))
            return 0;
        const double per = s / (double)p.calls;
        best = best == 0 || per < best ? per : best;
    }
    return best;
}

/* The marginal rate (per ns) of FLOPs (what 0), bytes (1) or elements (2): from the best call
 * times at the probe's size and at a quarter of it, so the cost of a call itself falls out. */
static double best_rate(sdn_profile_probe p, int runs, int what)
{
    double fa, ba, fb, bb;
    const double tb = best_call_s(p, runs, &fb, &bb);
    const size_t nb = p.m ? p.m : p.n;
    if (p.m)
        p.m = p.m / 4 ? p.m / 4 : 1;
    else
        p.n = p.n / 4 ? p.n / 4 : 1;
    const double ta = best_call_s(p, runs, &fa, &ba);
    const size_t na = p.m ? p.m : p.n;
    const double qa = what == 0 ? fa : what == 1 ? ba : (double)na;
    const double qb = what == 0 ? fb : what == 1 ? bb : (double)nb;
    if (tb > ta && ta > 0)
        return (qb - qa) / ((tb - ta) * 1e9);
    return tb > 0 ? qb / (tb * 1e9) : 0;
}

static double measure_peak(sdn_isa isa, int threads)
{
    sdn_profile_probe p = {isa, "fma_peak", 1 << 10, 0, 0, 0, 1};
    double s = 0, flops = 0, bytes = 0, best = 0;
    while (!sdn_profile_probe_run(&p, &s, &flops, &bytes) && s < 0.002 && p.m < ((size_t)1 << 40))
        p.m *= 2;
    p.threads = threads;
    for (int rep = 0; rep < 50; rep++)
        if (!sdn_profile_probe_run(&p, &s, &flops, &bytes) && s > 0)
            best = flops / s * 1e-9 > best ? flops / s * 1e-9 : best;
    return best;
}

/* Elements whose calls of `kernel` move about `target` bytes (probe once for the per-element
 * bytes; colsum's are rows of COLS). */
static size_t elements_for(sdn_isa isa, const char *kernel, double target)
{
    const int rows = !strcmp(kernel, "colsum");
    sdn_profile_probe p = {isa, kernel, rows ? 1024 / COLS : 0, rows ? COLS : 1024, 0, 0, 1};
    double s, flops, bytes;
    if (sdn_profile_probe_run(&p, &s, &flops, &bytes) || bytes <= 0)
        return 1024;
    const double per = bytes / 1024.0;
    const size_t n = (size_t)(target / per);
    return n < 64 ? 64 : n & ~(size_t)63;
}

/* Bandwidth per level and stream count: the level's buffers fill half of it (DRAM: three times
 * the last level). */
static void measure_streams(sdn_calibration *c, sdn_isa isa)
{
    const double target[SDN_LVL_COUNT] = {
        0.5 * (double)c->cache_bytes[0], 0.5 * (double)c->cache_bytes[1],
        0.5 * (double)c->cache_bytes[2], 3.0 * (double)c->cache_bytes[2]};
    for (int l = 0; l < SDN_LVL_COUNT; l++)
        for (int s = 0; s < SDN_N_STREAMS; s++) {
            sdn_profile_probe p = {isa, stream_kernel[s], 0, 0, 0, 0, 1};
            p.n = elements_for(isa, stream_kernel[s], target[l]);
            if (!strcmp(stream_kernel[s], "colsum")) {
                p.m = p.n / COLS ? p.n / COLS : 1;
                p.n = COLS;
            }
            c->stream_gbs[isa][l][s] = best_rate(p, l == SDN_LVL_DRAM ? 3 : 9, 1);
        }
}

/* Compute ceilings with operands in L1: elements per ns of ELU (one exp each, every lane
 * negative), Adam (a square root and a divide each) and ReLU (a compare-select each). */
static void measure_kinds(sdn_calibration *c, sdn_isa isa)
{
    const double l1 = 0.5 * (double)c->cache_bytes[0];
    sdn_profile_probe p = {isa, "elu", 0, 0, 0, 0, 1};
    p.n = elements_for(isa, "elu", l1);
    c->exp_gops[isa] = best_rate(p, 15, 2);
    p.kernel = "adam";
    p.n = elements_for(isa, "adam", l1);
    c->sqrtdiv_gops[isa] = best_rate(p, 15, 2);
    p.kernel = "relu";
    p.n = elements_for(isa, "relu", l1);
    c->cmpsel_gops[isa] = best_rate(p, 15, 2);
}

/* STREAM triad a = b + s·c over arrays three times the last-level cache; 12 bytes per element
 * (write-allocate not counted, as STREAM). Best of 9. */
static double measure_triad(size_t l3, int threads)
{
    size_t n = l3 / sizeof(float);
    n = n < ((size_t)1 << 22) ? (size_t)1 << 22 : n;
    float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float)),
          *c = malloc(n * sizeof(float));
    double best = 0;
    const long long N = (long long)n;
    if (a && b && c) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
        for (long long i = 0; i < N; i++) { /* first touch by the thread that will stream it */
            a[i] = 0.0f;
            b[i] = 1.0f;
            c[i] = 2.0f;
        }
        for (int rep = 0; rep < 9; rep++) {
            const float s = 0.5f + (float)rep;
            const double t0 = now_s();
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
            for (long long i = 0; i < N; i++)
                a[i] = b[i] + s * c[i];
            const double g = 12.0 * (double)n / (now_s() - t0) * 1e-9;
            best = g > best ? g : best;
        }
    }
    (void)threads;
    free(a);
    free(b);
    free(c);
    return best;
}

sdn_status sdn_calibration_get(sdn_calibration *c, int redo, FILE *log)
{
    sdn_status st = sdn_dispatch_init();
    if (st)
        return sdn_pf_fail(st, "%s", sdn_last_error());
    if (!redo && sdn_calibration_load(c) == 0)
        return SDN_OK;
    sdn_calibration_machine(c);
    char path[1024];
    sdn_calibration_path(path, sizeof path);
    if (log)
        fprintf(log, "calibrating (half a minute; cached in %s)\n", path);
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        if (!sdn_isa_supported((sdn_isa)i))
            continue;
        if (log)
            fprintf(log, "  %s: peak, exp, sqrt/div, compare, streams\n", sdn_isa_name((sdn_isa)i));
        c->peak_gflops[i][0] = measure_peak((sdn_isa)i, 1);
        c->peak_gflops[i][1] = measure_peak((sdn_isa)i, c->threads);
        measure_kinds(c, (sdn_isa)i);
        measure_streams(c, (sdn_isa)i);
    }
    sdn_profile_probe done = {SDN_ISA_REF, NULL, 0, 0, 0, 0, 1};
    double s_, f_, b_;
    sdn_profile_probe_run(&done, &s_, &f_, &b_); /* frees the probes' buffers */
    c->triad_gbs[0] = measure_triad(c->cache_bytes[2], 1);
    c->triad_gbs[1] = measure_triad(c->cache_bytes[2], c->threads);
    st = sdn_calibration_store(c);
    if (st && log) /* an unwritable cache costs a re-measure next time, nothing else */
        fprintf(log, "simdnn: %s\n", sdn_profiler_last_error());
    return SDN_OK;
}

sdn_status sdn_profiler_calibrate(int redo, FILE *out, FILE *log)
{
    sdn_calibration c;
    sdn_status st = sdn_calibration_get(&c, redo, log);
    if (!st && out)
        sdn_calibration_print(&c, out);
    return st;
}
