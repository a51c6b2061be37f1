/* Shared test helpers: per-ISA test expansion, double-precision comparisons, deterministic data. */
#ifndef SDN_TESTUTIL_H
#define SDN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernels.h"
#include "simdnn.h"
#include "simdnn_profile.h"

extern const sdn_isa sdn_test_isa_list[SDN_ISA_COUNT];

/* Expands to one cmocka test per ISA, named "f[isa]"; the test gets its ISA through *state. */
#define SDN_TEST_EACH_ISA(f)                                                                       \
    {#f "[ref]", f, NULL, NULL, (void *)&sdn_test_isa_list[SDN_ISA_REF]},                          \
        {#f "[avx2]", f, NULL, NULL, (void *)&sdn_test_isa_list[SDN_ISA_AVX2]},                    \
        {#f "[avx512]", f, NULL, NULL, (void *)&sdn_test_isa_list[SDN_ISA_AVX512]},                \
    {                                                                                              \
#f "[neon]", f, NULL, NULL, (void *)&sdn_test_isa_list[SDN_ISA_NEON]                       \
    }

/* The kernel table of the test's ISA; skips the test when this CPU or build cannot run it. */
const sdn_kernels *sdn_test_kernels(void **state);
sdn_isa sdn_test_isa(void **state);
/* The reference table (the oracle). */
const sdn_kernels *sdn_test_ref(void);

/* Deterministic pseudo-random floats in [lo, hi) (xorshift; independent of the library's RNG). */
void sdn_test_fill(float *x, size_t n, uint64_t seed, float lo, float hi);
/* malloc'd buffer with `offset` bytes of misalignment from a 64-byte boundary; free with
 * sdn_test_free. */
float *sdn_test_alloc(size_t n, size_t offset_floats);
void sdn_test_free(float *p);

/* Units in the last place between two floats (0 if equal, huge across sign). */
double sdn_test_ulp_diff(float a, double exact);
/* The fp32 rounding allowed to a k-term dot product of values in [-1, 1] against the same in
 * double (the GEMM microkernels and driver). */
double sdn_test_dot_tol(size_t k);

/* Fails naming `what` and the first index where |got − want| > atol + rtol·|want|
 * (NaN must match NaN, infinities must match exactly). */
void sdn_test_assert_close(const char *what, const float *got, const double *want, size_t n,
                           double atol, double rtol);

/* Whether a thread can start on this host: under qemu-user 7.2 (the aarch64 ctest emulator) a
 * clone hangs, so the probe runs in a child process and gives up after two seconds. */
int sdn_test_threads_start(void);

/* This test program's private folder, made on first use under SIMDNN_TEST_DATA (else /tmp) with
 * the given name prefix; NULL if it cannot be made. */
const char *sdn_test_tmpdir(const char *prefix);
/* A cmocka group teardown: removes that folder and everything in it. */
int sdn_test_tmpdir_remove(void **state);

/* ---- profiling */
/* Records `steps` training steps of m on n rows of x and y (a profile kept in memory, no folder);
 * the records, until the next profile. */
const sdn_prof_data *sdn_test_profile_steps(sdn_model *m, const float *x, const int32_t *y,
                                            size_t n, int steps);
/* How many of a thread's records have this type and kind. */
size_t sdn_test_count_records(const sdn_prof_thread *th, int type, int kind);

/* ---- reliability */
/* A whole file, malloc'd and NUL-terminated (free it); *len gets its size. Fails the test if it
 * cannot be read. */
char *sdn_test_read_file(const char *path, size_t *len);
/* Fails the test unless the two files hold the same bytes. */
void sdn_test_assert_same_bytes(const char *one, const char *two);
/* How many entries of folder dir have `part` in their name (-1 if dir cannot be read). */
int sdn_test_count_files(const char *dir, const char *part);
/* Writes n bytes to path (replacing it); fails the test on any error. */
void sdn_test_write_file(const char *path, const void *p, size_t n);
/* A child process running argv[0] (a path) with argv, stdout and stderr appended to log (NULL:
 * inherited); -1 if it cannot start. fork + execv, or CreateProcess on Windows. */
typedef intptr_t sdn_test_proc;
sdn_test_proc sdn_test_spawn(const char *const *argv, const char *log);
/* Waits for it: its exit status, 128 + the signal when one ended it (POSIX), -1 on error. */
int sdn_test_wait(sdn_test_proc p);
/* Kills it at once, with no chance to clean up: SIGKILL, or TerminateProcess with exit status
 * SDN_TEST_KILLED, which sdn_test_wait then reports as on POSIX. */
#define SDN_TEST_KILLED (128 + 9)
void sdn_test_kill(sdn_test_proc p);
/* Ctrl-C: SIGINT, or CTRL_BREAK_EVENT to its process group on Windows (every child of
 * sdn_test_spawn leads one there; a new group ignores CTRL_C_EVENT, the tool handles both).
 * -1 where it cannot be sent (wine without a console: GenerateConsoleCtrlEvent fails). */
int sdn_test_interrupt(sdn_test_proc p);
void sdn_test_sleep(double seconds);
/* ---- end reliability */

#endif
