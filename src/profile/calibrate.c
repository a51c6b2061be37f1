/* simdnn profile calibrate: this machine's roofs — the FMA peak of every ISA it runs on one and
 * on all threads, triad bandwidth on one and all threads, the counter's frequency — measured in
 * a few seconds and cached per CPU and thread count in $XDG_CACHE_HOME/simdnn (or ~/.cache). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "platform/platform.h"
#include "report.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define CACHE_FORMAT "simdnn-calibration 4"

static double now_s(void)
{
    return (double)sdn_clock_mono_ns() * 1e-9;
}

/* All the cores, whatever the library's thread setting is now (the cache is per machine). */
static int all_threads(void)
{
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

/* GFLOP/s of the peak loop on `threads` threads: the best of 15 runs of about 10 ms (on a busy
 * host the best run is the one the scheduler left alone). */
static double measure_peak(sdn_f32_fma_peak_fn *fn, int threads)
{
    size_t iters = 1 << 12;
    for (;;) { /* size a run to about 50 ms on one thread */
        const double t0 = now_s();
        fn(iters);
        if (now_s() - t0 > 0.01 || iters > ((size_t)1 << 40))
            break;
        iters *= 2;
    }
    double best = 0;
    for (int rep = 0; rep < 15; rep++) {
        double flops = 0;
        const double t0 = now_s();
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : flops)
        flops += fn(iters);
#else
        (void)threads;
        flops = fn(iters);
#endif
        const double g = flops / (now_s() - t0) * 1e-9;
        best = g > best ? g : best;
    }
    return best;
}

/* STREAM triad a = b + s·c over arrays three times the last-level cache; 12 bytes per element
 * (write-allocate not counted, as STREAM). Best of 9. */
static double measure_triad(int threads)
{
    const size_t l3 = sdn_cpu()->l3_bytes;
    size_t n = l3 / sizeof(float); /* three arrays of one L3 each */
    n = n < ((size_t)1 << 22) ? (size_t)1 << 22 : n;
    float *a = sdn_prof_aligned(n * sizeof(float)), *b = sdn_prof_aligned(n * sizeof(float)),
          *c = sdn_prof_aligned(n * sizeof(float));
    double best = 0;
    if (a && b && c) {
        const long long N = (long long)n;
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
        sdn_peak_sink = a[n / 2];
    }
    (void)threads;
    sdn_aligned_free(a);
    sdn_aligned_free(b);
    sdn_aligned_free(c);
    return best;
}

/* Cache-resident streaming with the ISA's own vectors: its ReLU, y = max(x, 0), reads and writes
 * one stream each (8 bytes an element) over two arrays filling a quarter of the cache. Best of
 * 15 runs of about 10 ms. */
static double measure_cache(const sdn_kernels *k, size_t cache_bytes)
{
    const size_t n = cache_bytes / 32;
    float *x = sdn_prof_aligned(n * sizeof(float)), *y = sdn_prof_aligned(n * sizeof(float));
    sdn_f32_vact_fn *relu = k->act[SDN_ACT_RELU];
    double best = 0;
    if (x && y && relu) {
        for (size_t i = 0; i < n; i++)
            x[i] = (float)(i % 7) - 3.0f;
        for (int rep = 0; rep < 15; rep++) {
            size_t calls = 0;
            const double t0 = now_s();
            double t = t0;
            while (t - t0 < 0.01) {
                for (int j = 0; j < 16; j++)
                    relu(n, x, y, 0.0f);
                calls += 16;
                t = now_s();
            }
            const double gbs = 8.0 * (double)n * (double)calls / (t - t0) * 1e-9;
            best = gbs > best ? gbs : best;
        }
        sdn_peak_sink = y[n / 2];
    }
    sdn_aligned_free(x);
    sdn_aligned_free(y);
    return best;
}

static double measure_counter_hz(void)
{
    const uint64_t n0 = sdn_clock_mono_ns(), t0 = sdn_clock_ticks();
    uint64_t n1 = n0;
    while (n1 - n0 < 50000000u)
        n1 = sdn_clock_mono_ns();
    return (double)(sdn_clock_ticks() - t0) * 1e9 / (double)(n1 - n0);
}

