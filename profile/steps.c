/* Per thread and step: each thread's passes, its barrier waits (a pass barrier's wait ends when
 * the last thread arrives; one inside a layer or at a stage's hand-over is timed by its thread),
 * the imbalance of each parallel phase, the counters over its passes (ran vs descheduled), and the
 * honest step: from one step's start to the next, with the region's fork and join and the batch
 * preparation. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define MAX_SEQ (SDN_MAX_PHASES - 1)

typedef struct pass_times {
    uint64_t b, e;            /* the pass scope, ns; e == 0: the thread took no part */
    uint64_t arrive[MAX_SEQ]; /* pass barrier arrivals, ns */
    int n_arrive;
    double timed_wait[SDN_MAX_PHASES]; /* in barriers inside layers and hand-overs, per phase, ns */
    double prep_ns;                    /* batch preparation on this thread */
} pass_times;

typedef struct step_sums {
    double *flops, *walls; /* per kept step */
} step_sums;

/* Each thread's pass scope, barrier arrivals and kernel time, by step. */
static void collect_passes(const sdn_prof_data *d, sdn_profile_report *r, pass_times *pt,
                           double *step_flops)
{
    const int T = d->n_threads, S = (int)d->n_steps;
    for (int t = 0; t < T; t++) {
        sdn_thread_stat *ts = &r->threads[t];
        snprintf(ts->name, sizeof ts->name, "%s", d->threads[t]->name);
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            if (e->step >= (uint32_t)S)
                continue;
            pass_times *p = &pt[(size_t)e->step * T + t];
            if (e->type != SDN_EV_BARRIER)
                step_flops[e->step] += e->flops; /* kernels, and calls folded into scopes */
            if (e->type == SDN_EV_KERNEL) {
                ts->kernel_ns += sdn_prof_dur_ns(d, e);
            } else if (e->type == SDN_EV_SCOPE && e->kind == SDN_PHASE_STEP) {
                p->b = sdn_prof_ns(d, e->t0);
                p->e = sdn_prof_ns(d, e->t1) + 1; /* + 1: 0 means absent */
                ts->pass_ns += sdn_prof_dur_ns(d, e);
            } else if (e->type == SDN_EV_SCOPE && e->kind == SDN_PHASE_PREP) {
                p->prep_ns += sdn_prof_dur_ns(d, e);
            } else if (e->type == SDN_EV_BARRIER && e->kind != SDN_BARRIER_PASS) {
                /* in a layer or a stage's hand-over: recorded on leaving, so before the next
                 * pass barrier's arrival: its phase */
                p->timed_wait[p->n_arrive] += sdn_prof_dur_ns(d, e);
            } else if (e->type == SDN_EV_BARRIER && e->m < MAX_SEQ) {
                p->arrive[e->m] = sdn_prof_ns(d, e->t0);
                if ((int)e->m + 1 > p->n_arrive)
                    p->n_arrive = (int)e->m + 1;
            }
        }
    }
}

/* Each thread's busy time in each phase of one step, from the phase's start (its own pass start,
 * then the last arrival at the barrier before) to its arrival at the next barrier (or its pass
 * end), less its time in barriers inside layers; its waits; and the phase's imbalance. */
static void step_phases(sdn_profile_report *r, const pass_times *row, int T, uint64_t max_e,
                        int *imb_steps)
{
    uint64_t release[MAX_SEQ] = {0};
    int n_seq = 0, used = 0;
    for (int t = 0; t < T; t++) {
        if (!row[t].e)
            continue;
        used++;
        n_seq = row[t].n_arrive > n_seq ? row[t].n_arrive : n_seq;
        for (int q = 0; q < row[t].n_arrive; q++)
            release[q] = row[t].arrive[q] > release[q] ? row[t].arrive[q] : release[q];
    }
    r->n_phases = n_seq + 1 > r->n_phases ? n_seq + 1 : r->n_phases;
    double mx[SDN_MAX_PHASES] = {0}, sum[SDN_MAX_PHASES] = {0};
    for (int t = 0; t < T; t++) {
        if (!row[t].e)
            continue;
        sdn_thread_stat *ts = &r->threads[t];
        for (int q = 0; q <= n_seq; q++) {
            const uint64_t from = q == 0 ? row[t].b : release[q - 1];
            const uint64_t to = q < row[t].n_arrive ? row[t].arrive[q] : row[t].e;
            const double span = to > from ? (double)(to - from) : 0;
            const double busy = span > row[t].timed_wait[q] ? span - row[t].timed_wait[q] : 0;
            ts->phase_ns[q] += busy;
            ts->wait_ns += span - busy;
            mx[q] = busy > mx[q] ? busy : mx[q];
            sum[q] += busy;
            if (q < row[t].n_arrive) {
                const double w = (double)(release[q] - row[t].arrive[q]);
                ts->wait_ns += w;
                ts->max_wait_ns = w > ts->max_wait_ns ? w : ts->max_wait_ns;
            }
        }
        ts->wait_ns += (double)(max_e - row[t].e); /* the region's closing barrier */
        ts->region_ns += (double)(max_e - row[t].b);
    }
    for (int q = 0; q <= n_seq && used > 1; q++)
        if (sum[q] > 0) {
            r->imbalance[q] += mx[q] / (sum[q] / used);
            imb_steps[q]++;
        }
}

