/* From records to figures: per kernel (calls, time, percentiles, rates, roofline), per layer and
 * phase, per thread (busy, barrier wait) and per parallel phase (imbalance), and the step's model
 * FLOP utilisation. A pass barrier's wait is derived: it ends when the last thread arrives. A
 * barrier inside a layer is timed by its thread, arrival to departure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report.h"

#define MAX_SEQ (SDN_MAX_PHASES - 1)

const char *sdn_prof_phase_name(int phase)
{
    static const char *const names[SDN_PHASE_COUNT] = {
        "–", "step", "forward", "backward", "weight grad", "optimizer", "user scope"};
    return phase >= 0 && phase < SDN_PHASE_COUNT ? names[phase] : "?";
}

const char *sdn_roof_level_name(int level)
{
    return level == 1 ? "L1" : level == 2 ? "L2" : level == 3 ? "L3" : "DRAM";
}

uint64_t sdn_prof_ns(const sdn_prof_data *d, uint64_t t)
{
    return t > d->tick0 ? (uint64_t)((double)(t - d->tick0) * d->ns_per_tick) : 0;
}

static double dur_ns(const sdn_prof_data *d, const sdn_prof_event *e)
{
    return (double)(sdn_prof_ns(d, e->t1) - sdn_prof_ns(d, e->t0));
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void shape_text(const sdn_prof_event *e, char *buf, size_t size)
{
    if (e->kind == SDN_KK_GEMM)
        snprintf(buf, size, "%ux%ux%u", e->m, e->n, e->k);
    else if (e->m)
        snprintf(buf, size, "%ux%u", e->m, e->n);
    else
        snprintf(buf, size, "%u", e->n);
}

/* ---------------------------------------------------------------- per kernel */

/* One row per kernel function, table ISA, shape and phase (the forward X·W and the backward
 * dZ·Wᵀ of a square layer share a shape, not a speed). */
static int same_row(const sdn_kernel_stat *k, const sdn_prof_event *e)
{
    return k->fn == e->fn && k->isa == (sdn_isa)e->isa && k->m == e->m && k->n == e->n &&
           k->k == e->k && k->phase == e->phase;
}

static sdn_kernel_stat *kernel_slot(sdn_profile_report *r, const sdn_prof_event *e)
{
    for (int i = 0; i < r->n_kernels; i++)
        if (same_row(&r->kernels[i], e))
            return &r->kernels[i];
    sdn_kernel_stat *k = &r->kernels[r->n_kernels++];
    memset(k, 0, sizeof *k);
    k->fn = e->fn;
    k->kind = (sdn_kernel_kind)e->kind;
    k->isa = (sdn_isa)e->isa;
    k->m = e->m;
    k->n = e->n;
    k->k = e->k;
    k->phase = e->phase;
    shape_text(e, k->shape, sizeof k->shape);
    return k;
}

