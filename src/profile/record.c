/* The profiler's recording side: per-thread event buffers (thread-local, grown by their own
 * thread only, no lock on the hot path), scopes, barrier arrivals, kernel calls (short ones folded
 * into their caller) and the counters around a thread's pass. The schedule and the ways in are in
 * schedule.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/counters.h"
#include "platform/platform.h"
#include "prof.h"
#include "record_state.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int sdn_prof_flags;
int sdn_prof_armed;
const sdn_kernels *sdn_prof_table;

#define MAX_THREADS 256
#define FIRST_CAPACITY 65536
#define MAX_EVENTS ((size_t)1 << 22) /* 400 MB a thread: bound long schedules */

static sdn_mutex registry_lock = SDN_MUTEX_INIT;
static sdn_prof_thread_rec *every_thread[MAX_THREADS]; /* all ever made: reused, never freed */
static int n_every;
static sdn_prof_thread *registered[MAX_THREADS]; /* those that recorded in this profile */
sdn_prof_data sdn_prof_rec_data = {
    .threads = registered, .ns_per_tick = 1.0, .ticks_per_second = 1e9};
sdn_prof_rec_state sdn_prof_rec;
double sdn_prof_capture_flops, sdn_prof_capture_bytes; /* a probe's counts (probe.c) */
static _Thread_local sdn_prof_thread_rec *tl_self;
static _Thread_local unsigned tl_generation;
static _Thread_local sdn_prof_counters tl_kernel_ctr; /* counters at this kernel's start */

#define data sdn_prof_rec_data

const sdn_prof_data *sdn_profile_records(void)
{
    return &data;
}

static void name_thread(sdn_prof_thread_rec *t)
{
    int omp = -1;
#ifdef _OPENMP
    if (omp_in_parallel())
        omp = omp_get_thread_num();
#endif
    sdn_prof_thread *p = &t->pub;
    if (p->index == 0)
        snprintf(p->name, sizeof p->name, "main (tid %ld)", p->tid);
    else if (omp >= 0)
        snprintf(p->name, sizeof p->name, "omp worker %d (tid %ld)", omp, p->tid);
    else
        snprintf(p->name, sizeof p->name, "thread %d (tid %ld)", p->index, p->tid);
}

/* This thread's buffer, registered in the running profile on first use. */
sdn_prof_thread_rec *sdn_prof_self(void)
{
    if (tl_self && tl_generation == sdn_prof_rec.generation)
        return tl_self;
    sdn_mutex_lock(&registry_lock);
    if (!tl_self && n_every < MAX_THREADS) {
        tl_self = calloc(1, sizeof *tl_self);
        if (tl_self)
            every_thread[n_every++] = tl_self;
    }
    sdn_prof_thread_rec *t = tl_self;
    if (t && data.n_threads < MAX_THREADS) {
        t->pub.n = t->pub.dropped = t->pub.n_step_ctr = 0;
        t->depth = 0;
        t->pub.index = data.n_threads;
        t->pub.tid = sdn_os_thread_id();
        name_thread(t);
        if (!t->counters_tried && sdn_prof_rec.counters_mode != SDN_COUNTERS_OFF) {
            t->counters =
                sdn_counters_open(&t->counters_mask, t->counters_note, sizeof t->counters_note);
            t->counters_tried = 1;
        }
        if (data.n_threads == 0 && sdn_prof_rec.counters_mode != SDN_COUNTERS_OFF) {
            data.counters_mask = t->counters_mask; /* the main thread's say for all */
            snprintf(data.counters_note, sizeof data.counters_note, "%s", t->counters_note);
        }
        registered[data.n_threads++] = &t->pub;
        tl_generation = sdn_prof_rec.generation;
    }
    sdn_mutex_unlock(&registry_lock);
    return tl_generation == sdn_prof_rec.generation ? t : NULL;
}

void sdn_prof_reset_threads(void)
{
    sdn_mutex_lock(&registry_lock);
    sdn_prof_rec.generation++;
    data.n_threads = 0;
    sdn_mutex_unlock(&registry_lock);
}

static sdn_prof_event *next_event(sdn_prof_thread_rec *t)
{
    sdn_prof_thread *p = &t->pub;
    if (p->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : FIRST_CAPACITY;
        sdn_prof_event *ev = cap <= MAX_EVENTS ? realloc(p->ev, cap * sizeof *ev) : NULL;
        sdn_prof_counters *c = ev && sdn_prof_rec.counters_mode == SDN_COUNTERS_KERNEL
                                   ? realloc(p->ev_ctr, cap * sizeof *c)
                                   : p->ev_ctr;
        if (ev)
            p->ev = ev;
        if (!ev || (sdn_prof_rec.counters_mode == SDN_COUNTERS_KERNEL && !c)) {
            p->dropped++;
            return NULL;
        }
        p->ev_ctr = c;
        t->cap = cap;
    }
    return &p->ev[p->n++];
}

void sdn_prof_discard_records(void)
{
    for (int i = 0; i < data.n_threads; i++)
        registered[i]->n = registered[i]->dropped = registered[i]->n_step_ctr = 0;
}

/* ------------------------------------------------------------------ scopes */

