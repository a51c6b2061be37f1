/* simdnn's kernel profiler, recording side: every kernel call of a training step, per thread, with
 * its FLOPs and bytes, scopes, barriers and counters. The library records; a tool above it (the
 * simdnn_profiler component, profile/) analyzes the records and writes the reports, reached
 * through sdn_profile_set_writer. Ways in: the CLI's --profile DIR, the environment
 * (SIMDNN_PROFILE=DIR, SIMDNN_VERBOSE=1), and this API. */
#ifndef SIMDNN_PROFILE_H
#define SIMDNN_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "simdnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The trace's form: gzipped when it passes 10 MB (AUTO), always gzipped, plain JSON, or none. */
enum { SDN_TRACE_AUTO = 0, SDN_TRACE_GZ, SDN_TRACE_JSON, SDN_TRACE_NONE };
/* Counters: per thread and step (default), or also around every kernel call (a system call per
 * call: it slows short kernels several-fold, so only for reading counters, not times). */
enum { SDN_COUNTERS_THREAD = 0, SDN_COUNTERS_KERNEL, SDN_COUNTERS_OFF };

/* A schedule in steps, as PyTorch's profiler: `wait` steps are not recorded (first-touch, cold
 * caches), the next `warmup` are recorded and thrown away, the next `active` are kept (0 = every
 * step until sdn_profile_end). A step is one pass of the model: a training step, or one batch of
 * evaluate / predict. */
typedef struct sdn_profile_options {
    const char *dir; /* output folder (created); NULL: keep the records, write nothing */
    int wait, warmup, active;
    int trace;    /* SDN_TRACE_* */
    int counters; /* SDN_COUNTERS_* */
} sdn_profile_options;

/* wait 2, warmup 1, active 10, dir NULL, trace AUTO, counters per thread. */
SDN_API sdn_profile_options sdn_profile_defaults(void);

/* Starts recording. Call it outside any training or inference call; kernels then run through an
 * instrumented copy of the kernel table (results stay bitwise the same). SDN_ERR_STATE if a
 * profile is already running. */
SDN_API sdn_status sdn_profile_begin(const sdn_profile_options *options);
/* Stops recording and, when the options named a folder, hands the records to the writer
 * (sdn_profile_set_writer); SDN_ERR_STATE when a folder was named and no writer is set. */
SDN_API sdn_status sdn_profile_end(void);
/* Whether a profile is running. */
SDN_API int sdn_profile_active(void);

/* Scopes of the caller's own, nested strictly per thread (names are copied, 31 characters kept).
 * They appear in the trace around the kernels they enclose. No-ops while no step is recorded. */
SDN_API void sdn_profile_scope_begin(const char *name);
SDN_API void sdn_profile_scope_end(void);

/* "WAIT,WARMUP,ACTIVE" (three integers >= 0) into the options' schedule; SDN_ERR_INVALID_ARG
 * otherwise. */
SDN_API sdn_status sdn_profile_parse_steps(const char *text, sdn_profile_options *options);

/* The time two threads take to pass a cache line there and back, in ns (0 without a second
 * thread): every line the threads of a step exchange costs about this. Usual: 50-200 ns between
 * cores that share a cache, 300-500 ns across sockets or when a VM's host places the vCPUs
 * apart. Measured each time (a few ms), never cached. */
SDN_API double sdn_profile_round_trip_ns(void);

/* FLOPs of every kernel call recorded so far in kept steps (all threads); for tests and tools. */
SDN_API double sdn_profile_recorded_flops(void);

/* ---- the records, for the tools that analyze them ---- */

typedef enum sdn_prof_event_type {
    SDN_EV_KERNEL,
    SDN_EV_SCOPE,
    SDN_EV_BARRIER
} sdn_prof_event_type;

/* A barrier record's kind: one of the pass's own, which bound its parallel phases (the wait is
 * derived from the last arrival); one inside a layer; or a stage's wait for the rows the stage
 * before it hands on (or their gradient, from the stage after). The last two are timed from
 * arrival to departure. */