static sdn_status kernel_stats(const sdn_prof_data *d, sdn_profile_report *r,
                               size_t n_kernel_events)
{
    r->kernels = calloc(n_kernel_events ? n_kernel_events : 1, sizeof *r->kernels);
    if (!r->kernels)
        return sdn_fail(SDN_ERR_NOMEM, "profile: out of memory");
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            if (e->type != SDN_EV_KERNEL)
                continue;
            sdn_kernel_stat *k = kernel_slot(r, e);
            k->calls++;
            k->total_ns += dur_ns(d, e);
            k->flops += e->flops;
            k->bytes += e->bytes;
        }
    for (int i = 0; i < r->n_kernels; i++) {
        sdn_kernel_stat *k = &r->kernels[i];
        double *dur = malloc(k->calls * sizeof *dur);
        if (!dur)
            return sdn_fail(SDN_ERR_NOMEM, "profile: out of memory");
        size_t c = 0;
        for (int t = 0; t < d->n_threads; t++)
            for (size_t j = 0; j < d->threads[t]->n; j++) {
                const sdn_prof_event *e = &d->threads[t]->ev[j];
                if (e->type == SDN_EV_KERNEL && same_row(k, e))
                    dur[c++] = dur_ns(d, e);
            }
        qsort(dur, c, sizeof *dur, cmp_double);
        k->mean_us = k->total_ns / (double)c * 1e-3;
        k->p50_us = dur[(c - 1) / 2] * 1e-3;
        k->p99_us = dur[(size_t)ceil(0.99 * (double)c) - 1] * 1e-3;
        free(dur);
        k->gflops = k->total_ns > 0 ? k->flops / k->total_ns : 0;
        k->p50_gflops = k->p50_us > 0 ? k->flops / (double)k->calls / (k->p50_us * 1e3) : 0;
        k->gbs = k->total_ns > 0 ? k->bytes / k->total_ns : 0;
        k->intensity = k->bytes > 0 ? k->flops / k->bytes : 0;
        /* a call whose operands fit in a cache level streams from there: the ISA's own
         * stream rate at that level bounds it; a larger one, DRAM's triad */
        const double peak = r->cal.peak_gflops[k->isa][0], per_call = k->bytes / (double)k->calls;
        k->from_cache = 0;
        for (int level = 2; level >= 0; level--)
            if (per_call <= (double)r->cal.cache_bytes[level] &&
                r->cal.cache_gbs[k->isa][level] > 0)
                k->from_cache = level + 1;
        const double bw =
            k->from_cache ? r->cal.cache_gbs[k->isa][k->from_cache - 1] : r->cal.triad_gbs[0];
        if (peak > 0 && bw > 0) {
            k->compute_bound = k->intensity * bw >= peak;
            k->roof_gflops = k->compute_bound ? peak : k->intensity * bw;
            k->roof_pct = k->roof_gflops > 0 ? 100.0 * k->gflops / k->roof_gflops : 0;
            k->p50_roof_pct = k->roof_gflops > 0 ? 100.0 * k->p50_gflops / k->roof_gflops : 0;
        }
        r->kernel_ns += k->total_ns;
    }
    return SDN_OK;
}

/* ---------------------------------------------------------------- per layer */

static int column_of(int phase)
{
    switch (phase) {
    case SDN_PHASE_FORWARD:
        return SDN_COL_FORWARD;
    case SDN_PHASE_BACKWARD:
        return SDN_COL_BACKWARD;
    case SDN_PHASE_WGRAD:
        return SDN_COL_WGRAD;
    case SDN_PHASE_OPTIMIZER:
        return SDN_COL_OPTIMIZER;
    default:
        return SDN_COL_OTHER;
    }
}

static int cmp_layer(const void *a, const void *b)
{
    const sdn_layer_stat *x = a, *y = b;
    const int lx = x->layer < 0 ? 1 << 30 : x->layer, ly = y->layer < 0 ? 1 << 30 : y->layer;
    return (lx > ly) - (lx < ly);
}

static sdn_layer_stat *layer_slot(sdn_profile_report *r, int layer, const char *name)
{
    for (int i = 0; i < r->n_layers; i++)
        if (r->layers[i].layer == layer &&
            !strncmp(r->layers[i].name, name, sizeof r->layers[i].name - 1))
            return &r->layers[i];
    sdn_layer_stat *l = &r->layers[r->n_layers++];
    snprintf(l->name, sizeof l->name, "%.31s", name);
    l->layer = layer;
    return l;
}

/* A layer's time in a phase is its scope's (the kernels and what runs between them); kernels
 * outside any layer (the loss, a clipped optimizer step) count by their own time. */
