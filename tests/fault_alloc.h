/* Test-only allocation failure. test_faults is linked with -Wl,--wrap for malloc, calloc, realloc,
 * aligned_alloc, posix_memalign and strdup, so every allocation the (static) library makes passes
 * through fault_alloc.c; nothing of this is in the shipped library. */
#ifndef SDN_FAULT_ALLOC_H
#define SDN_FAULT_ALLOC_H

#include "simdnn.h"

/* From now on, count allocations and make the n-th (0-based) return NULL; n < 0 counts only. */
void sdn_fault_fail_at(long n);
/* Stops counting and failing; returns the number of allocations seen since sdn_fault_fail_at. */
long sdn_fault_disarm(void);
/* Whether the armed failure has happened. */
int sdn_fault_fired(void);

/* Runs op(ctx) with allocation n failing, for n = 0, 1, ... until a run makes no more than n
 * allocations (fault_sweep.c). Each result must be SDN_OK or SDN_ERR_NOMEM with a message about
 * memory; prepare (may be NULL) runs before the fault is armed, check (may be NULL) sees every
 * result. Returns the number of faults injected. */
typedef sdn_status (*sdn_fault_op)(void *ctx);
typedef void (*sdn_fault_check)(void *ctx, sdn_status st);
long sdn_fault_sweep(const char *what, sdn_fault_op prepare, sdn_fault_op op, sdn_fault_check check,
                     void *ctx);

#endif
