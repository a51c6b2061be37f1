/* The profiler's internals: the event record, the per-thread buffers, and the hooks the model pass
 * and the GEMM driver call. Every hook is one predictable branch on a global flag while no
 * profile runs. The record types are public (simdnn_profile.h): the reports read them. */
#ifndef SDN_PROF_H
#define SDN_PROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "kernels.h"
#include "simdnn_profile.h"

#define SDN_PROF_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* sdn_prof_flags: what the instrumented kernels do. */
enum { SDN_PROF_RECORD = 1, SDN_PROF_VERBOSE = 2, SDN_PROF_CAPTURE = 4 };
/* SDN_PROF_CAPTURE: the next kernel call's counts, for a probe (probe.c) */
extern double sdn_prof_capture_flops, sdn_prof_capture_bytes;
extern int sdn_prof_flags;
/* A profile has begun (its schedule decides which steps set SDN_PROF_RECORD). */
extern int sdn_prof_armed;

#define SDN_PROF_MAX_DEPTH 16

/* A thread's buffer: the public view first, then the recording state. */
typedef struct sdn_prof_thread_rec {
    sdn_prof_thread pub;
    size_t cap, step_cap;
    struct {
        uint64_t t0;
        int16_t layer;
        uint8_t phase;
        char name[32];
        uint32_t folded; /* short calls folded into this scope */
        double folded_flops, folded_bytes;
        sdn_prof_counters ctr; /* the pass scope: counters at its start */
    } stack[SDN_PROF_MAX_DEPTH];
    int depth;
    uint32_t barrier_seq;
    void *counters;          /* this thread's open counters (src/platform/counters.h) */
    unsigned counters_mask;  /* which of them opened */
    char counters_note[160]; /* why the others did not */
    int counters_tried;
} sdn_prof_thread_rec;

/* ---- hooks (record.c) ---- */
void sdn_prof_step_begin_slow(void);
void sdn_prof_step_end_slow(void);
void sdn_prof_scope_push(int phase, int layer, const char *name);
void sdn_prof_scope_pop(void);
void sdn_prof_barrier_slow(void);
/* A kept training pass on several threads moved these bytes between them (model_pass.c, while
 * recording, outside the parallel region). */
void sdn_prof_note_traffic(double weights, double activations, double partials, int staged);
/* This thread waited from t0 to now at a barrier inside a layer or for a stage's hand-over (kind:
 * SDN_BARRIER_LAYER or SDN_BARRIER_HANDOVER; layers/layer.c, while recording). */
void sdn_prof_wait_done(int kind, uint64_t t0);
/* The start of a kernel call: the counter's ticks (and, when counting per kernel, the thread's
 * counters). */
uint64_t sdn_prof_kernel_begin(void);
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
/* The kernels.def name of a kernel function ("sdn_f32_velu__avx2"), or "?" */
const char *sdn_kernel_fn_name(const void *fn);
/* Per-element FLOPs of an activation and of its gradient (the reference formula's operations). */
double sdn_act_flops(sdn_activation act, int grad);
double sdn_gemm_flops(size_t m, size_t n, size_t k, float alpha, float beta, int bias);
double sdn_gemm_bytes(size_t m, size_t n, size_t k, float beta, int bias);

/* The records (record.c): the public view. */
static inline const sdn_prof_data *sdn_prof_records(void)
{
    return sdn_profile_records();
}
/* The thread's GEMM tile per ISA, for the records (probe.c). */
void sdn_prof_fill_tiles(sdn_prof_data *d);

#endif