static sdn_status layer_stats(const sdn_prof_data *d, sdn_profile_report *r, size_t n_events)
{
    r->layers = calloc(n_events ? n_events : 1, sizeof *r->layers);
    if (!r->layers)
        return sdn_fail(SDN_ERR_NOMEM, "profile: out of memory");
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            if (e->type == SDN_EV_SCOPE && e->layer >= 0) {
                layer_slot(r, e->layer, e->name)->ns[column_of(e->kind)] += dur_ns(d, e);
            } else if (e->type == SDN_EV_KERNEL && e->layer >= 0) {
                layer_slot(r, e->layer, e->name)->flops += e->flops;
            } else if (e->type == SDN_EV_KERNEL) {
                sdn_layer_stat *l = layer_slot(r, -1, "(outside layers)");
                l->ns[column_of(e->phase)] += dur_ns(d, e);
                l->flops += e->flops;
            }
        }
    qsort(r->layers, (size_t)r->n_layers, sizeof *r->layers, cmp_layer);
    return SDN_OK;
}

/* ---------------------------------------------------------------- per thread and step */

typedef struct pass_times {
    uint64_t b, e;            /* the pass scope, ns; e == 0: the thread took no part */
    uint64_t arrive[MAX_SEQ]; /* pass barrier arrivals, ns */
    int n_arrive;
    double layer_wait[SDN_MAX_PHASES]; /* time in barriers inside layers, per phase, ns */
} pass_times;

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
            if (e->type == SDN_EV_KERNEL) {
                ts->kernel_ns += dur_ns(d, e);
                step_flops[e->step] += e->flops;
            } else if (e->type == SDN_EV_SCOPE && e->kind == SDN_PHASE_STEP) {
                p->b = sdn_prof_ns(d, e->t0);
                p->e = sdn_prof_ns(d, e->t1) + 1; /* + 1: 0 means absent */
                ts->pass_ns += dur_ns(d, e);
            } else if (e->type == SDN_EV_BARRIER && e->kind == SDN_BARRIER_LAYER) {
                /* recorded on leaving, so before the next pass barrier's arrival: its phase */
                p->layer_wait[p->n_arrive] += dur_ns(d, e);
            } else if (e->type == SDN_EV_BARRIER && e->m < MAX_SEQ) {
                p->arrive[e->m] = sdn_prof_ns(d, e->t0);
                if ((int)e->m + 1 > p->n_arrive)
                    p->n_arrive = (int)e->m + 1;
            }
        }
    }
}

/* One step's phases: each thread's busy time from the phase's start (its own pass start, then the
 * last arrival at the barrier before) to its arrival at the next barrier (or its pass end), less
 * its time in barriers inside layers; its waits; and the phase's imbalance (max / mean busy)
 * added to r->imbalance, counted in imb_steps. */
static double step_phases(sdn_profile_report *r, const pass_times *row, int T, int *imb_steps)
{
    uint64_t min_b = UINT64_MAX, max_e = 0, release[MAX_SEQ] = {0};
    int used = 0, n_seq = 0;
    for (int t = 0; t < T; t++) {
        if (!row[t].e)
            continue;
        used++;
        min_b = row[t].b < min_b ? row[t].b : min_b;
        max_e = row[t].e > max_e ? row[t].e : max_e;
        n_seq = row[t].n_arrive > n_seq ? row[t].n_arrive : n_seq;
        for (int q = 0; q < row[t].n_arrive; q++)
            release[q] = row[t].arrive[q] > release[q] ? row[t].arrive[q] : release[q];
    }
    if (!used)
        return 0;
    r->steps++;
    r->step_wall_ns += (double)(max_e - min_b);
    r->threads_used = used > r->threads_used ? used : r->threads_used;
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
            const double busy = span > row[t].layer_wait[q] ? span - row[t].layer_wait[q] : 0;
            ts->phase_ns[q] += busy;
            ts->wait_ns += span - busy;
            mx[q] = busy > mx[q] ? busy : mx[q];
            sum[q] += busy;
            if (q < row[t].n_arrive)
                ts->wait_ns += (double)(release[q] - row[t].arrive[q]);
        }
        ts->wait_ns += (double)(max_e - row[t].e); /* the region's closing barrier */
    }
    for (int q = 0; q <= n_seq && used > 1; q++)
        if (sum[q] > 0) {
            r->imbalance[q] += mx[q] / (sum[q] / used);
            imb_steps[q]++;
        }
    return (double)(max_e - min_b);
}

