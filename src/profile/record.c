/* The profiler's recording side: the schedule over steps, per-thread event buffers (thread-local,
 * grown by their own thread only, no lock on the hot path), scopes, barrier arrivals, and the
 * ways in from the environment (SIMDNN_PROFILE=DIR, SIMDNN_VERBOSE=1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "prof.h"
#include "report.h"

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
static sdn_prof_thread *every_thread[MAX_THREADS]; /* all ever made: reused, never freed */
static int n_every;
static sdn_prof_thread *registered[MAX_THREADS]; /* those that recorded in this profile */
static sdn_prof_data data = {.threads = registered, .ns_per_tick = 1.0, .ticks_per_second = 1e9};
static unsigned generation;
static _Thread_local sdn_prof_thread *tl_self;
static _Thread_local unsigned tl_generation;

static sdn_profile_options opts;
static char opts_dir[1024];
static uint64_t steps_seen, begin_ticks, begin_ns;
static uint32_t current_step;
static int verbose_env;

sdn_profile_options sdn_profile_defaults(void)
{
    return (sdn_profile_options){NULL, 2, 1, 10};
}

int sdn_profile_active(void)
{
    return sdn_prof_armed;
}
const sdn_prof_data *sdn_prof_records(void)
{
    return &data;
}

/* This thread's buffer, registered in the running profile on first use. */
static sdn_prof_thread *self(void)
{
    if (tl_self && tl_generation == generation)
        return tl_self;
    sdn_mutex_lock(&registry_lock);
    if (!tl_self && n_every < MAX_THREADS) {
        tl_self = calloc(1, sizeof *tl_self);
        if (tl_self)
            every_thread[n_every++] = tl_self;
    }
    sdn_prof_thread *t = tl_self;
    if (t && data.n_threads < MAX_THREADS) {
        t->n = t->dropped = 0;
        t->depth = 0;
        t->index = data.n_threads;
        t->tid = sdn_os_thread_id();
        int omp = -1;
#ifdef _OPENMP
        if (omp_in_parallel())
            omp = omp_get_thread_num();
#endif
        if (t->index == 0)
            snprintf(t->name, sizeof t->name, "main (tid %ld)", t->tid);
        else if (omp >= 0)
            snprintf(t->name, sizeof t->name, "omp worker %d (tid %ld)", omp, t->tid);
        else
            snprintf(t->name, sizeof t->name, "thread %d (tid %ld)", t->index, t->tid);
        registered[data.n_threads++] = t;
        tl_generation = generation;
    }
    sdn_mutex_unlock(&registry_lock);
    return tl_generation == generation ? t : NULL;
}

static sdn_prof_event *next_event(sdn_prof_thread *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : FIRST_CAPACITY;
        sdn_prof_event *ev = cap <= MAX_EVENTS ? realloc(t->ev, cap * sizeof *ev) : NULL;
        if (!ev) {
            t->dropped++;
            return NULL;
        }
        t->ev = ev;
        t->cap = cap;
    }
    return &t->ev[t->n++];
}

/* ------------------------------------------------------------------ the schedule */

static void discard_records(void)
{
    for (int i = 0; i < data.n_threads; i++)
        registered[i]->n = registered[i]->dropped = 0;
}

void sdn_prof_step_begin_slow(void)
{
    const uint64_t s = steps_seen++, w = (uint64_t)opts.wait, wu = (uint64_t)opts.warmup;
    int record = 0;
    if (s >= w + wu && (opts.active == 0 || s < w + wu + (uint64_t)opts.active)) {
        if (s == w + wu) { /* the first kept step: warm-up records go */
            discard_records();
            data.tick0 = sdn_clock_ticks();
        }
        current_step = (uint32_t)(s - w - wu);
        data.n_steps = current_step + 1;
        record = 1;
    } else if (s >= w && s < w + wu) {
        record = 1;
    }
    sdn_prof_flags = (sdn_prof_flags & ~SDN_PROF_RECORD) | (record ? SDN_PROF_RECORD : 0);
}

