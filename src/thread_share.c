/* Shares that follow the threads' speeds (thread_share.h). */
#include <math.h>

#include "thread_share.h"

/* Smoothing of the speeds over passes, and the least change of a share worth making. */
#define SPEED_KEEP 0.75
#define SHARE_MIN_MOVE 0.04

/* The verdict: trials of TRIAL passes on each split (the first of each not counted: it pays
 * for the switch), then a spell on the fastest, from FIRST passes up to MAX. */
#define GAIN_MIN 1.1
#define TRIAL 8u
/* A team's trial that has counted TRIAL_HOPELESS_AFTER passes and takes more than TRIAL_HOPELESS
 * times one thread's time a row at the last verdict ends there. */
#define TRIAL_HOPELESS 1.5
#define TRIAL_HOPELESS_AFTER 2u
/* A spell on the team that has counted SPELL_LOST_AFTER passes and takes longer a row than one
 * thread did at the verdict ends there: its core was taken after the trial (another program). */
#define SPELL_LOST_AFTER 16u
#define SPELL_FIRST 64u
#define SPELL_MAX 4096u
enum { TRY_ROWS, TRY_STAGES, TRY_ONE, SPELL_ROWS, SPELL_STAGES, SPELL_ONE };

/* The split a phase runs its passes on. */
static sdn_split phase_split(int phase)
{
    static const sdn_split on[] = {SDN_SPLIT_ROWS, SDN_SPLIT_STAGES, SDN_SPLIT_NONE,
                                   SDN_SPLIT_ROWS, SDN_SPLIT_STAGES, SDN_SPLIT_NONE};
    return on[phase];
}

static void set_phase(sdn_share *s, int phase, unsigned passes)
{
    s->phase = phase;
    s->left = passes;
    s->seen = s->counted = 0;
    if (phase == TRY_ROWS)
        for (int i = 0; i < 3; i++)
            s->trial_wall[i] = s->trial_rows[i] = 0.0;
    if (phase == SPELL_ROWS || phase == SPELL_STAGES) /* the verdict has read the trial */
        s->trial_wall[phase_split(phase)] = s->trial_rows[phase_split(phase)] = 0.0;
}

static void reset_speeds(sdn_share *s, int T)
{
    s->threads = T;
    for (int t = 0; t < SDN_SHARE_MAX_THREADS; t++)
        s->speed[t] = 0.0;
    for (int t = 0; t <= SDN_SHARE_MAX_THREADS; t++)
        s->weight[t] = t < T ? (double)t / T : 1.0;
}

void sdn_share_reset(sdn_share *s, int T)
{
    reset_speeds(s, T);
    set_phase(s, TRY_ROWS, TRIAL);
    s->team_spell = s->solo_spell = SPELL_FIRST;
    s->can_stage = 0;
    s->gain = s->solo_row = 0.0;
}

/* Whether the speeds kept are those of a team of T (else equal shares). */
static int followed(const sdn_share *s, int T)
{
    return s->threads == T && T <= SDN_SHARE_MAX_THREADS;
}

size_t sdn_share_cut(const sdn_share *s, int T, size_t n, size_t min_each, int t)
{
    if (t <= 0)
        return 0;
    if (t >= T)
        return n;
    const double w = followed(s, T) ? s->weight[t] : (double)t / T;
    size_t cut = (size_t)floor(w * (double)n + 0.5);
    /* room for min_each before and after, when n has it */
    const size_t lo = min_each * (size_t)t, hi = min_each * (size_t)(T - t);
    if (n >= min_each * (size_t)T) {
        cut = cut < lo ? lo : cut;
        cut = cut > n - hi ? n - hi : cut;
    }
    return cut;
}

double sdn_share_before(const sdn_share *s, int T, int t)
{
    return t <= 0 ? 0.0 : t >= T ? 1.0 : followed(s, T) ? s->weight[t] : (double)t / T;
}

double sdn_share_fraction(const sdn_share *s, int T, int t)
{
    return followed(s, T) ? s->weight[t + 1] - s->weight[t] : 1.0 / T;
}

