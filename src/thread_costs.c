/* What a meeting of threads costs on this host (simdnn.h, sdn_thread_costs_get), measured once a
 * process, on first use: the library splits a product or a pass only where the split earns back
 * its fork, join and meetings, and those differ tenfold between two vCPUs that share a cache and
 * two that sit apart. A few milliseconds; each figure is the best of a few tries, so a moment of
 * preemption does not count as the host's cost. */
#include <math.h>
#include <stdatomic.h>

#include "kernels.h"
#include "platform/platform.h"
#include "simdnn.h"
#include "testhooks.h"
#include "thread_costs.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* What the thresholds take at most of a measurement: a host busy at the moment of measuring (the
 * other core compiling, say) shows milliseconds where its threads usually meet in microseconds,
 * and one unlucky start must not keep a whole run on one thread. */
#define FORK_JOIN_CAP_NS 20000.0
#define ROUND_TRIP_CAP_NS 2000.0
#define LINE_CAP_NS 50.0

static sdn_thread_costs costs;
static sdn_once costs_once = SDN_ONCE_INIT;

static double now_ns(void)
{
    return (double)sdn_monotonic_ns();
}

/* multiply-adds a ns of one core with the active ISA's peak loop */
static double fma_rate(void)
{
    const sdn_kernels *k = sdn_kernels_active();
    if (!k || !k->fma_peak)
        return 0.0;
    enum { ITERS = 1 << 14 };
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        const double t0 = now_ns(), flops = k->fma_peak(ITERS), dt = now_ns() - t0;
        best = dt > 0.0 && flops / 2.0 / dt > best ? flops / 2.0 / dt : best;
    }
    return best;
}

#ifdef _OPENMP
/* an empty parallel region of T threads, fork to join */
static double fork_join(int T)
{
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        enum { REGIONS = 16 };
        const double t0 = now_ns();
        for (int r = 0; r < REGIONS; r++) {
#pragma omp parallel num_threads(T)
            __asm__ volatile("" ::: "memory");
        }
        const double per = (now_ns() - t0) / REGIONS;
        best = rep == 0 || per < best ? per : best;
    }
    return best;
}

/* a cache line from thread 0 to thread 1 and back. A thread that is not running (a busy host, or
 * valgrind, which runs one thread at a time) would keep the other spinning for as long: after
 * ROUND_TRIP_LIMIT_NS both give up, and the rounds done so far give the figure. */
#define ROUND_TRIP_LIMIT_NS 20e6
static double round_trip(void)
{
    enum { ROUNDS = 400, BLOCKS = 3 };
    static _Alignas(64) _Atomic unsigned ball;
    static _Atomic int give_up;
    double best = 0.0;
    atomic_store(&ball, 0);
    atomic_store(&give_up, 0);
    const double start = now_ns();
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() == 2) {
        const unsigned me = (unsigned)omp_get_thread_num();
        for (unsigned b = 0; b <= BLOCKS && !atomic_load(&give_up); b++) {
            const double t0 = now_ns(); /* block 0 wakes the threads up */
            unsigned r = b * ROUNDS;
            for (; r < (b + 1) * ROUNDS && !atomic_load(&give_up); r++) {
                const unsigned want = 2 * r + me;
                for (unsigned spins = 1; atomic_load_explicit(&ball, memory_order_acquire) != want;
                     spins++)
                    if (spins % 4096 == 0 &&
                        (atomic_load(&give_up) || now_ns() - start > ROUND_TRIP_LIMIT_NS)) {
                        atomic_store(&give_up, 1);
                        break;
                    }
                atomic_store_explicit(&ball, want + 1, memory_order_release);
            }
            const unsigned done = r - b * ROUNDS;
            const double per = done ? (now_ns() - t0) / done : 0.0;
            if (me == 0 && (b > 0 || atomic_load(&give_up)) && per > 0.0)
                best = best == 0.0 || per < best ? per : best;
        }
    }
    return best;
}

