/* simdnn's kernel profiler: every kernel call of a training step, per thread, with its FLOPs and
 * bytes, against this CPU's calibrated roofs. Three ways in: the CLI's --profile DIR, the
 * environment (SIMDNN_PROFILE=DIR, SIMDNN_VERBOSE=1), and this API. */
#ifndef SIMDNN_PROFILE_H
#define SIMDNN_PROFILE_H

#include "simdnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A schedule in steps, as PyTorch's profiler: `wait` steps are not recorded (first-touch, cold
 * caches), the next `warmup` are recorded and thrown away, the next `active` are kept (0 = every
 * step until sdn_profile_end). A step is one pass of the model: a training step, or one batch of
 * evaluate / predict. */
typedef struct sdn_profile_options {
    const char *dir; /* output folder (created); NULL: keep the records, write nothing */
    int wait, warmup, active;
} sdn_profile_options;

/* wait 2, warmup 1, active 10, dir NULL. */
SDN_API sdn_profile_options sdn_profile_defaults(void);

/* Starts recording. Call it outside any training or inference call; kernels then run through an
 * instrumented copy of the kernel table (results stay bitwise the same). SDN_ERR_STATE if a
 * profile is already running. */
SDN_API sdn_status sdn_profile_begin(const sdn_profile_options *options);
/* Stops recording and, when the options named a folder, writes profile.md, profile.json,
 * profile.csv and trace.json into it (loading or measuring the calibration first). */
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

/* This machine's roofs (FMA peak per ISA and L1/L2/L3/DRAM bandwidth on 1 and all cores, the
 * counter's frequency): the cached calibration, else measured (a few seconds) and cached in
 * $XDG_CACHE_HOME/simdnn (or ~/.cache/simdnn); redo: measure anyway. Printed to out; progress to
 * log (either may be NULL). */
SDN_API sdn_status sdn_profile_calibrate(int redo, FILE *out, FILE *log);

/* Times every kernel of `isa` (SDN_ISA_COUNT: of every ISA this CPU runs) on one thread at the
 * exercise network's shapes (3072 → 20 × 100 → 10) at `batch` rows, and prints the profiler's
 * kernel table (GFLOP/s, GB/s, % of the roof) to out; with dir, also writes the four files
 * there. Progress to log (may be NULL). */
SDN_API sdn_status sdn_profile_kernels(sdn_isa isa, size_t batch, const char *dir, FILE *out,
                                       FILE *log);

/* FLOPs of every kernel call recorded so far in kept steps (all threads); for tests and tools. */
SDN_API double sdn_profile_recorded_flops(void);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_PROFILE_H */