enum { SDN_BARRIER_PASS, SDN_BARRIER_LAYER, SDN_BARRIER_HANDOVER };

/* Scope kinds: the pass (one thread's share of a step), a layer in one phase, the caller's own,
 * and the batch's preparation between passes. */
typedef enum sdn_prof_phase {
    SDN_PHASE_NONE = 0,
    SDN_PHASE_STEP,
    SDN_PHASE_FORWARD,
    SDN_PHASE_BACKWARD,
    SDN_PHASE_WGRAD,
    SDN_PHASE_OPTIMIZER,
    SDN_PHASE_USER,
    SDN_PHASE_PREP,
    SDN_PHASE_COUNT
} sdn_prof_phase;

/* Kernel kinds: one per field of the kernel table (activations share two). */
typedef enum sdn_kernel_kind {
    SDN_KK_GEMM = 0,
    SDN_KK_ACT,
    SDN_KK_ACT_GRAD,
    SDN_KK_SOFTMAX,
    SDN_KK_SOFTMAX_XENT,
    SDN_KK_COLSUM,
    SDN_KK_COLSUMSQ_DEV,
    SDN_KK_BN_FORWARD,
    SDN_KK_BN_BACKWARD_REDUCE,
    SDN_KK_BN_BACKWARD_DX,
    SDN_KK_DROPOUT,
    SDN_KK_DROPOUT_GRAD,
    SDN_KK_SUMSQ,
    SDN_KK_SCALE,
    SDN_KK_SGD,
    SDN_KK_ADAM,
    SDN_KK_RMSPROP,
    SDN_KK_BN_FORWARD_RELU,
    SDN_KK_BN_BACKWARD_REDUCE_RELU,
    SDN_KK_MAXPOOL,
    SDN_KK_MAXPOOL_GRAD,
    SDN_KK_AVGPOOL,
    SDN_KK_AVGPOOL_GRAD,
    SDN_KK_WINO_INPUT,
    SDN_KK_WINO_FILTER,
    SDN_KK_WINO_OUTPUT,
    SDN_KK_WINO_OUTPUT_GRAD,
    SDN_KK_WINO_FILTER_GRAD,
    SDN_KK_COUNT
} sdn_kernel_kind;
SDN_API const char *sdn_kernel_kind_name(sdn_kernel_kind kind);

/* Counters through perf_event_open (Linux): software events work in VMs without a PMU. */
enum {
    SDN_CTR_TASK_CLOCK, /* ns the thread ran */
    SDN_CTR_CTX_SWITCHES,
    SDN_CTR_MIGRATIONS,
    SDN_CTR_CYCLES,
    SDN_CTR_INSTRUCTIONS,
    SDN_CTR_L1D_MISSES,
    SDN_CTR_LLC_MISSES,
    SDN_CTR_COUNT
};
typedef struct sdn_prof_counters {
    uint64_t v[SDN_CTR_COUNT];
} sdn_prof_counters;
SDN_API const char *sdn_counter_name(int counter);

typedef struct sdn_prof_event {
    uint64_t t0, t1;     /* counter ticks; a barrier: t0 = arrival */
    double flops, bytes; /* kernel: exact counts; scope: those of short calls folded into it */
    const char *fn;      /* kernel: its function's name in kernels.def */
    uint32_t m, n, k;    /* kernel: shape (elementwise: n); barrier: m = its number in the pass */
    uint32_t step;       /* the profile's step number */
    uint32_t calls;      /* kernel: consecutive calls folded into this record (>= 1); scope: calls
                            folded into it */
    int16_t layer;       /* enclosing layer's index (-1: none) */
    uint8_t type, kind;  /* sdn_prof_event_type; kernel kind or scope phase */
    uint8_t isa, depth;  /* the table's ISA; scope nesting depth */
    uint8_t phase;       /* kernel: the innermost scope's phase */
    char name[32];       /* scope: name; kernel: enclosing layer's name */
} sdn_prof_event;