/* A 64-byte line that crosses between the cores in a pass: one thread reads it in a stream right
 * after another wrote it, and the writer then writes it again over the reader's copy (the next
 * pass's update of a weight, a row the other thread read). The write, which must take the line
 * back from the other core, costs several times the read. 256 KB, within a core's L2; the best of
 * a few tries each way. */
static double cross_line(void)
{
    enum { LINES = 4096, FLOATS = LINES * 16, TRIES = 6 };
    float *buf = sdn_aligned_alloc(64, FLOATS * sizeof(float));
    if (!buf)
        return 0.0;
    double read = 0.0, rewrite = 0.0;
    volatile float sink = 0.0f;
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() == 2)
        for (int rep = 0; rep < TRIES; rep++) {
            const int writer = rep & 1, me = omp_get_thread_num();
            if (me == writer)
                for (int i = 0; i < FLOATS; i++)
                    buf[i] = (float)(i + rep);
#pragma omp barrier
            if (me != writer) {
                const double t0 = now_ns();
                float sum[8] = {0.0f}; /* independent sums: the reads, not the adds, set the pace */
                for (int i = 0; i < FLOATS; i += 8 * 16)
                    for (int j = 0; j < 8; j++)
                        sum[j] += buf[i + 16 * j];
                const double per = (now_ns() - t0) / LINES;
                sink = sum[0] + sum[7];
                read = read == 0.0 || per < read ? per : read;
            }
#pragma omp barrier
            if (me == writer) {
                const double t0 = now_ns();
                for (int i = 0; i < FLOATS; i += 16)
                    buf[i] = (float)rep;
                const double per = (now_ns() - t0) / LINES;
                rewrite = rewrite == 0.0 || per < rewrite ? per : rewrite;
            }
#pragma omp barrier
        }
    (void)sink;
    sdn_aligned_free(buf);
    return read + rewrite;
}
#endif

sdn_status sdn_thread_costs_measure(sdn_thread_costs *c)
{
    sdn_status st = sdn_dispatch_init();
    if (st != SDN_OK)
        return st;
    *c = (sdn_thread_costs){.threads = sdn_num_threads(), .fma_per_ns = fma_rate()};
#ifdef _OPENMP
    if (c->threads > 1 && !omp_in_parallel()) {
        c->fork_join_ns = fork_join(c->threads);
        c->round_trip_ns = round_trip();
        c->line_ns = cross_line();
    }
#endif
    /* Two threads halve the time of W multiply-adds and add a fork and a join: they win from
     * W = 2·rate·fork_join on. Never below the figure of a host that costs nothing to meet on. */
    const double split = 2.0 * c->fma_per_ns * fmin(c->fork_join_ns, FORK_JOIN_CAP_NS);
    c->gemm_parallel_min = split > 65536.0 ? split : 65536.0;
    return SDN_OK;
}

static void measure_once(void)
{
    sdn_thread_costs_measure(&costs);
}

const sdn_thread_costs *sdn_thread_costs_get(void)
{
    sdn_call_once(&costs_once, measure_once);
    return &costs;
}

double sdn_pass_parallel_min(double meetings, double cross_lines)
{
    /* A pass's work is about three times its forward multiply-adds (forward, backward, weight
     * gradients); each meeting costs about a round trip each way, and each line that crosses
     * line_ns. A test build may pretend the cores sit apart (its figures, uncapped). */
    const sdn_thread_costs *c = sdn_thread_costs_get();
    const double far_rt = SDN_HOOK(sdn_debug_far_round_trip_ns, 0.0);
    const double rt = far_rt > 0.0 ? far_rt : fmin(c->round_trip_ns, ROUND_TRIP_CAP_NS);
    const double line =
        far_rt > 0.0 ? SDN_HOOK(sdn_debug_far_line_ns, 0.0) : fmin(c->line_ns, LINE_CAP_NS);
    const double split =
        2.0 * c->fma_per_ns *
        (fmin(c->fork_join_ns, FORK_JOIN_CAP_NS) + 2.0 * meetings * rt + cross_lines * line);
    return split / 3.0 > 65536.0 ? split / 3.0 : 65536.0;
}
