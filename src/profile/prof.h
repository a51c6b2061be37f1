/* The profiler's internals: the event record, the per-thread buffers, and the hooks the model pass
 * and the GEMM driver call. Every hook is one predictable branch on a global flag while no
 * profile runs. Internal to simdnn (src/, apps/, tests/). */
#ifndef SDN_PROF_H
#define SDN_PROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "clock.h"
#include "kernels.h"
#include "simdnn_profile.h"

#define SDN_PROF_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* sdn_prof_flags: what the instrumented kernels do. */
enum { SDN_PROF_RECORD = 1, SDN_PROF_VERBOSE = 2 };
extern int sdn_prof_flags;
/* A profile has begun (its schedule decides which steps set SDN_PROF_RECORD). */
extern int sdn_prof_armed;

typedef enum sdn_prof_event_type {
    SDN_EV_KERNEL,
    SDN_EV_SCOPE,
    SDN_EV_BARRIER
} sdn_prof_event_type;

/* A barrier record's kind: one of the pass's own, which bound its parallel phases (the wait is
 * derived from the last arrival), or one inside a layer (batch norm's statistics, a sliced dense
 * layer's rows), recorded from the thread's arrival to its departure. */
enum { SDN_BARRIER_PASS, SDN_BARRIER_LAYER };

/* Scope kinds: the pass (one thread's share of a step), a layer in one phase, the caller's own. */
typedef enum sdn_prof_phase {
    SDN_PHASE_NONE = 0,
    SDN_PHASE_STEP,
    SDN_PHASE_FORWARD,
    SDN_PHASE_BACKWARD,
    SDN_PHASE_WGRAD,
    SDN_PHASE_OPTIMIZER,
    SDN_PHASE_USER,
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
    SDN_KK_COUNT
} sdn_kernel_kind;

typedef struct sdn_prof_event {
    uint64_t t0, t1;     /* counter ticks; a barrier: t0 = arrival */
    double flops, bytes; /* kernel: exact counts from its arguments (counts.c) */
    const char *fn;      /* kernel: its function's name in kernels.def */
    uint32_t m, n, k;    /* kernel: shape (elementwise: n); barrier: m = its number in the pass */
    uint32_t step;       /* the profile's step number */
    int16_t layer;       /* enclosing layer's index (-1: none) */
    uint8_t type, kind;  /* sdn_prof_event_type; kernel kind or scope phase */
    uint8_t isa, depth;  /* the table's ISA; scope nesting depth */
    uint8_t phase;       /* kernel: the innermost scope's phase */
    char name[32];       /* scope: name; kernel: enclosing layer's name */
} sdn_prof_event;

#define SDN_PROF_MAX_DEPTH 16

typedef struct sdn_prof_thread {
    sdn_prof_event *ev;
    size_t n, cap, dropped;
    int index; /* registration order: 0 is the thread that began the profile */
    long tid;
    char name[48];
    struct {
        uint64_t t0;
        int16_t layer;
        uint8_t phase;
        char name[32];
    } stack[SDN_PROF_MAX_DEPTH];
    int depth;
    uint32_t barrier_seq;
} sdn_prof_thread;

/* ---- hooks (record.c) ---- */
void sdn_prof_step_begin_slow(void);
void sdn_prof_step_end_slow(void);
void sdn_prof_scope_push(int phase, int layer, const char *name);
void sdn_prof_scope_pop(void);
void sdn_prof_barrier_slow(void);
/* This thread waited at a barrier inside a layer from t0 to now (model_pass.c, while recording). */
void sdn_prof_layer_barrier_done(uint64_t t0);
/* A kernel call from t0 to now (wrap.c, gemm.c): recorded and/or printed per sdn_prof_flags. */
void sdn_prof_kernel_done(sdn_kernel_kind kind, const char *fn, sdn_isa isa, uint64_t t0,
                          uint32_t m, uint32_t n, uint32_t k, double flops, double bytes);
/* The GEMM driver's record: C[m×n] += op(A)[m×k]·op(B)[k×n] with the table k. */
void sdn_prof_gemm_done(const sdn_kernels *k, uint64_t t0, size_t m, size_t n, size_t kdim,
                        float alpha, float beta, int bias);

/* Around one model pass (run(), calling thread, outside the parallel region). */
static inline void sdn_prof_step_begin(void)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_armed))
        sdn_prof_step_begin_slow();
}
static inline void sdn_prof_step_end(void)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_armed))
        sdn_prof_step_end_slow();
}
/* A scope (pass, layer phase) on this thread. */
static inline void sdn_prof_enter(int phase, int layer, const char *name)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_RECORD))
        sdn_prof_scope_push(phase, layer, name);
}
static inline void sdn_prof_leave(void)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_RECORD))
        sdn_prof_scope_pop();
}
/* This thread arrives at a barrier of the pass (its wait is derived from the last arrival). */
static inline void sdn_prof_barrier(void)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_RECORD))
        sdn_prof_barrier_slow();
}

/* 64-byte aligned memory for the measuring loops (C11 wants the size a multiple of 64). */
static inline void *sdn_prof_aligned(size_t bytes)
{
    return sdn_aligned_alloc(64, (bytes + 63) & ~(size_t)63);
}

/* ---- the instrumented table (wrap.c) ---- */
/* A copy of `real` whose every kernel is timed; one at a time (not thread-safe). */
const sdn_kernels *sdn_prof_wrap(const sdn_kernels *real);
/* The instrumented table while profiling or verbose, else NULL (read by sdn_kernels_active). */
extern const sdn_kernels *sdn_prof_table;

/* ---- FLOP and byte counts (counts.c) ---- */
const char *sdn_kernel_kind_name(sdn_kernel_kind kind);
/* The kernels.def name of a kernel function ("sdn_f32_velu__avx2"), or "?" */
const char *sdn_kernel_fn_name(const void *fn);
/* Per-element FLOPs of an activation and of its gradient (the reference formula's operations). */
double sdn_act_flops(sdn_activation act, int grad);
double sdn_gemm_flops(size_t m, size_t n, size_t k, float alpha, float beta, int bias);
double sdn_gemm_bytes(size_t m, size_t n, size_t k, float beta, int bias);

/* ---- the recorded threads, for the reports (record.c) ---- */
typedef struct sdn_prof_data {
    sdn_prof_thread **threads;
    int n_threads;
    uint32_t n_steps;   /* kept steps */
    uint64_t tick0;     /* ticks at the first kept step */
    double ns_per_tick; /* measured against CLOCK_MONOTONIC */
    double ticks_per_second;
    int omp_threads;
    int wait, warmup, active;
    size_t n_events;       /* kept records, all threads */
    double record_cost_ns; /* measured cost of one kernel record (timestamps included) */
    double core_rtt_ns[2]; /* core-to-core round trip at the profile's begin and end (0: n/a) */
} sdn_prof_data;
/* The records of the last (or running) profile; valid until the next sdn_profile_begin. */
const sdn_prof_data *sdn_prof_records(void);

#endif
