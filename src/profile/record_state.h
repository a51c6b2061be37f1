/* What record.c and schedule.c share: the records, the schedule's state and the thread buffers.
 * Internal to src/profile/. */
#ifndef SDN_PROF_RECORD_STATE_H
#define SDN_PROF_RECORD_STATE_H

#include "prof.h"

typedef struct sdn_prof_rec_state {
    unsigned generation;   /* bumped by each begin: thread buffers re-register */
    uint32_t current_step; /* the kept step being recorded */
    uint64_t fold_ticks;   /* kernel calls shorter than this fold into their caller */
    int counters_mode;     /* SDN_COUNTERS_* of the running profile */
} sdn_prof_rec_state;

extern sdn_prof_data sdn_prof_rec_data;
extern sdn_prof_rec_state sdn_prof_rec;

/* This thread's buffer, registered in the running profile on first use (NULL: no room). */
sdn_prof_thread_rec *sdn_prof_self(void);
/* A new profile: every thread registers again. */
void sdn_prof_reset_threads(void);
/* Drops every thread's records (the warm-up steps'). */
void sdn_prof_discard_records(void);
/* SIMDNN_VERBOSE's line for one kernel call (verbose.c). */
void sdn_prof_verbose_line(sdn_kernel_kind kind, const char *fn, sdn_isa isa, double ms, uint32_t m,
                           uint32_t n, uint32_t k, double flops, double bytes);
/* SIMDNN_VERBOSE: the dispatch decisions (verbose.c). */
void sdn_prof_print_dispatch(FILE *out);

#endif