/* The step's own figures from the calling thread's begin and end of each step: fork, join, the
 * batch preparation, the rest. wall: start to start (0 when the next start is unknown). */
static double honest_step(const sdn_prof_data *d, sdn_profile_report *r, const pass_times *row,
                          int s, uint64_t min_b, uint64_t max_e)
{
    if (!d->step_begin || (uint32_t)s >= d->n_intervals)
        return 0;
    const uint64_t b = sdn_prof_ns(d, d->step_begin[s]),
                   next = sdn_prof_ns(d, d->step_begin[s + 1]);
    const uint64_t end = d->step_end[s] ? sdn_prof_ns(d, d->step_end[s]) : max_e;
    const double wall = next > b ? (double)(next - b) : 0;
    double prep = 0;
    for (int t = 0; t < d->n_threads; t++)
        prep += row[t].prep_ns;
    sdn_step_stat *st = &r->step;
    st->intervals++;
    st->wall_ns += wall;
    st->pass_ns += max_e > min_b ? (double)(max_e - min_b) : 0;
    st->fork_ns += min_b > b ? (double)(min_b - b) : 0;
    st->join_ns += end > max_e ? (double)(end - max_e) : 0;
    st->prep_ns += prep;
    return wall;
}

static void thread_counters(const sdn_prof_data *d, sdn_profile_report *r)
{
    for (int t = 0; t < d->n_threads; t++) {
        const sdn_prof_thread *th = d->threads[t];
        sdn_thread_stat *ts = &r->threads[t];
        for (size_t s = 0; s < th->n_step_ctr && s < d->n_steps; s++)
            for (int c = 0; c < SDN_CTR_COUNT; c++)
                ts->ctr.v[c] += th->step_ctr[s].v[c];
        ts->ran_ns = (d->counters_mask & 1u << SDN_CTR_TASK_CLOCK)
                         ? (double)ts->ctr.v[SDN_CTR_TASK_CLOCK]
                         : 0;
    }
}

static void step_means(sdn_profile_report *r, double *walls)
{
    sdn_step_stat *st = &r->step;
    const int n = st->intervals;
    if (!n)
        return;
    qsort(walls, (size_t)n, sizeof *walls, sdn_prof_cmp_double);
    st->wall_p50_ns = walls[(n - 1) / 2];
    st->wall_p99_ns = walls[(size_t)(0.99 * (n - 1) + 0.5)];
    st->wall_ns /= n;
    st->pass_ns /= n;
    st->fork_ns /= n;
    st->join_ns /= n;
    st->prep_ns /= n;
    const double known = st->pass_ns + st->fork_ns + st->join_ns + st->prep_ns;
    st->other_ns = st->wall_ns > known ? st->wall_ns - known : 0;
}

sdn_status sdn_profile_thread_stats(const sdn_prof_data *d, sdn_profile_report *r)
{
    const int T = d->n_threads, S = (int)d->n_steps;
    r->threads = calloc(T ? (size_t)T : 1, sizeof *r->threads);
    pass_times *pt = calloc((size_t)S * (size_t)T + 1, sizeof *pt);
    double *step_flops = calloc((size_t)S + 1, sizeof *step_flops);
    double *walls = calloc((size_t)S + 1, sizeof *walls);
    sdn_status st = SDN_OK;
    if (!r->threads || !pt || !step_flops || !walls) {
        st = sdn_pf_fail(SDN_ERR_NOMEM, "profile: out of memory");
        goto done;
    }
    r->n_threads = T;
    collect_passes(d, r, pt, step_flops);
    int imb_steps[SDN_MAX_PHASES] = {0};
    for (int s = 0; s < S; s++) {
        const pass_times *row = &pt[(size_t)s * T];
        uint64_t min_b = UINT64_MAX, max_e = 0;
        int used = 0;
        for (int t = 0; t < T; t++)
            if (row[t].e) {
                used++;
                min_b = row[t].b < min_b ? row[t].b : min_b;
                max_e = row[t].e > max_e ? row[t].e : max_e;
            }
        if (!used)
            continue;
        r->steps++;
        r->threads_used = used > r->threads_used ? used : r->threads_used;
        r->pass_wall_ns += (double)(max_e - min_b);
        r->step_flops += step_flops[s];
        step_phases(r, row, T, max_e, imb_steps);
        const double wall = honest_step(d, r, row, s, min_b, max_e);
        if (wall > 0)
            walls[r->step.intervals - 1] = wall;
    }
    for (int q = 0; q < SDN_MAX_PHASES; q++)
        r->imbalance[q] = imb_steps[q] ? r->imbalance[q] / imb_steps[q] : 1.0;
    step_means(r, walls);
    thread_counters(d, r);
done:
    free(pt);
    free(step_flops);
    free(walls);
    return st;
}