void sdn_prof_step_end_slow(void)
{
    const uint64_t last = (uint64_t)opts.wait + (uint64_t)opts.warmup + (uint64_t)opts.active;
    if (opts.active && steps_seen >= last)
        sdn_prof_flags &= ~SDN_PROF_RECORD;
}

/* ------------------------------------------------------------------ records */

void sdn_prof_scope_push(int phase, int layer, const char *name)
{
    sdn_prof_thread *t = self();
    if (!t)
        return;
    if (phase == SDN_PHASE_STEP)
        t->barrier_seq = 0;
    if (t->depth == SDN_PROF_MAX_DEPTH) { /* deeper scopes are counted, not kept */
        t->dropped++;
        t->depth++;
        return;
    }
    if (t->depth > SDN_PROF_MAX_DEPTH) {
        t->depth++;
        return;
    }
    __typeof__(t->stack[0]) *s = &t->stack[t->depth++];
    s->phase = (uint8_t)phase;
    s->layer = (int16_t)layer;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "?");
    s->t0 = sdn_clock_ticks();
}

void sdn_prof_scope_pop(void)
{
    const uint64_t t1 = sdn_clock_ticks();
    sdn_prof_thread *t = self();
    if (!t || t->depth == 0)
        return;
    if (--t->depth >= SDN_PROF_MAX_DEPTH)
        return;
    __typeof__(t->stack[0]) *s = &t->stack[t->depth];
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
    e->step = current_step;
    memcpy(e->name, s->name, sizeof e->name);
}

/* A barrier record of thread t from t0 to t1 (NULL when none can be kept). */
static sdn_prof_event *barrier_event(sdn_prof_thread *t, int kind, uint64_t t0, uint64_t t1)
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
    e->step = current_step;
    return e;
}

void sdn_prof_barrier_slow(void)
{
    const uint64_t now = sdn_clock_ticks();
    sdn_prof_thread *t = self();
    sdn_prof_event *e = barrier_event(t, SDN_BARRIER_PASS, now, now);
    if (e)
        e->m = t->barrier_seq++;
}

void sdn_prof_layer_barrier_done(uint64_t t0)
{
    const uint64_t now = sdn_clock_ticks();
    sdn_prof_thread *t = self();
    sdn_prof_event *e = barrier_event(t, SDN_BARRIER_LAYER, t0, now);
    if (e && t->depth > 0 && t->depth <= SDN_PROF_MAX_DEPTH)
        e->layer = t->stack[t->depth - 1].layer; /* the layer scope it waits in */
}

static void verbose_line(sdn_kernel_kind kind, const char *fn, sdn_isa isa, uint64_t t0,
                         uint64_t t1, uint32_t m, uint32_t n, uint32_t k, double flops,
                         double bytes)
{
    char shape[64];
    if (kind == SDN_KK_GEMM)
        snprintf(shape, sizeof shape, "m=%u n=%u k=%u", m, n, k);
    else if (m)
        snprintf(shape, sizeof shape, "rows=%u cols=%u", m, n);
    else
        snprintf(shape, sizeof shape, "n=%u", n);
    const double ms = (double)(t1 - t0) * data.ns_per_tick * 1e-6;
    int omp = 0;
#ifdef _OPENMP
    omp = omp_get_thread_num();
#endif
    fprintf(stderr, "simdnn_verbose,exec,%s,%s,%s,thread=%d,%s,flops=%.0f,bytes=%.0f,%.4f ms\n",
            sdn_kernel_kind_name(kind), fn, sdn_isa_name(isa), omp, shape, flops, bytes, ms);
}

