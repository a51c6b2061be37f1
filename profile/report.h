/* The profiling tool's internals: the calibrated roofs, the figures derived from the records, and
 * the writers of profile.md, profile.json, profile.csv, profile.svg, profile.html and the trace.
 * Public headers only (simdnn.h, simdnn_profile.h). */
#ifndef SDN_PROFILER_REPORT_H
#define SDN_PROFILER_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "simdnn_profile.h"
#include "simdnn_profiler.h"

/* ---- errors (error.c): the tool's own last message ---- */
sdn_status sdn_pf_fail(sdn_status st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- calibration (calibrate.c, calib_io.c): this machine's roofs, cached per CPU ---- */
#define SDN_N_STREAMS 5
extern const int sdn_stream_counts[SDN_N_STREAMS]; /* 1, 2, 3, 5, 7 */
enum { SDN_LVL_L1, SDN_LVL_L2, SDN_LVL_L3, SDN_LVL_DRAM, SDN_LVL_COUNT };

typedef struct sdn_calibration {
    char cpu[80];
    int threads;
    double peak_gflops[SDN_ISA_COUNT][2]; /* FMA peak per ISA: [0] one thread, [1] all; 0: n/a */
    /* per-kind compute ceilings on one thread, operations per ns: exp (ELU over negative inputs
     * in L1), a square root and a divide (Adam in L1), a compare-select (ReLU in L1) */
    double exp_gops[SDN_ISA_COUNT], sqrtdiv_gops[SDN_ISA_COUNT], cmpsel_gops[SDN_ISA_COUNT];
    /* one thread's bandwidth per level and number of streams (the kernels' own: sumsq, ReLU,
     * SGD, SGD with momentum, Adam), GB/s of counted bytes */
    double stream_gbs[SDN_ISA_COUNT][SDN_LVL_COUNT][SDN_N_STREAMS];
    double triad_gbs[2]; /* STREAM triad: one thread, all */
    size_t cache_bytes[3];
    char cache_source[3][24];
    double counter_hz;
} sdn_calibration;

sdn_status sdn_calibration_get(sdn_calibration *c, int redo, FILE *log);
/* This machine's identity (CPU, threads, cache sizes and their sources) with every roof 0. */
void sdn_calibration_machine(sdn_calibration *c);
sdn_status sdn_calibration_store(const sdn_calibration *c);
int sdn_calibration_load(sdn_calibration *c);
void sdn_calibration_path(char *buf, size_t size);
void sdn_calibration_print(const sdn_calibration *c, FILE *out);
/* "L1d 32 KiB (cpuid), L2 ..." */
void sdn_calibration_caches(const sdn_calibration *c, char *buf, size_t size);
/* A bandwidth for `streams` streams at a level, interpolated between the calibrated counts. */
double sdn_calibration_bw(const sdn_calibration *c, sdn_isa isa, int level, double streams);
/* A short signature of the roofs (for profile diff: "avx512 117.6 GFLOP/s, L1 2s 221 GB/s"). */
void sdn_calibration_signature(const sdn_calibration *c, sdn_isa isa, char *buf, size_t size);

const char *sdn_prof_phase_name(int phase);
const char *sdn_level_name(int level); /* "L1", "L2", "L3", "DRAM" */

/* ---- the figures (analyze.c, roof.c, steps.c) ---- */
enum {
    SDN_COL_FORWARD,
    SDN_COL_BACKWARD,
    SDN_COL_WGRAD,
    SDN_COL_OPTIMIZER,
    SDN_COL_OTHER,
    SDN_COL_COUNT
};
#define SDN_MAX_PHASES                                                                             \
    4 /* parallel phases of a pass: up to barrier A, B, the clip barrier, end                      \
       */

typedef struct sdn_kernel_stat {
    const char *fn;
    sdn_kernel_kind kind;
    sdn_isa isa; /* the table's ISA */
    size_t calls, records;
    double total_ns, flops, bytes;
    double mean_us, p50_us, p99_us; /* per call */
    double gflops, gbs, intensity;  /* FLOP per byte */
    double p50_gflops;
    /* the roof: the slowest of its ceilings for one call on one thread */
    double roof_gflops, roof_pct, p50_roof_pct;
    int level;        /* where a call's bytes fit: SDN_LVL_* */
    double streams;   /* bytes per element / 4 */
    char bound[40];   /* the limiter: "FMA", "tile fill 10/32", "exp", "L2, 7 streams" ... */
    int above;        /* the measured rate exceeds the roof */
    char why[200];    /* why it can, when above */
    double share_pct; /* of the step's wall time */
    double ms_per_step;
    sdn_prof_counters ctr; /* summed (per-kernel counters only) */
    uint32_t m, n, k;      /* the shape: one row per kernel, shape and phase */
    int phase;             /* sdn_prof_phase of the scope it ran in */
    char shape[48];
} sdn_kernel_stat;

typedef struct sdn_layer_stat {
    char name[32];
    int layer;
    double ns[SDN_COL_COUNT]; /* time summed over threads */
    double flops;
    uint64_t folded; /* short calls folded into its scopes */
} sdn_layer_stat;

typedef struct sdn_thread_stat {
    char name[48];
    double pass_ns;   /* its pass scope */
    double region_ns; /* its start to the region's end: busy + barrier wait */
    double wait_ns, kernel_ns;
    double phase_ns[SDN_MAX_PHASES]; /* busy time per parallel phase */
    double ran_ns;                   /* task-clock over its passes (0: not counted) */
    sdn_prof_counters ctr;           /* summed over its passes */
    double max_wait_ns;              /* its longest single wait at a pass barrier */
} sdn_thread_stat;

/* The honest step: start-to-start wall time and what fills it, per step (mean over steps). */
typedef struct sdn_step_stat {
    int intervals;                            /* steps with the next step's start */
    double wall_ns, wall_p50_ns, wall_p99_ns; /* start to start */
    double pass_ns;                           /* the slowest thread's pass */
    double fork_ns, join_ns;                  /* region start to the last thread's start; last
                                                 pass end to the region's end */
    double prep_ns;                           /* batch preparation */
    double other_ns;                          /* the rest: the loop between steps */
} sdn_step_stat;

typedef struct sdn_profile_report {
    const sdn_prof_data *d;
    sdn_kernel_stat *kernels;
    int n_kernels;
    sdn_layer_stat *layers;
    int n_layers;
    sdn_thread_stat *threads;
    int n_threads;
    int n_phases;
    double imbalance[SDN_MAX_PHASES]; /* max / mean busy over threads, mean over steps */
    int steps, threads_used;
    double pass_wall_ns, step_flops, kernel_ns; /* sums over the kept steps */
    sdn_step_stat step;
    double step_gflops, peak_gflops, mfu_pct; /* over the start-to-start step */
    int n_above;                              /* kernel rows above their roof */
    sdn_isa isa;
    sdn_calibration cal;
    double ns_per_tick;
} sdn_profile_report;

sdn_status sdn_profile_analyze(const sdn_prof_data *d, const sdn_calibration *cal,
                               sdn_profile_report *r);
void sdn_profile_report_free(sdn_profile_report *r);
/* The roof of one row (roof.c). */
void sdn_kernel_roof(const sdn_profile_report *r, sdn_kernel_stat *k);
/* Per thread and step: passes, barriers, imbalance, counters, the honest step (steps.c). */
sdn_status sdn_profile_thread_stats(const sdn_prof_data *d, sdn_profile_report *r);
double sdn_prof_overhead_pct(const sdn_profile_report *r);
/* Event time in ns since the first kept step. */
static inline uint64_t sdn_prof_ns(const sdn_prof_data *d, uint64_t ticks)
{
    return ticks > d->tick0 ? (uint64_t)((double)(ticks - d->tick0) * d->ns_per_tick) : 0;
}
static inline double sdn_prof_dur_ns(const sdn_prof_data *d, const sdn_prof_event *e)
{
    return (double)(sdn_prof_ns(d, e->t1) - sdn_prof_ns(d, e->t0));
}
/* qsort's comparison of doubles, ascending. */
static inline int sdn_prof_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- writers ---- */
void sdn_prof_write_md(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_kernel_table(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_json(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_csv(const sdn_profile_report *r, FILE *out);
sdn_status sdn_prof_write_trace(const sdn_prof_data *d, FILE *out);
void sdn_prof_write_svg(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_html(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_machine_json(const sdn_prof_data *d, FILE *out, const char *indent);
/* "sdn_f32_velu__avx2" → "f32_velu", "avx2" */
void sdn_prof_split_fn(const char *fn, char *name, size_t size, const char **isa);
void sdn_prof_json_str(FILE *out, const char *s);
/* Makes the folder and its parents; an error names what stands in the way (folder.c). */
sdn_status sdn_prof_prepare_dir(const char *dir);

#endif
