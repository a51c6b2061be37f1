/* The core-to-core round trip the profiler notes at a profile's begin and end: two threads pass
 * one cache line back and forth. */
#include <stdatomic.h>

#include "prof.h"

#ifdef _OPENMP
#include <omp.h>

static double now_ns(void)
{
    return (double)sdn_clock_mono_ns();
}
#endif

/* Long because both threads' halves of the exchange live in one parallel region. */
double sdn_profile_round_trip_ns(void)
{
    double ns = 0.0;
#ifdef _OPENMP
    /* The best of a few blocks, after a warm-up: a thread that is still waking up or is
     * preempted for a moment must not count as the distance between the cores. On a busy host
     * the partner may be off its core for whole time slices: the exchange stops after 20 ms. */
    enum { WARMUP = 1000, BLOCK = 1000, BLOCKS = 8, LIMIT_NS = 20000000 };
    static _Alignas(64) _Atomic unsigned ball; /* the line passed back and forth */
    static _Alignas(64) _Atomic int stop;
    if (omp_get_num_procs() < 2)
        return 0.0;
    atomic_store(&ball, 0);
    atomic_store(&stop, 0);
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() == 2) {
        /* round r: thread 0 turns 2r into 2r + 1, thread 1 turns that into 2r + 2 */
        const unsigned me = (unsigned)omp_get_thread_num();
        const double start = now_ns();
        double t0 = start;
        for (unsigned r = 0; r < WARMUP + BLOCKS * BLOCK; r++) {
            if (me == 0 && r >= WARMUP && (r - WARMUP) % BLOCK == 0) {
                const double t = now_ns(), per = (t - t0) / BLOCK;
                ns = r > WARMUP && (ns == 0.0 || per < ns) ? per : ns;
                t0 = t;
            }
            const unsigned want = 2 * r + me;
            unsigned spins = 0;
            while (atomic_load_explicit(&ball, memory_order_acquire) != want) {
                if (atomic_load_explicit(&stop, memory_order_relaxed))
                    break;
                if (me == 0 && ++spins % 1024 == 0 && now_ns() - start > LIMIT_NS) {
                    ns = ns == 0.0 ? (now_ns() - start) / (r + 1) : ns; /* a busy host's */
                    atomic_store(&stop, 1);
                }
            }
            if (atomic_load_explicit(&stop, memory_order_relaxed))
                break;
            atomic_store_explicit(&ball, want + 1, memory_order_release);
        }
        if (me == 0 && !atomic_load(&stop)) {
            const double per = (now_ns() - t0) / BLOCK;
            ns = ns == 0.0 || per < ns ? per : ns;
        }
    }
#endif
    return ns;
}
