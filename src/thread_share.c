/* Shares that follow the threads' speeds (thread_share.h). */
#include <math.h>

#include "thread_share.h"

/* Smoothing of the speeds over passes, and the least change of a share worth making. */
#define SPEED_KEEP 0.75
#define SHARE_MIN_MOVE 0.04

/* The team's verdict: trials of TRIAL passes on each side (the first of each not counted: it
 * pays for the switch), then a spell on the faster, from FIRST passes up to MAX. */
#define GAIN_MIN 1.1
#define TRIAL 8u
#define SPELL_FIRST 64u
#define SPELL_MAX 4096u
enum { TRY_TEAM, TRY_SOLO, TEAM, SOLO };

static void set_phase(sdn_share *s, int phase, unsigned passes)
{
    s->phase = phase;
    s->left = passes;
    s->seen = 0;
    if (phase == TRY_TEAM)
        s->trial_wall[0] = s->trial_wall[1] = s->trial_rows[0] = s->trial_rows[1] = 0.0;
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
    set_phase(s, TRY_TEAM, TRIAL);
    s->team_spell = s->solo_spell = SPELL_FIRST;
    s->gain = 0.0;
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

int sdn_share_team(const sdn_share *s, int T)
{
    return T > 1 && (s->phase == TRY_SOLO || s->phase == SOLO) ? 1 : T;
}

/* After both trials: a spell on the faster side, twice the last if it won the last verdict too. */
static void verdict(sdn_share *s)
{
    s->gain = (s->trial_wall[0] / s->trial_rows[0]) / (s->trial_wall[1] / s->trial_rows[1]);
    if (s->gain >= GAIN_MIN) {
        set_phase(s, TEAM, s->team_spell);
        s->team_spell = s->team_spell < SPELL_MAX ? 2 * s->team_spell : SPELL_MAX;
        s->solo_spell = SPELL_FIRST;
    } else {
        set_phase(s, SOLO, s->solo_spell);
        s->solo_spell = s->solo_spell < SPELL_MAX ? 2 * s->solo_spell : SPELL_MAX;
        s->team_spell = SPELL_FIRST;
    }
}

void sdn_share_judge(sdn_share *s, int team, double wall, size_t rows)
{
    const int on_team = s->phase == TRY_TEAM || s->phase == TEAM;
    if ((team > 1) != on_team || !(wall > 0.0) || !rows)
        return; /* not a pass the phase asked for (a batch too small to split) */
    const int trying = s->phase == TRY_TEAM || s->phase == TRY_SOLO;
    if (trying && s->seen > 0) {
        s->trial_wall[on_team] += wall;
        s->trial_rows[on_team] += (double)rows;
    }
    s->seen++;
    if (--s->left > 0)
        return;
    if (s->phase == TRY_TEAM)
        set_phase(s, TRY_SOLO, TRIAL);
    else if (s->phase == TRY_SOLO)
        verdict(s);
    else
        set_phase(s, TRY_TEAM, TRIAL);
}
