/* Windows (PE) only: the test hooks of testhooks.h, inert, as tests/testhooks.c defines them. A
 * test that defines them links its own and never pulls this member from libsimdnn.a. */
#ifdef _WIN32
#include <stddef.h>

#include "testhooks.h"

int sdn_debug_break_backward;
double sdn_parallel_min_macs = -1.0; /* the host's (thread_costs.c) */
double sdn_debug_slow_thread;
double sdn_debug_thread_away_us;
double sdn_debug_far_round_trip_ns;
double sdn_debug_far_line_ns;
size_t sdn_st_fail_after_bytes;
int sdn_debug_mc_full_passes;
int sdn_debug_winograd;
int sdn_debug_split;
#else
typedef int sdn_testhooks_pe_empty; /* ISO C wants a declaration in every file */
#endif