void sdn_share_observe(sdn_share *s, int T, const double *done, const double *busy_ns)
{
    if (T < 2 || T > SDN_SHARE_MAX_THREADS)
        return;
    if (s->threads != T)
        reset_speeds(s, T);
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

sdn_split sdn_share_split(sdn_share *s, int T, int can_stage)
{
    s->can_stage = can_stage;
    const sdn_split on = phase_split(s->phase);
    if (T <= 1)
        return SDN_SPLIT_NONE;
    return on == SDN_SPLIT_STAGES && !can_stage ? SDN_SPLIT_ROWS : on;
}

/* A trial's time per row on one split; +inf where none of its passes counted. */
static double per_row(const sdn_share *s, sdn_split on)
{
    return s->trial_rows[on] > 0.0 ? s->trial_wall[on] / s->trial_rows[on] : INFINITY;
}

/* After the trials: a spell on the fastest, twice the last if it won the last verdict too. */
static void verdict(sdn_share *s)
{
    const double rows = per_row(s, SDN_SPLIT_ROWS), stages = per_row(s, SDN_SPLIT_STAGES);
    const sdn_split team = stages < rows ? SDN_SPLIT_STAGES : SDN_SPLIT_ROWS;
    const double solo = per_row(s, SDN_SPLIT_NONE);
    s->gain = solo / fmin(rows, stages);
    s->solo_row = isfinite(solo) ? solo : 0.0;
    if (s->gain >= GAIN_MIN) {
        set_phase(s, team == SDN_SPLIT_STAGES ? SPELL_STAGES : SPELL_ROWS, s->team_spell);
        s->team_spell = s->team_spell < SPELL_MAX ? 2 * s->team_spell : SPELL_MAX;
        s->solo_spell = SPELL_FIRST;
    } else {
        set_phase(s, SPELL_ONE, s->solo_spell);
        s->solo_spell = s->solo_spell < SPELL_MAX ? 2 * s->solo_spell : SPELL_MAX;
        s->team_spell = SPELL_FIRST;
    }
}

/* Whether the phase under way on the team has lost already: a trial that cannot win
 * (TRIAL_HOPELESS), a spell slower than one thread (SPELL_LOST_AFTER). */
static int lost(const sdn_share *s)
{
    const sdn_split on = phase_split(s->phase);
    if (on == SDN_SPLIT_NONE || !(s->solo_row > 0.0))
        return 0;
    if (s->phase < SPELL_ROWS)
        return s->counted >= TRIAL_HOPELESS_AFTER && per_row(s, on) > TRIAL_HOPELESS * s->solo_row;
    return s->counted >= SPELL_LOST_AFTER && per_row(s, on) > s->solo_row;
}

void sdn_share_judge(sdn_share *s, sdn_split ran, double wall, size_t rows)
{
    const sdn_split want = phase_split(s->phase);
    s->last = ran;
    if ((ran == SDN_SPLIT_NONE) != (want == SDN_SPLIT_NONE) || !(wall > 0.0) || !rows)
        return; /* not a pass the phase asked for (a batch too small to split) */
    /* a pass that could not stage ran on rows: it counts toward the phase, not its trial; a
     * spell on one thread is not timed */
    if (s->phase < SPELL_ONE && s->seen > 0 && ran == want) {
        s->trial_wall[ran] += wall;
        s->trial_rows[ran] += (double)rows;
        s->counted++;
    }
    s->seen++;
    if (--s->left > 0 && !lost(s))
        return;
    if (s->left > 0 && s->phase >= SPELL_ROWS) /* a spell lost: the next one starts short */
        s->team_spell = SPELL_FIRST;
    if (s->phase == TRY_ROWS)
        set_phase(s, s->can_stage ? TRY_STAGES : TRY_ONE, TRIAL);
    else if (s->phase == TRY_STAGES)
        set_phase(s, TRY_ONE, TRIAL);
    else if (s->phase == TRY_ONE)
        verdict(s);
    else
        set_phase(s, TRY_ROWS, TRIAL);
}