static sdn_status thread_stats(const sdn_prof_data *d, sdn_profile_report *r, pass_times *pt)
{
    const int T = d->n_threads, S = (int)d->n_steps;
    double *step_flops = calloc((size_t)S + 1, sizeof *step_flops);
    double *walls = calloc((size_t)S + 1, sizeof *walls);
    if (!step_flops || !walls) {
        free(step_flops);
        free(walls);
        return sdn_fail(SDN_ERR_NOMEM, "profile: out of memory");
    }
    collect_passes(d, r, pt, step_flops);
    int imb_steps[SDN_MAX_PHASES] = {0};
    for (int s = 0; s < S; s++) {
        const int before = r->steps;
        const double wall = step_phases(r, &pt[(size_t)s * T], T, imb_steps);
        if (r->steps > before) {
            r->step_flops += step_flops[s];
            walls[r->steps - 1] = wall;
        }
    }
    for (int q = 0; q < SDN_MAX_PHASES; q++)
        r->imbalance[q] = imb_steps[q] ? r->imbalance[q] / imb_steps[q] : 1.0;
    if (r->steps) {
        qsort(walls, (size_t)r->steps, sizeof *walls, cmp_double);
        r->step_wall_p50_ns = walls[(r->steps - 1) / 2];
    }
    free(step_flops);
    free(walls);
    return SDN_OK;
}

sdn_status sdn_profile_analyze(const sdn_prof_data *d, const sdn_calibration *cal,
                               sdn_profile_report *r)
{
    memset(r, 0, sizeof *r);
    if (cal)
        r->cal = *cal;
    r->isa = sdn_active_isa();
    r->ns_per_tick = d->ns_per_tick;
    size_t n_kernel_events = 0, n_events = 0;
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            n_kernel_events += d->threads[t]->ev[j].type == SDN_EV_KERNEL;
            n_events++;
        }
    sdn_status st = kernel_stats(d, r, n_kernel_events);
    if (!st)
        st = layer_stats(d, r, n_events);
    r->threads = calloc(d->n_threads ? (size_t)d->n_threads : 1, sizeof *r->threads);
    pass_times *pt = calloc((size_t)d->n_steps * (size_t)d->n_threads + 1, sizeof *pt);
    if (!st && (!r->threads || !pt))
        st = sdn_fail(SDN_ERR_NOMEM, "profile: out of memory");
    if (!st) {
        r->n_threads = d->n_threads;
        st = thread_stats(d, r, pt);
    }
    if (!st) {
        r->step_gflops = r->step_wall_ns > 0 ? r->step_flops / r->step_wall_ns : 0;
        const int used = r->threads_used ? r->threads_used : 1;
        r->peak_gflops = used == r->cal.threads && used > 1 ? r->cal.peak_gflops[r->isa][1]
                                                            : r->cal.peak_gflops[r->isa][0] * used;
        r->mfu_pct = r->peak_gflops > 0 ? 100.0 * r->step_gflops / r->peak_gflops : 0;
    }
    free(pt);
    if (st)
        sdn_profile_report_free(r);
    return st;
}

double sdn_prof_p50_gflops(const sdn_profile_report *r)
{
    return r->steps && r->step_wall_p50_ns > 0 ? r->step_flops / r->steps / r->step_wall_p50_ns : 0;
}

double sdn_prof_overhead_pct(const sdn_profile_report *r)
{
    const sdn_prof_data *d = sdn_prof_records();
    if (!r->steps || !(r->step_wall_p50_ns > 0))
        return 0;
    const double per_thread =
        (double)d->n_events / r->steps / (r->threads_used ? r->threads_used : 1);
    return 100.0 * per_thread * d->record_cost_ns / r->step_wall_p50_ns;
}

void sdn_profile_report_free(sdn_profile_report *r)
{
    free(r->kernels);
    free(r->layers);
    free(r->threads);
    memset(r, 0, sizeof *r);
}
