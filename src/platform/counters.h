/* Per-thread counters for the profiler: task-clock, context switches and migrations (software
 * events, which work in VMs without a PMU), and cycles, instructions, L1d and LLC misses where
 * the host exposes its PMU. Linux: perf_event_open (counters_linux.c); elsewhere none
 * (counters_none.c). */
#ifndef SDN_PLATFORM_COUNTERS_H
#define SDN_PLATFORM_COUNTERS_H

#include "simdnn_profile.h"

/* Opens the calling thread's counters (counting only this thread); NULL when none opened. The
 * mask of those that did goes to *mask; why others did not, to note (may stay empty). */
void *sdn_counters_open(unsigned *mask, char *note, size_t note_size);
/* Reads them into out (absent ones 0): one or two system calls. */
void sdn_counters_read(void *counters, sdn_prof_counters *out);
void sdn_counters_close(void *counters);

#endif
