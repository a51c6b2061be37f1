/* How a pass divides its work between threads that may run at different speeds (a laptop's
 * performance and efficiency cores, a core shared with another program): each thread's share is
 * proportional to the speed it showed in the passes before, so the faster one takes more. Only
 * who computes what moves; every result is computed the same way, so no bit changes. */
#ifndef SDN_THREAD_SHARE_H
#define SDN_THREAD_SHARE_H

#include <stddef.h>
#include <stdint.h>

/* Threads whose speeds are followed; a pass with more splits its work equally. */
#define SDN_SHARE_MAX_THREADS 16

typedef struct sdn_share {
    int threads;                              /* the team size the speeds belong to; 0: none yet */
    double speed[SDN_SHARE_MAX_THREADS];      /* work per busy second, smoothed over passes */
    double weight[SDN_SHARE_MAX_THREADS + 1]; /* cumulative shares: [0] = 0 … [threads] = 1 */
} sdn_share;

/* Equal shares for a team of T threads (speeds forgotten). */
void sdn_share_reset(sdn_share *s, int T);

/* Where thread t's part of n units begins (t = T: n), each of the T threads keeping at least
 * min_each units when n allows. The same cut on every thread of a pass. */
size_t sdn_share_cut(const sdn_share *s, int T, size_t n, size_t min_each, int t);

/* A pass's measurements: thread t did the fraction done[t] of the work in busy_ns[t] of its own
 * time (waits at barriers excluded). Shares move only when the speeds say a clearly better split
 * exists, so equal cores keep equal shares through the noise. */
void sdn_share_observe(sdn_share *s, int T, const double *done, const double *busy_ns);

#endif
