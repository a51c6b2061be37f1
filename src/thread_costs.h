/* The host's cost of splitting work between threads (thread_costs.c; sdn_thread_costs_get in
 * simdnn.h has the measurements). */
#ifndef SDN_THREAD_COSTS_H
#define SDN_THREAD_COSTS_H

/* Forward multiply-adds per batch from which a pass with this many meetings of its threads (its
 * barriers), each of whose threads reads cross_lines 64-byte lines the others wrote, runs faster
 * split than on one thread. */
double sdn_pass_parallel_min(double meetings, double cross_lines);

#endif
