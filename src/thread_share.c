/* Shares that follow the threads' speeds (thread_share.h). */
#include <math.h>

#include "thread_share.h"

/* Smoothing of the speeds over passes, and the least change of a share worth making. */
#define SPEED_KEEP 0.75
#define SHARE_MIN_MOVE 0.04

/* The team's verdict: its speed-up, smoothed over passes (recent ones count most, so the passes
 * before the shares settled fade), judged after JUDGE_AFTER team passes; below GAIN_MIN the
 * second core earns too little to be worth its meetings. A failed try doubles the passes on one
 * thread, from SOLO_FIRST up to SOLO_MAX. */
#define GAIN_KEEP 0.5
#define GAIN_MIN 1.1
#define JUDGE_AFTER 8u
#define SOLO_FIRST 64u
#define SOLO_MAX 4096u

void sdn_share_reset(sdn_share *s, int T)
{
    s->threads = T;
    for (int t = 0; t < SDN_SHARE_MAX_THREADS; t++)
        s->speed[t] = 0.0;
    for (int t = 0; t <= SDN_SHARE_MAX_THREADS; t++)
        s->weight[t] = t < T ? (double)t / T : 1.0;
    s->gain = 0.0;
    s->judged = 0;
    s->solo_left = 0;
    s->solo_next = SOLO_FIRST;
}

size_t sdn_share_cut(const sdn_share *s, int T, size_t n, size_t min_each, int t)
{
    if (t <= 0)
        return 0;
    if (t >= T)
        return n;
    const int followed = s->threads == T && T <= SDN_SHARE_MAX_THREADS;
    const double w = followed ? s->weight[t] : (double)t / T;
    size_t cut = (size_t)floor(w * (double)n + 0.5);
    /* room for min_each before and after, when n has it */
    const size_t lo = min_each * (size_t)t, hi = min_each * (size_t)(T - t);
    if (n >= min_each * (size_t)T) {
        cut = cut < lo ? lo : cut;
        cut = cut > n - hi ? n - hi : cut;
    }
    return cut;
}

double sdn_share_fraction(const sdn_share *s, int T, int t)
{
    const int followed = s->threads == T && T <= SDN_SHARE_MAX_THREADS;
    return followed ? s->weight[t + 1] - s->weight[t] : 1.0 / T;
}

void sdn_share_observe(sdn_share *s, int T, const double *done, const double *busy_ns)
{
    if (T < 2 || T > SDN_SHARE_MAX_THREADS)
        return;
    if (s->threads != T)
        sdn_share_reset(s, T);
    double total = 0.0;
    for (int t = 0; t < T; t++) {
        if (!(busy_ns[t] > 0.0) || !(done[t] > 0.0))
            return; /* an idle thread says nothing about its speed */
        const double v = done[t] / busy_ns[t];
        s->speed[t] = s->speed[t] > 0.0 ? SPEED_KEEP * s->speed[t] + (1.0 - SPEED_KEEP) * v : v;
        total += s->speed[t];
    }
    double want[SDN_SHARE_MAX_THREADS + 1] = {0.0}, move = 0.0;
    for (int t = 0; t < T; t++) {
        want[t + 1] = want[t] + s->speed[t] / total;
        move = fmax(move, fabs(want[t + 1] - s->weight[t + 1]));
    }
    if (move < SHARE_MIN_MOVE)
        return;
    for (int t = 1; t < T; t++)
        s->weight[t] = want[t];
}

int sdn_share_team(sdn_share *s, int T)
{
    if (T < 2 || s->solo_left == 0)
        return T;
    s->solo_left--;
    return 1;
}

void sdn_share_judge(sdn_share *s, int T, const double *done, const double *busy, double wall)
{
    if (T < 2 || T > SDN_SHARE_MAX_THREADS || !(wall > 0.0))
        return;
    double alone = INFINITY;
    for (int t = 0; t < T; t++)
        if (done[t] > 0.0 && busy[t] > 0.0)
            alone = fmin(alone, busy[t] / done[t]);
    if (!isfinite(alone))
        return;
    const double g = alone / wall;
    s->gain = s->judged ? GAIN_KEEP * s->gain + (1.0 - GAIN_KEEP) * g : g;
    if (++s->judged < JUDGE_AFTER)
        return;
    if (s->gain >= GAIN_MIN) {
        s->solo_next = SOLO_FIRST; /* the team pays: a later verdict against it starts afresh */
        return;
    }
    s->solo_left = s->solo_next;
    s->solo_next = s->solo_next < SOLO_MAX ? 2 * s->solo_next : SOLO_MAX;
    s->gain = 0.0;
    s->judged = 0;
}
