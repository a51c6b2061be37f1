/* From records to figures: per kernel row (calls, time, per-call percentiles, rates, its roof),
 * per layer and phase; the threads and the step are in steps.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const char *sdn_prof_phase_name(int phase)
{
    static const char *const names[SDN_PHASE_COUNT] = {
        "–",           "step",      "forward",    "backward",
        "weight grad", "optimizer", "user scope", "batch preparation"};
    return phase >= 0 && phase < SDN_PHASE_COUNT ? names[phase] : "?";
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

/* Per-call percentiles of one row (a record of folded calls counts as that many calls of its
 * mean length). */
static sdn_status percentiles(const sdn_prof_data *d, sdn_kernel_stat *k)
{
    double *dur = malloc((k->records ? k->records : 1) * sizeof *dur);
    if (!dur)
        return sdn_pf_fail(SDN_ERR_NOMEM, "profile: out of memory");
    size_t c = 0;
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            if (e->type == SDN_EV_KERNEL && same_row(k, e))
                dur[c++] = sdn_prof_dur_ns(d, e) / (e->calls ? e->calls : 1);
        }
    qsort(dur, c, sizeof *dur, sdn_prof_cmp_double);
    k->mean_us = k->total_ns / (double)k->calls * 1e-3;
    k->p50_us = c ? dur[(c - 1) / 2] * 1e-3 : 0;
    k->p99_us = c ? dur[(size_t)ceil(0.99 * (double)c) - 1] * 1e-3 : 0;
    free(dur);
    return SDN_OK;
}

static sdn_status kernel_stats(const sdn_prof_data *d, sdn_profile_report *r, size_t n_kernel)
{
    r->kernels = calloc(n_kernel ? n_kernel : 1, sizeof *r->kernels);
    if (!r->kernels)
        return sdn_pf_fail(SDN_ERR_NOMEM, "profile: out of memory");
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            if (e->type != SDN_EV_KERNEL)
                continue;
            sdn_kernel_stat *k = kernel_slot(r, e);
            k->calls += e->calls ? e->calls : 1;
            k->records++;
            k->total_ns += sdn_prof_dur_ns(d, e);
            k->flops += e->flops;
            k->bytes += e->bytes;
            if (d->threads[t]->ev_ctr)
                for (int c = 0; c < SDN_CTR_COUNT; c++)
                    k->ctr.v[c] += d->threads[t]->ev_ctr[j].v[c];
        }
    for (int i = 0; i < r->n_kernels; i++) {
        sdn_kernel_stat *k = &r->kernels[i];
        sdn_status st = percentiles(d, k);
        if (st)
            return st;
        k->gflops = k->total_ns > 0 ? k->flops / k->total_ns : 0;
        k->p50_gflops = k->p50_us > 0 ? k->flops / (double)k->calls / (k->p50_us * 1e3) : 0;
        k->gbs = k->total_ns > 0 ? k->bytes / k->total_ns : 0;
        k->intensity = k->bytes > 0 ? k->flops / k->bytes : 0;
        r->kernel_ns += k->total_ns;
    }
    return SDN_OK;
}

/* Shares of the step, roofs and the rows sorted by their share (largest first). */
static int cmp_share(const void *a, const void *b)
{
    const sdn_kernel_stat *x = a, *y = b;
    return (x->total_ns < y->total_ns) - (x->total_ns > y->total_ns);
}

