/* Test-only allocation failure. test_faults is linked with -Wl,--wrap for malloc, calloc, realloc,
 * aligned_alloc, posix_memalign and strdup, so every allocation the (static) library makes passes
 * through fault_alloc.c; nothing of this is in the shipped library. */
#ifndef SDN_FAULT_ALLOC_H
#define SDN_FAULT_ALLOC_H

/* From now on, count allocations and make the n-th (0-based) return NULL; n < 0 counts only. */
void sdn_fault_fail_at(long n);
/* Stops counting and failing; returns the number of allocations seen since sdn_fault_fail_at. */
long sdn_fault_disarm(void);
/* Whether the armed failure has happened. */
int sdn_fault_fired(void);

#endif