void sdn_prof_scope_push(int phase, int layer, const char *name)
{
    sdn_prof_thread_rec *t = sdn_prof_self();
    if (!t)
        return;
    if (phase == SDN_PHASE_STEP)
        t->barrier_seq = 0;
    if (t->depth >= SDN_PROF_MAX_DEPTH) { /* deeper scopes are counted, not kept */
        t->pub.dropped += t->depth == SDN_PROF_MAX_DEPTH;
        t->depth++;
        return;
    }
    __typeof__(t->stack[0]) *s = &t->stack[t->depth++];
    s->phase = (uint8_t)phase;
    s->layer = (int16_t)layer;
    s->folded = 0;
    s->folded_flops = s->folded_bytes = 0;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "?");
    if (phase == SDN_PHASE_STEP && t->counters && sdn_prof_rec.counters_mode != SDN_COUNTERS_OFF)
        sdn_counters_read(t->counters, &s->ctr);
    s->t0 = sdn_clock_ticks();
}

/* The deltas of this thread's counters over its pass, kept per step. */
static void keep_step_counters(sdn_prof_thread_rec *t, const sdn_prof_counters *from)
{
    sdn_prof_thread *p = &t->pub;
    const uint32_t step = sdn_prof_rec.current_step;
    if (step >= t->step_cap) {
        size_t cap = t->step_cap ? 2 * t->step_cap : 64;
        while (cap <= step)
            cap *= 2;
        sdn_prof_counters *c = realloc(p->step_ctr, cap * sizeof *c);
        if (!c)
            return;
        memset(c + t->step_cap, 0, (cap - t->step_cap) * sizeof *c);
        p->step_ctr = c;
        t->step_cap = cap;
    }
    sdn_prof_counters now;
    sdn_counters_read(t->counters, &now);
    for (int i = 0; i < SDN_CTR_COUNT; i++)
        p->step_ctr[step].v[i] += now.v[i] - from->v[i];
    p->n_step_ctr = step + 1 > p->n_step_ctr ? step + 1 : p->n_step_ctr;
}

void sdn_prof_scope_pop(void)
{
    const uint64_t t1 = sdn_clock_ticks();
    sdn_prof_thread_rec *t = sdn_prof_self();
    if (!t || t->depth == 0)
        return;
    if (--t->depth >= SDN_PROF_MAX_DEPTH)
        return;
    __typeof__(t->stack[0]) *s = &t->stack[t->depth];
    if (s->phase == SDN_PHASE_STEP && t->counters && sdn_prof_rec.counters_mode != SDN_COUNTERS_OFF)
        keep_step_counters(t, &s->ctr);
    sdn_prof_event *e = next_event(t);
    if (!e)
        return;
    memset(e, 0, sizeof *e);
    e->type = SDN_EV_SCOPE;
    e->t0 = s->t0;
    e->t1 = t1;
    e->kind = s->phase;
    e->layer = s->layer;
    e->depth = (uint8_t)t->depth;
    e->step = sdn_prof_rec.current_step;
    e->calls = s->folded;
    e->flops = s->folded_flops;
    e->bytes = s->folded_bytes;
    memcpy(e->name, s->name, sizeof e->name);
}

/* ------------------------------------------------------------------ barriers */

/* A barrier record of thread t from t0 to t1 (NULL when none can be kept). */
static sdn_prof_event *barrier_event(sdn_prof_thread_rec *t, int kind, uint64_t t0, uint64_t t1)
{
    sdn_prof_event *e = t ? next_event(t) : NULL;
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    e->type = SDN_EV_BARRIER;
    e->kind = (uint8_t)kind;
    e->t0 = t0;
    e->t1 = t1;
    e->layer = -1;
    e->depth = (uint8_t)t->depth;
    e->step = sdn_prof_rec.current_step;
    return e;
}

void sdn_prof_barrier_slow(void)
{
    const uint64_t now = sdn_clock_ticks();
    sdn_prof_thread_rec *t = sdn_prof_self();
    sdn_prof_event *e = barrier_event(t, SDN_BARRIER_PASS, now, now);
    if (e)
        e->m = t->barrier_seq++;
}

void sdn_prof_wait_done(int kind, uint64_t t0)
{
    const uint64_t now = sdn_clock_ticks();
    sdn_prof_thread_rec *t = sdn_prof_self();
    sdn_prof_event *e = barrier_event(t, kind, t0, now);
    if (e && t->depth > 0 && t->depth <= SDN_PROF_MAX_DEPTH)
        e->layer = t->stack[t->depth - 1].layer; /* the scope it waits in (-1: the pass) */
}

/* ------------------------------------------------------------------ kernels */

uint64_t sdn_prof_kernel_begin(void)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_rec.counters_mode == SDN_COUNTERS_KERNEL) &&
        (sdn_prof_flags & SDN_PROF_RECORD)) {
        sdn_prof_thread_rec *t = sdn_prof_self();
        if (t && t->counters)
            sdn_counters_read(t->counters, &tl_kernel_ctr);
    }
    return sdn_clock_ticks();
}

