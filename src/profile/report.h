/* The profiler's reading side: the calibrated roofs, the figures derived from the records, and the
 * writers of profile.md, profile.json, profile.csv and trace.json. Internal (src/, apps/, tests/).
 */
#ifndef SDN_PROF_REPORT_H
#define SDN_PROF_REPORT_H

#include <stdio.h>

#include "prof.h"

/* ---- calibration (calibrate.c): this machine's roofs, cached per CPU and thread count ---- */
typedef struct sdn_calibration {
    char cpu[80];
    int threads;
    double peak_gflops[SDN_ISA_COUNT][2]; /* FMA peak per ISA: [0] one thread, [1] all; 0: n/a */
    double triad_gbs[2];                  /* memory bandwidth (triad): one thread, all */
    double cache_gbs[SDN_ISA_COUNT]
                    [3]; /* L1-, L2-, L3-resident stream (the ISA's ReLU), 1 thread */
    size_t cache_bytes[3];
    double counter_hz;
} sdn_calibration;

/* The cached calibration, else measures it (a few seconds) and caches it in
 * $XDG_CACHE_HOME/simdnn (or ~/.cache/simdnn); redo: measure anyway. log: progress, or NULL. */
sdn_status sdn_calibration_get(sdn_calibration *c, int redo, FILE *log);
/* This machine's identity (CPU, threads, cache sizes) with every roof 0, and writing a
 * calibration to the cache (atomically): for tests that must not spend seconds measuring. */
void sdn_calibration_machine(sdn_calibration *c);
sdn_status sdn_calibration_store(const sdn_calibration *c);
/* Where the cache lives (for messages). */
void sdn_calibration_path(char *buf, size_t size);
void sdn_calibration_print(const sdn_calibration *c, FILE *out);
/* Not cached, since the host may move the threads between measurements: the time two threads
 * take to pass a cache line there and back, in ns (0 without a second thread). Every line the
 * threads of a step exchange (updated weights, other rows' activations, barriers) costs about
 * this; on a shared VM it can jump several-fold for minutes when the host places the two vCPUs
 * apart. */
double sdn_core_round_trip_ns(void);

/* "forward", "weight grad"... for an sdn_prof_phase */
const char *sdn_prof_phase_name(int phase);
/* "L1", "L2", "L3", "DRAM" for from_cache 1, 2, 3, 0 */
const char *sdn_roof_level_name(int level);

/* ---- the figures (analyze.c) ---- */
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
    size_t calls;
    double total_ns, flops, bytes;
    double mean_us, p50_us, p99_us;
    double gflops, gbs, intensity;   /* FLOP per byte */
    double roof_gflops, roof_pct;    /* the bounding roof on one thread, and the share of it */
    double p50_gflops, p50_roof_pct; /* at the median call: robust to preemption on a busy host */
    int compute_bound, from_cache;   /* which roof bounds it; memory: 1 L1, 2 L2, 3 L3, 0 DRAM */
    uint32_t m, n, k;                /* the shape: one row per kernel, shape and phase */
    int phase;                       /* sdn_prof_phase of the scope it ran in */
    char shape[48];
} sdn_kernel_stat;

typedef struct sdn_layer_stat {
    char name[32];
    int layer;
    double ns[SDN_COL_COUNT]; /* kernel time summed over threads */
    double flops;
} sdn_layer_stat;

typedef struct sdn_thread_stat {
    char name[48];
    double pass_ns, wait_ns, kernel_ns;
    double phase_ns[SDN_MAX_PHASES]; /* busy time per parallel phase */
} sdn_thread_stat;

typedef struct sdn_profile_report {
    sdn_kernel_stat *kernels;
    int n_kernels;
    sdn_layer_stat *layers;
    int n_layers;
    sdn_thread_stat *threads;
    int n_threads;
    int n_phases;
    double imbalance[SDN_MAX_PHASES]; /* max / mean busy over threads, mean over steps */
    int steps, threads_used;
    double step_wall_ns, step_flops, kernel_ns; /* sums over the kept steps */
    double step_wall_p50_ns;                    /* the median step's wall time */
    double step_gflops, peak_gflops, mfu_pct;   /* model FLOP utilisation of the active ISA */
    sdn_isa isa;
    sdn_calibration cal;
    double ns_per_tick;
} sdn_profile_report;

/* Derives every figure from the records (cal: the roofs; may be all zeros). */
sdn_status sdn_profile_analyze(const sdn_prof_data *d, const sdn_calibration *cal,
                               sdn_profile_report *r);
void sdn_profile_report_free(sdn_profile_report *r);
/* The median step's GFLOP/s; the recording's cost (one thread's records × the measured cost of
 * one record) as a share of the median step. */
double sdn_prof_p50_gflops(const sdn_profile_report *r);
double sdn_prof_overhead_pct(const sdn_profile_report *r);
/* Event time in ns since the first kept step (monotonic in ticks). */
uint64_t sdn_prof_ns(const sdn_prof_data *d, uint64_t ticks);

/* ---- writers ---- */
void sdn_prof_write_md(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_kernel_table(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_json(const sdn_profile_report *r, FILE *out);
void sdn_prof_write_csv(const sdn_profile_report *r, FILE *out);
sdn_status sdn_prof_write_trace(const sdn_prof_data *d, FILE *out);
/* The machine header as JSON members (no braces), shared by profile.json and trace.json. */
void sdn_prof_write_machine_json(FILE *out, const char *indent);

/* A JSON string literal, escaped. */
void sdn_prof_json_str(FILE *out, const char *s);
/* Creates the folder (and parents); a clear error when it cannot. */
sdn_status sdn_prof_prepare_dir(const char *dir);
/* Analyzes the current records and writes the four files into dir, each atomically. */
sdn_status sdn_prof_write_all(const char *dir);

/* SIMDNN_VERBOSE: the dispatch decisions, one line per ISA and per kernel slot, with reasons. */
void sdn_prof_print_dispatch(FILE *out);

#endif