void sdn_prof_kernel_done(sdn_kernel_kind kind, const char *fn, sdn_isa isa, uint64_t t0,
                          uint32_t m, uint32_t n, uint32_t k, double flops, double bytes)
{
    const uint64_t t1 = sdn_clock_ticks();
    if (sdn_prof_flags & SDN_PROF_VERBOSE)
        verbose_line(kind, fn, isa, t0, t1, m, n, k, flops, bytes);
    if (!(sdn_prof_flags & SDN_PROF_RECORD))
        return;
    sdn_prof_thread *t = self();
    sdn_prof_event *e = t ? next_event(t) : NULL;
    if (!e)
        return;
    e->type = SDN_EV_KERNEL;
    e->t0 = t0;
    e->t1 = t1;
    e->flops = flops;
    e->bytes = bytes;
    e->fn = fn;
    e->m = m;
    e->n = n;
    e->k = k;
    e->step = current_step;
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
            if (registered[i]->ev[j].type == SDN_EV_KERNEL)
                f += registered[i]->ev[j].flops;
    return f;
}

/* ------------------------------------------------------------------ user scopes */

void sdn_profile_scope_begin(const char *name)
{
    sdn_prof_enter(SDN_PHASE_USER, -1, name);
}
void sdn_profile_scope_end(void)
{
    sdn_prof_leave();
}

/* ------------------------------------------------------------------ begin / end */

sdn_status sdn_profile_begin(const sdn_profile_options *o)
{
    sdn_status st = sdn_dispatch_init();
    if (st)
        return st;
    if (sdn_prof_armed)
        return sdn_fail(SDN_ERR_STATE, "profile: a profile is already running (SIMDNN_PROFILE?)");
    sdn_profile_options d = sdn_profile_defaults();
    if (!o)
        o = &d;
    if (o->wait < 0 || o->warmup < 0 || o->active < 0)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "profile: wait, warmup and active must be >= 0 "
                        "(got %d,%d,%d)",
                        o->wait, o->warmup, o->active);
    if (o->dir && (st = sdn_prof_prepare_dir(o->dir)))
        return st;
    opts = *o;
    snprintf(opts_dir, sizeof opts_dir, "%s", o->dir ? o->dir : "");
    opts.dir = o->dir ? opts_dir : NULL;
    sdn_mutex_lock(&registry_lock);
    generation++;
    data.n_threads = 0;
    sdn_mutex_unlock(&registry_lock);
    data.n_steps = 0;
    data.wait = opts.wait;
    data.warmup = opts.warmup;
    data.active = opts.active;
    data.omp_threads = sdn_num_threads();
    data.core_rtt_ns[0] = data.omp_threads > 1 ? sdn_core_round_trip_ns() : 0.0;
    data.core_rtt_ns[1] = 0.0;
    steps_seen = 0;
    current_step = 0;
    begin_ns = sdn_clock_mono_ns();
    begin_ticks = data.tick0 = sdn_clock_ticks();
    self(); /* the calling thread is thread 0, "main" */
    sdn_prof_table = sdn_prof_wrap(sdn_kernels_for(sdn_active_isa()));
    sdn_prof_armed = 1;
    /* without a wait or warm-up, everything from now on is kept */
    sdn_prof_flags |= (opts.wait == 0 && opts.warmup == 0) ? SDN_PROF_RECORD : 0;
    return SDN_OK;
}

/* ns per counter tick, from this profile's span (at least 20 ms of it) against CLOCK_MONOTONIC */
static void measure_counter(void)
{
    uint64_t ns = sdn_clock_mono_ns();
    while (ns - begin_ns < 20000000u)
        ns = sdn_clock_mono_ns();
    const uint64_t ticks = sdn_clock_ticks();
    if (ticks > begin_ticks) {
        data.ns_per_tick = (double)(ns - begin_ns) / (double)(ticks - begin_ticks);
        data.ticks_per_second = 1e9 / data.ns_per_tick;
    }
}

/* The cost of one kernel record (two counter reads and the append), measured on this thread
 * into its own buffer and taken back out, for the overhead line of the report: the best of 16
 * blocks of 256, so a preempted block does not count. */