/* A call shorter than a record: added to the last record when that is the same kernel, shape
 * and layer (a run of calls), else to the innermost scope's count. 1 when folded. */
static int fold(sdn_prof_thread_rec *t, const sdn_prof_event *like, uint64_t t1)
{
    sdn_prof_thread *p = &t->pub;
    sdn_prof_event *last = p->n ? &p->ev[p->n - 1] : NULL;
    if (last && last->type == SDN_EV_KERNEL && last->fn == like->fn && last->m == like->m &&
        last->n == like->n && last->k == like->k && last->layer == like->layer &&
        last->step == like->step && last->phase == like->phase) {
        last->t1 = t1;
        last->calls++;
        last->flops += like->flops;
        last->bytes += like->bytes;
    } else if (t->depth > 0 && t->depth <= SDN_PROF_MAX_DEPTH) {
        __typeof__(t->stack[0]) *s = &t->stack[t->depth - 1];
        s->folded++;
        s->folded_flops += like->flops;
        s->folded_bytes += like->bytes;
    } else {
        return 0;
    }
    return 1;
}

static void fill_kernel(sdn_prof_event *e, const sdn_prof_thread_rec *t, sdn_kernel_kind kind,
                        const char *fn, sdn_isa isa, uint64_t t0, uint64_t t1)
{
    e->type = SDN_EV_KERNEL;
    e->t0 = t0;
    e->t1 = t1;
    e->fn = fn;
    e->calls = 1;
    e->step = sdn_prof_rec.current_step;
    e->kind = (uint8_t)kind;
    e->isa = (uint8_t)isa;
    e->depth = (uint8_t)(t->depth < SDN_PROF_MAX_DEPTH ? t->depth : SDN_PROF_MAX_DEPTH);
    /* the innermost layer scope names the layer the kernel works for */
    e->layer = -1;
    e->name[0] = 0;
    e->phase = e->depth ? t->stack[e->depth - 1].phase : SDN_PHASE_NONE;
    for (int d = e->depth - 1; d >= 0; d--)
        if (t->stack[d].layer >= 0) {
            e->layer = t->stack[d].layer;
            memcpy(e->name, t->stack[d].name, sizeof e->name);
            break;
        }
}

void sdn_prof_kernel_done(sdn_kernel_kind kind, const char *fn, sdn_isa isa, uint64_t t0,
                          uint32_t m, uint32_t n, uint32_t k, double flops, double bytes)
{
    const uint64_t t1 = sdn_clock_ticks();
    if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_CAPTURE)) { /* a probe's counts (probe.c) */
        sdn_prof_capture_flops = flops;
        sdn_prof_capture_bytes = bytes;
    }
    if (sdn_prof_flags & SDN_PROF_VERBOSE)
        sdn_prof_verbose_line(kind, fn, isa, (double)(t1 - t0) * data.ns_per_tick * 1e-6, m, n, k,
                              flops, bytes);
    if (!(sdn_prof_flags & SDN_PROF_RECORD))
        return;
    sdn_prof_thread_rec *t = sdn_prof_self();
    if (!t)
        return;
    sdn_prof_event like;
    like.m = m;
    like.n = n;
    like.k = k;
    like.flops = flops;
    like.bytes = bytes;
    fill_kernel(&like, t, kind, fn, isa, t0, t1);
    if (t1 - t0 < sdn_prof_rec.fold_ticks && sdn_prof_rec.counters_mode != SDN_COUNTERS_KERNEL &&
        fold(t, &like, t1)) {
        data.folded_calls++;
        return;
    }
    sdn_prof_event *e = next_event(t);
    if (!e)
        return;
    *e = like;
    if (sdn_prof_rec.counters_mode == SDN_COUNTERS_KERNEL && t->counters) {
        sdn_prof_counters now, *c = &t->pub.ev_ctr[e - t->pub.ev];
        sdn_counters_read(t->counters, &now);
        for (int i = 0; i < SDN_CTR_COUNT; i++)
            c->v[i] = now.v[i] - tl_kernel_ctr.v[i];
    }
}

void sdn_prof_gemm_done(const sdn_kernels *k, uint64_t t0, size_t m, size_t n, size_t kdim,
                        float alpha, float beta, int bias)
{
    /* the table rarely changes: remember the last microkernel's name on this thread */
    static _Thread_local const void *last_fn;
    static _Thread_local const char *last_name;
    if (last_fn != (const void *)k->gemm.fn) {
        last_fn = (const void *)k->gemm.fn;
        last_name = sdn_kernel_fn_name(last_fn);
    }
    sdn_prof_kernel_done(SDN_KK_GEMM, last_name, k->isa, t0, (uint32_t)m, (uint32_t)n,
                         (uint32_t)kdim, sdn_gemm_flops(m, n, kdim, alpha, beta, bias),
                         sdn_gemm_bytes(m, n, kdim, beta, bias));
}

double sdn_profile_recorded_flops(void)
{
    double f = 0.0;
    for (int i = 0; i < data.n_threads; i++)
        for (size_t j = 0; j < registered[i]->n; j++)
            f += registered[i]->ev[j].type != SDN_EV_BARRIER ? registered[i]->ev[j].flops : 0;
    return f;
}
