/* Test hooks: knobs the tests turn to show that a check can fail or to force a code path. They
 * exist in test builds only: tests/testhooks.c defines them in the test support library, and the
 * shipped library holds just weak references, which read as absent (a null address) there.
 * Test code (compiled with SDN_TEST_BUILD) refers to them strongly, which links the definitions. */
#ifndef SDN_TESTHOOKS_H
#define SDN_TESTHOOKS_H

#include <stddef.h>

#if defined(__GNUC__) && !defined(SDN_TEST_BUILD) && !defined(_WIN32)
#define SDN_TEST_HOOK __attribute__((weak))
#else
#define SDN_TEST_HOOK
#endif

/* Breaks a backward pass on purpose (0 = off): 1 scales the first dense layer's kernel gradient
 * by 1.1. */
extern SDN_TEST_HOOK int sdn_debug_break_backward;
/* Forward multiply-adds per batch below which a pass stays on one thread (negative: the host's
 * figure, sdn_pass_parallel_min; a test sets 0 to thread tiny nets). */
extern SDN_TEST_HOOK double sdn_parallel_min_macs;
/* Makes thread 1 of a pass that much slower (0 = off; 1: it takes twice its time), by spinning
 * that much of the time it worked at each meeting inside a layer's forward or backward, weight
 * gradient or update, and at its end: a slower core (a laptop's efficiency core), for the shares'
 * tests and the bench (sdn_slow_core_start in layers/layer.h). */
extern SDN_TEST_HOOK double sdn_debug_slow_thread;
/* Keeps thread 1 of a pass away that many microseconds at its start (0 = off), as when the system
 * hands its core to another program: for the test that such a team gives way to one thread. */
extern SDN_TEST_HOOK double sdn_debug_thread_away_us;
/* Pretends the pass's cores sit apart (0 = off): a line takes this round trip between them, so
 * every meeting of a pass costs two of them, and each line that crosses costs
 * sdn_debug_far_line_ns; the thresholds see the same figures. For the far-apart simulation
 * (benchmarks/bench_sim_hosts.cc, the test of the thresholds). */
extern SDN_TEST_HOOK double sdn_debug_far_round_trip_ns;
extern SDN_TEST_HOOK double sdn_debug_far_line_ns;
/* How every training pass on a team splits its work (0: as the verdict says; 1: rows; 2: stages,
 * where the pass can stage): the tests compare the splits' bits, the bench times each. */
extern SDN_TEST_HOOK int sdn_debug_split;
/* When nonzero, the safetensors writer fails with ENOSPC after this many bytes: tests use it to
 * show that an existing file survives a failed write. */
extern SDN_TEST_HOOK size_t sdn_st_fail_after_bytes;

/* 1 makes MC Dropout run every sample as a full pass (the reference for the test that
 * computing the layers before the first dropout once per batch changes no bit). */
extern SDN_TEST_HOOK int sdn_debug_mc_full_passes;

/* Which Conv2D layers run Winograd F(2×2, 3×3) (0: the library's choice; 1: every stride-1 3×3
 * layer, whatever its channels; −1: none, im2col everywhere), read at compile: the tests compare
 * the two paths and check the Winograd one's gradients on small shapes. */
extern SDN_TEST_HOOK int sdn_debug_winograd;

/* The hook's value, or `otherwise` where it does not exist (the shipped library). A Windows DLL
 * cannot hold an undefined weak reference: there the library defines the hooks inert, in an
 * archive member of their own (testhooks_pe.c) that a test's own definitions displace. */
#ifdef _WIN32
#define SDN_HOOK(name, otherwise) (name)
#else
#define SDN_HOOK(name, otherwise) (&(name) ? (name) : (otherwise))
#endif

#endif