static void kernel_roofs(sdn_profile_report *r)
{
    const double steps = r->steps ? r->steps : 1;
    const double wall = r->step.wall_ns > 0 ? r->step.wall_ns : r->pass_wall_ns / steps;
    qsort(r->kernels, (size_t)r->n_kernels, sizeof *r->kernels, cmp_share);
    for (int i = 0; i < r->n_kernels; i++) {
        sdn_kernel_stat *k = &r->kernels[i];
        k->ms_per_step = k->total_ns * 1e-6 / steps;
        /* summed over threads: the share of the threads' step time */
        const double threads = r->threads_used ? r->threads_used : 1;
        k->share_pct = wall > 0 ? 100.0 * k->total_ns / steps / (wall * threads) : 0;
        sdn_kernel_roof(r, k);
        r->n_above += k->above;
    }
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
 * outside any layer (the loss, a clipped optimizer step) count by their own time, and the
 * batch preparation by its scope's. */
static sdn_status layer_stats(const sdn_prof_data *d, sdn_profile_report *r, size_t n_events)
{
    r->layers = calloc(n_events ? n_events : 1, sizeof *r->layers);
    if (!r->layers)
        return sdn_pf_fail(SDN_ERR_NOMEM, "profile: out of memory");
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            sdn_layer_stat *l = NULL;
            if (e->type == SDN_EV_SCOPE && e->layer >= 0) {
                l = layer_slot(r, e->layer, e->name);
                l->ns[column_of(e->kind)] += sdn_prof_dur_ns(d, e);
            } else if (e->type == SDN_EV_SCOPE && e->kind == SDN_PHASE_PREP) {
                l = layer_slot(r, -1, "(batch preparation)");
                l->ns[SDN_COL_OTHER] += sdn_prof_dur_ns(d, e);
            } else if (e->type == SDN_EV_KERNEL && e->layer >= 0) {
                layer_slot(r, e->layer, e->name)->flops += e->flops;
            } else if (e->type == SDN_EV_KERNEL && e->phase != SDN_PHASE_PREP) {
                l = layer_slot(r, -1, "(outside layers)");
                l->ns[column_of(e->phase)] += sdn_prof_dur_ns(d, e);
                l->flops += e->flops;
            }
            if (l && e->type == SDN_EV_SCOPE) {
                l->flops += e->flops; /* calls folded into the scope */
                l->folded += e->calls;
            }
        }
    qsort(r->layers, (size_t)r->n_layers, sizeof *r->layers, cmp_layer);
    return SDN_OK;
}

sdn_status sdn_profile_analyze(const sdn_prof_data *d, const sdn_calibration *cal,
                               sdn_profile_report *r)
{
    memset(r, 0, sizeof *r);
    r->d = d;
    if (cal)
        r->cal = *cal;
    r->isa = sdn_active_isa();
    r->ns_per_tick = d->ns_per_tick;
    size_t n_kernel = 0, n_events = 0;
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            n_kernel += d->threads[t]->ev[j].type == SDN_EV_KERNEL;
            n_events++;
        }
    sdn_status st = kernel_stats(d, r, n_kernel);
    if (!st)
        st = layer_stats(d, r, n_events);
    if (!st)
        st = sdn_profile_thread_stats(d, r);
    if (!st) {
        kernel_roofs(r);
        const double wall =
            r->step.wall_ns > 0 ? r->step.wall_ns : (r->steps ? r->pass_wall_ns / r->steps : 0);
        r->step_gflops = wall > 0 && r->steps ? r->step_flops / r->steps / wall : 0;
        const int used = r->threads_used ? r->threads_used : 1;
        r->peak_gflops = used == r->cal.threads && used > 1 ? r->cal.peak_gflops[r->isa][1]
                                                            : r->cal.peak_gflops[r->isa][0] * used;
        r->mfu_pct = r->peak_gflops > 0 ? 100.0 * r->step_gflops / r->peak_gflops : 0;
    }
    if (st)
        sdn_profile_report_free(r);
    return st;
}

double sdn_prof_overhead_pct(const sdn_profile_report *r)
{
    const sdn_prof_data *d = r->d;
    const double wall = r->step.wall_p50_ns;
    if (!r->steps || !(wall > 0))
        return 0;
    const double per_thread =
        (double)d->n_events / r->steps / (r->threads_used ? r->threads_used : 1);
    return 100.0 * per_thread * d->record_cost_ns / wall;
}

void sdn_profile_report_free(sdn_profile_report *r)
{
    free(r->kernels);
    free(r->layers);
    free(r->threads);
    memset(r, 0, sizeof *r);
}
