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

/* How a training pass runs: on one thread; on the team with its rows split between the threads
 * (every thread through every layer: model_pass.c); or on the team with its layers split into
 * stages, the rows flowing through them in micro-batches (model_stages.c). */
typedef enum sdn_split {
    SDN_SPLIT_NONE,
    SDN_SPLIT_ROWS,
    SDN_SPLIT_STAGES,
} sdn_split;

typedef struct sdn_share {
    int threads;                              /* the team size the speeds belong to; 0: none yet */
    double speed[SDN_SHARE_MAX_THREADS];      /* work per busy second, smoothed over passes */
    double weight[SDN_SHARE_MAX_THREADS + 1]; /* cumulative shares: [0] = 0 … [threads] = 1 */
    /* the verdict on how training passes run (sdn_share_split) */
    int phase;            /* what the training passes do now (thread_share.c) */
    unsigned left;        /* passes left in it */
    unsigned seen;        /* passes of the phase so far */
    unsigned counted;     /* of those, the ones its trial or spell counted */
    unsigned team_spell;  /* the next spell on the team, in passes */
    unsigned solo_spell;  /* the next spell on one thread */
    int can_stage;        /* the last pass asked for could run staged */
    double trial_wall[3]; /* the trials' wall time on each split (sdn_split), then a team spell's */
    double trial_rows[3]; /* and the rows their passes took */
    double gain;          /* the last verdict: one thread's time over the team's; 0: none */
    double solo_row;      /* one thread's time per row at the last verdict; 0: none yet */
    int last;             /* the split the last training pass ran on */
} sdn_share;

/* Equal shares for a team of T threads (speeds forgotten). */
void sdn_share_reset(sdn_share *s, int T);

/* Where thread t's part of n units begins (t = T: n), each of the T threads keeping at least
 * min_each units when n allows. The same cut on every thread of a pass. */
size_t sdn_share_cut(const sdn_share *s, int T, size_t n, size_t min_each, int t);

/* The fraction of a divisible stretch of work the threads before t of T take. */
double sdn_share_before(const sdn_share *s, int T, int t);

/* The fraction of a divisible stretch of work thread t of T takes (a cut with min_each 0 and n
 * large, without the rounding). */
double sdn_share_fraction(const sdn_share *s, int T, int t);

/* A pass's measurements: thread t did the fraction done[t] of the work in busy_ns[t] of its own
 * time (waits at barriers excluded). Shares move only when the speeds say a clearly better split
 * exists, so equal cores keep equal shares through the noise. */
void sdn_share_observe(sdn_share *s, int T, const double *done, const double *busy_ns);

/* How the next training pass runs, by the passes' own clocks. A core the system hands to another
 * program for milliseconds at a time (a busy laptop core) keeps the others waiting at every
 * meeting, and cores that sit apart spend a pass taking lines back from each other; neither
 * shows in a thread's busy time as such. So the training passes run in cycles: a trial of a few
 * passes on each split (staged only where the pass `can_stage`), then a spell on the fastest
 * per row (a team's by 10 %, the price of its second core), each spell twice the last while the
 * same side keeps winning. Each side's time is its passes' whole wall time over their rows: a
 * pass kept waiting a whole time slice counts for what it cost. A team's trial that takes more
 * than half as long again a row as one thread did at the last verdict ends once two of its
 * passes have counted: it cannot win, and each of its passes waits on the shared core. A spell
 * on the team that, once 16 of its passes have counted, takes longer a row than one thread did
 * ends too (the core was taken after the trial), and the next team spell starts short.
 * sdn_share_split gives the next training pass's split on a team of T (SDN_SPLIT_NONE when T is
 * 1); sdn_share_judge takes the split a pass ran on, its wall time and its rows. */
sdn_split sdn_share_split(sdn_share *s, int T, int can_stage);
void sdn_share_judge(sdn_share *s, sdn_split ran, double wall, size_t rows);

#endif
