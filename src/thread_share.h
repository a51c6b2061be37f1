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
    double gain;        /* the team's speed-up over one thread, smoothed; 0: not yet seen */
    unsigned judged;    /* team passes behind `gain` */
    unsigned solo_left; /* passes still to run on one thread */
    unsigned solo_next; /* how many the next verdict against the team sends to one thread */
} sdn_share;

/* Equal shares for a team of T threads (speeds forgotten). */
void sdn_share_reset(sdn_share *s, int T);

/* Where thread t's part of n units begins (t = T: n), each of the T threads keeping at least
 * min_each units when n allows. The same cut on every thread of a pass. */
size_t sdn_share_cut(const sdn_share *s, int T, size_t n, size_t min_each, int t);

/* The fraction of a divisible stretch of work thread t of T takes (a cut with min_each 0 and n
 * large, without the rounding). */
double sdn_share_fraction(const sdn_share *s, int T, int t);

/* A pass's measurements: thread t did the fraction done[t] of the work in busy_ns[t] of its own
 * time (waits at barriers excluded). Shares move only when the speeds say a clearly better split
 * exists, so equal cores keep equal shares through the noise. */
void sdn_share_observe(sdn_share *s, int T, const double *done, const double *busy_ns);

/* Whether the team pays its way. A thread whose core the system hands to another program for
 * milliseconds at a time (a busy laptop core) keeps the others waiting at every meeting, and no
 * share fixes that: there the passes run on one thread for a while, then try the team again,
 * waiting longer after each try that fails. Returns the team size for the next training pass
 * (T or 1); sdn_share_judge takes what a team pass showed: the least time any thread would have
 * needed for the whole pass alone (its busy time over its fraction of the work) against the
 * pass's wall time. */
int sdn_share_team(sdn_share *s, int T);
void sdn_share_judge(sdn_share *s, int T, const double *done, const double *busy, double wall);

#endif