double sdn_core_round_trip_ns(void)
{
    double ns = 0.0;
#ifdef _OPENMP
    /* The best of a few blocks, after a warm-up: a thread that is still waking up or is
     * preempted for a moment must not count as the distance between the cores. */
    enum { WARMUP = 2000, BLOCK = 4000, BLOCKS = 4 };
    static _Alignas(64) _Atomic unsigned ball; /* the line passed back and forth */
    if (all_threads() < 2)
        return 0.0;
    atomic_store(&ball, 0);
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() == 2) {
        /* round r: thread 0 turns 2r into 2r + 1, thread 1 turns that into 2r + 2 */
        const unsigned me = (unsigned)omp_get_thread_num();
        double t0 = now_s();
        for (unsigned r = 0; r < WARMUP + BLOCKS * BLOCK; r++) {
            if (me == 0 && r >= WARMUP && (r - WARMUP) % BLOCK == 0) {
                const double t = now_s(), per = (t - t0) * 1e9 / BLOCK;
                ns = r > WARMUP && (ns == 0.0 || per < ns) ? per : ns;
                t0 = t;
            }
            const unsigned want = 2 * r + me;
            while (atomic_load_explicit(&ball, memory_order_acquire) != want)
                ;
            atomic_store_explicit(&ball, want + 1, memory_order_release);
        }
        if (me == 0) {
            const double per = (now_s() - t0) * 1e9 / BLOCK;
            ns = per < ns ? per : ns;
        }
    }
#endif
    return ns;
}

static void cache_sizes(sdn_calibration *c)
{
    const sdn_cpu_info *ci = sdn_cpu();
    c->cache_bytes[0] = ci->l1d_bytes;
    c->cache_bytes[1] = ci->l2_bytes;
    c->cache_bytes[2] = ci->l3_bytes;
}

static void cpu_name(char *buf, size_t size)
{
    const sdn_cpu_info *ci = sdn_cpu();
    snprintf(buf, size, "%s%s%s", ci->vendor, ci->brand[0] ? " " : "", ci->brand);
}

void sdn_calibration_path(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, size, "%s/simdnn/calibration.txt", xdg);
    else
        snprintf(buf, size, "%s/.cache/simdnn/calibration.txt", home && *home ? home : "/tmp");
}

static int load(sdn_calibration *c, const char *path)
{
    FILE *f = sdn_fopen(path, "r");
    if (!f)
        return -1;
    char line[256], want[96];
    int ok = fgets(line, sizeof line, f) && !strncmp(line, CACHE_FORMAT, strlen(CACHE_FORMAT));
    memset(c, 0, sizeof *c);
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char isa[16];
        double x, y, z;
        if (!strncmp(line, "cpu ", 4))
            snprintf(c->cpu, sizeof c->cpu, "%.79s", line + 4);
        else if (sscanf(line, "threads %d", &c->threads) == 1)
            ;
        else if (sscanf(line, "counter_hz %lf", &c->counter_hz) == 1)
            ;
        else if (sscanf(line, "triad_gbs %lf %lf", &x, &y) == 2) {
            c->triad_gbs[0] = x;
            c->triad_gbs[1] = y;
        } else if (sscanf(line, "cache_gbs %15s %lf %lf %lf", isa, &x, &y, &z) == 4 &&
                   sdn_isa_from_name(isa) < SDN_ISA_COUNT) {
            c->cache_gbs[sdn_isa_from_name(isa)][0] = x;
            c->cache_gbs[sdn_isa_from_name(isa)][1] = y;
            c->cache_gbs[sdn_isa_from_name(isa)][2] = z;
        } else if (sscanf(line, "peak_gflops %15s %lf %lf", isa, &x, &y) == 3 &&
                   sdn_isa_from_name(isa) < SDN_ISA_COUNT) {
            c->peak_gflops[sdn_isa_from_name(isa)][0] = x;
            c->peak_gflops[sdn_isa_from_name(isa)][1] = y;
        }
    }
    fclose(f);
    cache_sizes(c);
    cpu_name(want, sizeof want);
    return ok && !strcmp(c->cpu, want) && c->threads == all_threads() && c->triad_gbs[0] > 0 ? 0
                                                                                             : -1;
}

void sdn_calibration_machine(sdn_calibration *c)
{
    memset(c, 0, sizeof *c);
    cpu_name(c->cpu, sizeof c->cpu);
    c->threads = all_threads();
    cache_sizes(c);
}

