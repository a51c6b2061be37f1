/* The test hooks of src/testhooks.h, defined here so that they exist in test builds only. */
#include "testhooks.h"
#include "model.h"

int sdn_debug_break_backward;
double sdn_parallel_min_macs = -1.0; /* the host's (thread_costs.c) */
size_t sdn_st_fail_after_bytes;
int sdn_debug_mc_full_passes;
double sdn_debug_slow_thread;
double sdn_debug_thread_away_us;
double sdn_debug_far_round_trip_ns;
double sdn_debug_far_line_ns;
int sdn_debug_winograd;
int sdn_debug_split;
