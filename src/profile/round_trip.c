/* The core-to-core round trip the profiler notes at a profile's begin and end: two threads pass
 * one cache line back and forth. */
#include <stdatomic.h>

#include "prof.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static double now_ns(void)
{
    return (double)sdn_clock_mono_ns();
}

double sdn_profile_round_trip_ns(void)
{
    double ns = 0.0;
#ifdef _OPENMP
    /* The best of a few blocks, after a warm-up: a thread that is still waking up or is
     * preempted for a moment must not count as the distance between the cores. */
    enum { WARMUP = 2000, BLOCK = 4000, BLOCKS = 4 };
    static _Alignas(64) _Atomic unsigned ball; /* the line passed back and forth */
    if (omp_get_num_procs() < 2)
        return 0.0;
    atomic_store(&ball, 0);
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() == 2) {
        /* round r: thread 0 turns 2r into 2r + 1, thread 1 turns that into 2r + 2 */
        const unsigned me = (unsigned)omp_get_thread_num();
        double t0 = now_ns();
        for (unsigned r = 0; r < WARMUP + BLOCKS * BLOCK; r++) {
            if (me == 0 && r >= WARMUP && (r - WARMUP) % BLOCK == 0) {
                const double t = now_ns(), per = (t - t0) / BLOCK;
                ns = r > WARMUP && (ns == 0.0 || per < ns) ? per : ns;
                t0 = t;
            }
            const unsigned want = 2 * r + me;
            while (atomic_load_explicit(&ball, memory_order_acquire) != want)
                ;
            atomic_store_explicit(&ball, want + 1, memory_order_release);
        }
        if (me == 0) {
            const double per = (now_ns() - t0) / BLOCK;
            ns = per < ns ? per : ns;
        }
    }
#endif
    return ns;
}
