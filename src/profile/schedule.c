/* The profiler's schedule over steps (wait, warm-up, active), each kept step's begin and end on
 * the calling thread, begin and end of a profile (the counter's rate, one record's cost), the
 * writer the tool above sets, and the ways in from the environment (SIMDNN_PROFILE=DIR,
 * SIMDNN_VERBOSE=1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "prof.h"
#include "record_state.h"

#define data sdn_prof_rec_data

static sdn_profile_options opts;
static char opts_dir[1024];
static uint64_t steps_seen, begin_ticks, begin_ns;
static size_t step_cap;
static int verbose_env;
static sdn_profile_writer writer;

sdn_profile_options sdn_profile_defaults(void)
{
    return (sdn_profile_options){NULL, 2, 1, 10, SDN_TRACE_AUTO, SDN_COUNTERS_THREAD};
}

int sdn_profile_active(void)
{
    return sdn_prof_armed;
}

void sdn_profile_set_writer(sdn_profile_writer w)
{
    writer = w;
}

/* Room for step s's begin and end (s may be n_steps: the next step's begin). */
static int step_room(uint32_t s)
{
    if (s < step_cap)
        return 1;
    size_t cap = step_cap ? 2 * step_cap : 256;
    uint64_t *b = realloc(data.step_begin, cap * sizeof *b);
    if (b)
        data.step_begin = b;
    uint64_t *e = b ? realloc(data.step_end, cap * sizeof *e) : NULL;
    if (e)
        data.step_end = e;
    if (!b || !e)
        return 0;
    step_cap = cap;
    return 1;
}

void sdn_prof_step_begin_slow(void)
{
    const uint64_t now = sdn_clock_ticks();
    const uint64_t s = steps_seen++, w = (uint64_t)opts.wait, wu = (uint64_t)opts.warmup;
    const uint64_t last = w + wu + (uint64_t)opts.active;
    int record = 0;
    if (s >= w + wu && (opts.active == 0 || s < last)) {
        if (s == w + wu) { /* the first kept step: warm-up records go */
            sdn_prof_discard_records();
            data.tick0 = now;
        }
        sdn_prof_rec.current_step = (uint32_t)(s - w - wu);
        data.n_steps = sdn_prof_rec.current_step + 1;
        if (step_room(sdn_prof_rec.current_step + 1)) {
            data.step_begin[sdn_prof_rec.current_step] = now;
            data.step_end[sdn_prof_rec.current_step] = 0;
            data.n_intervals = sdn_prof_rec.current_step; /* the previous steps have their end */
        }
        record = 1;
    } else if (s >= w && s < w + wu) {
        record = 1;
    } else if (opts.active && s == last && data.n_steps && step_room(data.n_steps)) {
        data.step_begin[data.n_steps] = now; /* the last kept step's interval ends here */
        data.n_intervals = data.n_steps;
    }
    sdn_prof_flags = (sdn_prof_flags & ~SDN_PROF_RECORD) | (record ? SDN_PROF_RECORD : 0);
}

void sdn_prof_note_traffic(double weights, double activations, double partials, int staged)
{
    data.cross_passes++;
    data.staged_passes += staged != 0;
    data.cross_bytes[0] += weights;
    data.cross_bytes[1] += activations;
    data.cross_bytes[2] += partials;
}

void sdn_prof_step_end_slow(void)
{
    const uint64_t now = sdn_clock_ticks();
    const uint64_t last = (uint64_t)opts.wait + (uint64_t)opts.warmup + (uint64_t)opts.active;
    const uint64_t w = (uint64_t)opts.wait + (uint64_t)opts.warmup;
    if (steps_seen > w && data.n_steps && sdn_prof_rec.current_step < step_cap &&
        steps_seen - 1 - w == sdn_prof_rec.current_step)
        data.step_end[sdn_prof_rec.current_step] = now;
    /* the batch preparation after the last kept step still belongs to its interval */
    if (opts.active && steps_seen >= last + 1)
        sdn_prof_flags &= ~SDN_PROF_RECORD;
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

/* The cost of one kernel record (two counter reads and the append), measured on this thread
 * into its own buffer and taken back out: the best of 16 blocks of 256, so a preempted block
 * does not count. Calls shorter than this are folded into their caller. */
static void measure_record_cost(void)
{
    enum { BLOCKS = 16, N = 256 };
    sdn_prof_thread_rec *t = sdn_prof_self();
    if (!t)
        return;
    const int flags = sdn_prof_flags;
    const size_t n0 = t->pub.n;
    const uint64_t fold = sdn_prof_rec.fold_ticks;
    uint64_t best = UINT64_MAX;
    sdn_prof_flags = SDN_PROF_RECORD;
    sdn_prof_rec.fold_ticks = 0;
    for (int b = 0; b < BLOCKS; b++) {
        const uint64_t a = sdn_clock_ticks();
        for (int i = 0; i < N; i++)
            sdn_prof_kernel_done(SDN_KK_SCALE, "cost", SDN_ISA_REF, sdn_prof_kernel_begin(), 0, 1,
                                 0, 1, 8);
        const uint64_t ticks = sdn_clock_ticks() - a;
        best = ticks < best ? ticks : best;
        t->pub.n = n0;
    }
    sdn_prof_flags = flags;
    sdn_prof_rec.fold_ticks = fold;
    data.record_cost_ns = (double)best * data.ns_per_tick / N;
}

/* ns per counter tick over at least `min_ns` since the profile's begin */
static void measure_counter(uint64_t min_ns)
{
    uint64_t ns = sdn_clock_mono_ns();
    while (ns - begin_ns < min_ns)
        ns = sdn_clock_mono_ns();
    const uint64_t ticks = sdn_clock_ticks();
    if (ticks > begin_ticks) {
        data.ns_per_tick = (double)(ns - begin_ns) / (double)(ticks - begin_ticks);
        data.ticks_per_second = 1e9 / data.ns_per_tick;
    }
}

static sdn_status check_options(const sdn_profile_options *o)
{
    if (o->wait < 0 || o->warmup < 0 || o->active < 0)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "profile: wait, warmup and active must be >= 0 (got %d,%d,%d)", o->wait,
                        o->warmup, o->active);
    if (o->trace < SDN_TRACE_AUTO || o->trace > SDN_TRACE_NONE)
        return sdn_fail(SDN_ERR_INVALID_ARG, "profile: unknown trace form %d", o->trace);
    if (o->counters < SDN_COUNTERS_THREAD || o->counters > SDN_COUNTERS_OFF)
        return sdn_fail(SDN_ERR_INVALID_ARG, "profile: unknown counters mode %d", o->counters);
    if (o->dir && !*o->dir)
        return sdn_fail(SDN_ERR_INVALID_ARG, "profile: the output folder is empty");
    return SDN_OK;
}