static void measure_record_cost(void)
{
    enum { BLOCKS = 16, N = 256 };
    sdn_prof_thread *t = self();
    if (!t)
        return;
    const int flags = sdn_prof_flags;
    const size_t n0 = t->n;
    uint64_t best = UINT64_MAX;
    sdn_prof_flags = SDN_PROF_RECORD;
    for (int b = 0; b < BLOCKS; b++) {
        const uint64_t a = sdn_clock_ticks();
        for (int i = 0; i < N; i++)
            sdn_prof_kernel_done(SDN_KK_SCALE, "cost", SDN_ISA_REF, sdn_clock_ticks(), 0, 1, 0, 1,
                                 8);
        const uint64_t ticks = sdn_clock_ticks() - a;
        best = ticks < best ? ticks : best;
        t->n = n0;
    }
    sdn_prof_flags = flags;
    data.record_cost_ns = (double)best * data.ns_per_tick / N;
}

sdn_status sdn_profile_end(void)
{
    if (!sdn_prof_armed)
        return sdn_fail(SDN_ERR_STATE, "profile: no profile is running");
    sdn_prof_flags &= ~SDN_PROF_RECORD;
    sdn_prof_armed = 0;
    sdn_prof_table = (sdn_prof_flags & SDN_PROF_VERBOSE) ? sdn_prof_table : NULL;
    measure_counter();
    measure_record_cost();
    if (data.omp_threads > 1)
        data.core_rtt_ns[1] = sdn_core_round_trip_ns();
    data.n_events = 0;
    for (int i = 0; i < data.n_threads; i++)
        data.n_events += registered[i]->n;
    if (!opts.wait && !opts.warmup && !data.n_steps)
        data.n_steps = 1; /* kernels recorded outside any step (the C API, profile kernels) */
    return opts.dir ? sdn_prof_write_all(opts.dir) : SDN_OK;
}

/* ------------------------------------------------------------------ the environment */

static void at_exit_profile(void)
{
    if (sdn_prof_armed && sdn_profile_end())
        fprintf(stderr, "simdnn: SIMDNN_PROFILE: %s\n", sdn_last_error());
}

sdn_status sdn_profile_parse_steps(const char *s, sdn_profile_options *o)
{
    int w, wu, a;
    char end;
    if (!s || !o || sscanf(s, "%d,%d,%d%c", &w, &wu, &a, &end) != 3 || w < 0 || wu < 0 || a < 0)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "profile steps '%s': expected WAIT,WARMUP,ACTIVE, "
                        "three integers >= 0 (e.g. 2,1,10)",
                        s ? s : "");
    o->wait = w;
    o->warmup = wu;
    o->active = a;
    return SDN_OK;
}

__attribute__((constructor)) static void profile_from_env(void)
{
    const char *v = getenv("SIMDNN_VERBOSE");
    verbose_env = v && *v && strcmp(v, "0") != 0;
    const char *dir = getenv("SIMDNN_PROFILE");
    if (!verbose_env && !(dir && *dir))
        return;
    if (sdn_dispatch_init()) {
        fprintf(stderr, "simdnn: %s\n", sdn_last_error());
        return;
    }
    if (verbose_env) {
        begin_ns = sdn_clock_mono_ns(); /* a first ratio of ticks to ns for the verbose lines */
        begin_ticks = sdn_clock_ticks();
        measure_counter();
        sdn_prof_print_dispatch(stderr);
        sdn_prof_table = sdn_prof_wrap(sdn_kernels_for(sdn_active_isa()));
        sdn_prof_flags |= SDN_PROF_VERBOSE;
    }
    if (dir && *dir) {
        sdn_profile_options o = {dir, 0, 0, 0};
        const char *steps = getenv("SIMDNN_PROFILE_STEPS");
        if (steps && *steps && sdn_profile_parse_steps(steps, &o))
            fprintf(stderr,
                    "simdnn: SIMDNN_PROFILE_STEPS=%s: expected WAIT,WARMUP,ACTIVE "
                    "(three integers >= 0); recording every step\n",
                    steps);
        if (sdn_profile_begin(&o))
            fprintf(stderr, "simdnn: SIMDNN_PROFILE: %s\n", sdn_last_error());
        else
            atexit(at_exit_profile);
    }
}