sdn_status sdn_calibration_store(const sdn_calibration *c)
{
    char path[1024], dir[1024], tmp[1100];
    sdn_calibration_path(path, sizeof path);
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    sdn_status st = sdn_prof_prepare_dir(dir);
    if (st)
        return st;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return sdn_fail(SDN_ERR_IO, "calibrate: cannot write %s: %s", tmp, strerror(errno));
    fprintf(f, CACHE_FORMAT "\ncpu %s\nthreads %d\ncounter_hz %.0f\ntriad_gbs %.4f %.4f\n", c->cpu,
            c->threads, c->counter_hz, c->triad_gbs[0], c->triad_gbs[1]);
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (c->peak_gflops[i][0] > 0)
            fprintf(f, "peak_gflops %s %.4f %.4f\ncache_gbs %s %.4f %.4f %.4f\n",
                    sdn_isa_name((sdn_isa)i), c->peak_gflops[i][0], c->peak_gflops[i][1],
                    sdn_isa_name((sdn_isa)i), c->cache_gbs[i][0], c->cache_gbs[i][1],
                    c->cache_gbs[i][2]);
    if (fclose(f) || sdn_replace_file(tmp, path)) {
        sdn_remove(tmp);
        return sdn_fail(SDN_ERR_IO, "calibrate: cannot write %s", path);
    }
    return SDN_OK;
}

sdn_status sdn_calibration_get(sdn_calibration *c, int redo, FILE *log)
{
    char path[1024];
    sdn_calibration_path(path, sizeof path);
    if (!redo && load(c, path) == 0)
        return SDN_OK;
    sdn_calibration_machine(c);
    if (log)
        fprintf(log, "calibrating (a few seconds; cached in %s)\n", path);
    c->counter_hz = measure_counter_hz();
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        const sdn_kernels *k = sdn_kernels_for((sdn_isa)i);
        if (!k || !k->fma_peak)
            continue;
        c->peak_gflops[i][0] = measure_peak(k->fma_peak, 1);
        c->peak_gflops[i][1] = measure_peak(k->fma_peak, c->threads);
        for (int level = 0; level < 3; level++)
            c->cache_gbs[i][level] = measure_cache(k, c->cache_bytes[level]);
    }
    c->triad_gbs[0] = measure_triad(1);
    c->triad_gbs[1] = measure_triad(c->threads);
    sdn_status st = sdn_calibration_store(c);
    if (st && log) /* an unwritable cache costs a re-measure next time, nothing else */
        fprintf(log, "simdnn: %s\n", sdn_last_error());
    return SDN_OK;
}

void sdn_calibration_print(const sdn_calibration *c, FILE *out)
{
    char path[1024];
    sdn_calibration_path(path, sizeof path);
    fprintf(out, "cpu:        %s (%d threads)\ncounter:    %s at %.4f GHz\n", c->cpu, c->threads,
            sdn_clock_name(), c->counter_hz * 1e-9);
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (c->peak_gflops[i][0] > 0)
            fprintf(out,
                    "peak %-6s %7.1f GFLOP/s on 1 thread, %7.1f on %d; L1/L2/L3 stream %.0f / "
                    "%.0f / %.0f GB/s\n",
                    sdn_isa_name((sdn_isa)i), c->peak_gflops[i][0], c->peak_gflops[i][1],
                    c->threads, c->cache_gbs[i][0], c->cache_gbs[i][1], c->cache_gbs[i][2]);
    fprintf(out, "triad       %8.1f GB/s on 1 thread, %8.1f on %d\n", c->triad_gbs[0],
            c->triad_gbs[1], c->threads);
    if (c->threads > 1)
        fprintf(out, "round trip  %8.0f ns, a cache line between two cores (now; not cached)\n",
                sdn_core_round_trip_ns());
    fprintf(out, "cache:      %s\n", path);
}

sdn_status sdn_profile_calibrate(int redo, FILE *out, FILE *log)
{
    sdn_calibration c;
    sdn_status st = sdn_dispatch_init();
    if (!st)
        st = sdn_calibration_get(&c, redo, log);
    if (!st && out)
        sdn_calibration_print(&c, out);
    return st;
}