/* Long because it resets every field a profile's records carry, in one place. */
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
    if ((st = check_options(o)))
        return st;
    opts = *o;
    snprintf(opts_dir, sizeof opts_dir, "%s", o->dir ? o->dir : "");
    opts.dir = o->dir ? opts_dir : NULL;
    sdn_prof_rec.counters_mode = opts.counters;
    data.counters_mode = opts.counters;
    data.counters_mask = 0;
    snprintf(data.counters_note, sizeof data.counters_note, "%s",
             opts.counters == SDN_COUNTERS_OFF ? "counters off" : "");
    sdn_prof_reset_threads();
    data.n_steps = data.n_intervals = 0;
    data.folded_calls = 0;
    data.cross_passes = data.staged_passes = 0;
    data.cross_bytes[0] = data.cross_bytes[1] = data.cross_bytes[2] = 0.0;
    data.wait = opts.wait;
    data.warmup = opts.warmup;
    data.active = opts.active;
    data.counter_name = sdn_clock_name();
    data.omp_threads = sdn_num_threads();
    data.core_rtt_ns[0] = data.omp_threads > 1 ? sdn_profile_round_trip_ns() : 0.0;
    data.core_rtt_ns[1] = 0.0;
    sdn_prof_fill_tiles(&data);
    steps_seen = 0;
    sdn_prof_rec.current_step = 0;
    begin_ns = sdn_clock_mono_ns();
    begin_ticks = data.tick0 = sdn_clock_ticks();
    sdn_prof_self();           /* the calling thread is thread 0, "main" */
    measure_counter(2000000u); /* a first rate for the fold threshold; redone at the end */
    measure_record_cost();
    sdn_prof_rec.fold_ticks = (uint64_t)(data.record_cost_ns / data.ns_per_tick);
    sdn_prof_table = sdn_prof_wrap(sdn_kernels_for(sdn_active_isa()));
    sdn_prof_armed = 1;
    /* without a wait or warm-up, everything from now on is kept */
    sdn_prof_flags |= (opts.wait == 0 && opts.warmup == 0) ? SDN_PROF_RECORD : 0;
    return SDN_OK;
}

sdn_status sdn_profile_end(void)
{
    if (!sdn_prof_armed)
        return sdn_fail(SDN_ERR_STATE, "profile: no profile is running");
    sdn_prof_flags &= ~SDN_PROF_RECORD;
    sdn_prof_armed = 0;
    sdn_prof_table = (sdn_prof_flags & SDN_PROF_VERBOSE) ? sdn_prof_table : NULL;
    measure_counter(20000000u);
    measure_record_cost();
    if (data.omp_threads > 1)
        data.core_rtt_ns[1] = sdn_profile_round_trip_ns();
    data.n_events = 0;
    for (int i = 0; i < data.n_threads; i++)
        data.n_events += data.threads[i]->n;
    if (!opts.wait && !opts.warmup && !data.n_steps)
        data.n_steps = 1; /* kernels recorded outside any step (the C API, profile kernels) */
    if (!opts.dir)
        return SDN_OK;
    if (!writer)
        return sdn_fail(SDN_ERR_STATE,
                        "profile: no report writer in this program (the simdnn tool has one; "
                        "a program of its own links simdnn_profiler and calls "
                        "sdn_profiler_install)");
    char err[512] = "";
    sdn_status st = writer(&opts, &data, err, sizeof err);
    return st ? sdn_fail(st, "%s", err[0] ? err : "profile: the report writer failed") : SDN_OK;
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

static void verbose_from_env(void)
{
    begin_ns = sdn_clock_mono_ns(); /* a first ratio of ticks to ns for the verbose lines */
    begin_ticks = sdn_clock_ticks();
    measure_counter(20000000u);
    sdn_prof_print_dispatch(stderr);
    sdn_prof_table = sdn_prof_wrap(sdn_kernels_for(sdn_active_isa()));
    sdn_prof_flags |= SDN_PROF_VERBOSE;
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
    if (verbose_env)
        verbose_from_env();
    if (dir && *dir) {
        sdn_profile_options o = {dir, 0, 0, 0, SDN_TRACE_AUTO, SDN_COUNTERS_THREAD};
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