typedef struct sdn_prof_thread {
    sdn_prof_event *ev;
    size_t n, dropped;
    sdn_prof_counters *ev_ctr;   /* per event (SDN_COUNTERS_KERNEL): kernel calls' deltas */
    sdn_prof_counters *step_ctr; /* per kept step: the deltas over this thread's pass */
    size_t n_step_ctr;
    int index; /* registration order: 0 is the thread that began the profile */
    long tid;
    char name[48];
} sdn_prof_thread;

typedef struct sdn_prof_data {
    sdn_prof_thread **threads;
    int n_threads;
    uint32_t n_steps;   /* kept steps */
    uint64_t tick0;     /* ticks at the first kept step */
    double ns_per_tick; /* measured against CLOCK_MONOTONIC */
    double ticks_per_second;
    const char *counter_name; /* "rdtsc", ... */
    int omp_threads;
    int wait, warmup, active;
    size_t n_events;       /* kept records, all threads */
    double record_cost_ns; /* measured cost of one kernel record (timestamps included) */
    double core_rtt_ns[2]; /* core-to-core round trip at the profile's begin and end (0: n/a) */
    /* each kept step's begin and end on the calling thread (ticks); step_begin[n_steps] is the
     * next step's begin when one came before the profile ended (n_intervals: how many kept
     * steps have their successor's begin) */
    uint64_t *step_begin, *step_end;
    uint32_t n_intervals;
    unsigned counters_mask;                                  /* bit c: counter c was counted */
    char counters_note[160];                                 /* why some are absent */
    int counters_mode;                                       /* SDN_COUNTERS_* */
    unsigned gemm_mr[SDN_ISA_COUNT], gemm_nr[SDN_ISA_COUNT]; /* each ISA's register tile */
    unsigned gemm_lanes[SDN_ISA_COUNT]; /* floats a vector of its columns holds */
    size_t folded_calls; /* kernel calls folded into their caller (shorter than a record) */
    /* kept training passes on several threads and, summed over them, the bytes a thread read
     * that another had written: parameters, activations, partial sums (counted from the pass's
     * cuts, not measured) */
    uint32_t cross_passes;
    double cross_bytes[3];
    uint32_t staged_passes; /* of those, passes that ran staged (their layers in stages) */
} sdn_prof_data;

/* The records of the last (or running) profile; valid until the next sdn_profile_begin. */
SDN_API const sdn_prof_data *sdn_profile_records(void);

/* What sdn_profile_end calls with the records when the options name a folder: 0 or an error
 * status with a message in err. */
typedef sdn_status (*sdn_profile_writer)(const sdn_profile_options *options,
                                         const sdn_prof_data *records, char *err, size_t err_size);
SDN_API void sdn_profile_set_writer(sdn_profile_writer writer);

/* ---- probes: a kernel of the table run on the library's own buffers, for calibration and the
 * kernel bench. kernel: "fma_peak" (m: iterations per thread, threads), "gemm_nn", "gemm_nt",
 * "gemm_tn" (m×n×k), an activation "relu", "elu", ... or its gradient "elu_grad" (n), "softmax",
 * "softmax_xent", "colsum", "colsumsq_dev", "bn_forward", "bn_backward_reduce", "bn_backward_dx"
 * (m rows × n columns), "dropout", "dropout_grad", "sumsq", "scale", "sgd", "sgd_momentum",
 * "adam", "rmsprop" (n). Inputs of elementwise kernels are negative where that makes every lane
 * take the slow path (exp). While a profile runs, the calls are recorded. The buffers stay
 * allocated between probes; a probe whose kernel is NULL frees them. Not thread-safe. ---- */
typedef struct sdn_profile_probe {
    sdn_isa isa;
    const char *kernel;
    size_t m, n, k;
    size_t calls; /* timed calls, after one untimed call that warms the buffers */
    int threads;  /* fma_peak only: run on this many threads at once */
} sdn_profile_probe;
/* Runs it: *seconds the timed calls took, *flops and *bytes those of one call (as recorded). */
SDN_API sdn_status sdn_profile_probe_run(const sdn_profile_probe *probe, double *seconds,
                                         double *flops, double *bytes);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_PROFILE_H */
