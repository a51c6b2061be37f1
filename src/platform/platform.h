/* The host layer: every call the library and the tool make into the operating system, behind one
 * header. One file per host: posix.c (Linux; macOS's differences inside it) and windows.c. Nothing
 * else in src/ or simd/ includes an OS header (scripts/check-os-headers.sh holds that). Paths are
 * UTF-8 on every host; errors come back as errno values. Not part of the public API. */
#ifndef SDN_PLATFORM_H
#define SDN_PLATFORM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The printf dialect for format checks: MinGW-w64's own printf (gnu_printf), which the build
 * selects, rather than msvcrt's. */
#ifdef __MINGW_PRINTF_FORMAT
#define SDN_PRINTF_FORMAT __MINGW_PRINTF_FORMAT
#else
#define SDN_PRINTF_FORMAT printf
#endif

/* ---- memory ---- */
/* bytes at an address that is a multiple of align (a power of two); released with
 * sdn_aligned_free only (on Windows the block starts before the pointer). */
void *sdn_aligned_alloc(size_t align, size_t bytes);
void sdn_aligned_free(void *p);

/* ---- time ---- */
/* A monotonic clock in ns, from an arbitrary origin. */
uint64_t sdn_monotonic_ns(void);
/* Keeps this thread busy for ns nanoseconds (the test hooks' stand-in for work or waiting). */
static inline void sdn_spin_ns(uint64_t ns)
{
    const uint64_t end = sdn_monotonic_ns() + ns;
    while (sdn_monotonic_ns() < end)
        ;
}

/* ---- threads ---- */
/* Logical processors this process may run on (at least 1). */
int sdn_os_cpu_count(void);
/* Gives the core to another ready thread. */
void sdn_os_yield(void);
/* The OS's id of the calling thread (for traces). */
long sdn_os_thread_id(void);

/* Runs fn exactly once however many threads call; the others wait until it has run. */
typedef struct sdn_once {
    atomic_int state; /* 0 not run, 1 running, 2 done */
} sdn_once;
#define SDN_ONCE_INIT                                                                              \
    {                                                                                              \
        0                                                                                          \
    }
void sdn_call_once(sdn_once *once, void (*fn)(void));

/* A lock for rare, short sections (a registry of threads); waiters yield. */
typedef struct sdn_mutex {
    atomic_flag held;
} sdn_mutex;
#define SDN_MUTEX_INIT                                                                             \
    {                                                                                              \
        ATOMIC_FLAG_INIT                                                                           \
    }
void sdn_mutex_lock(sdn_mutex *m);
void sdn_mutex_unlock(sdn_mutex *m);

/* A thread-local slot whose destructor runs, with the slot's value, when a thread that set it to
 * non-NULL exits (pthread keys; fiber-local storage on Windows). */
typedef uintptr_t sdn_tls_key;
int sdn_tls_key_create(sdn_tls_key *key, void (*destructor)(void *));
void sdn_tls_set(sdn_tls_key key, void *value);

/* ---- the CPU's caches, from the OS (CPUID comes first: simd/cpu.c) ---- */
/* Bytes of the first data or unified cache of `level` (1-3), and which OS interface said so in
 * *source; 0 when the OS does not say. */
size_t sdn_os_cache_size(int level, const char **source);
/* AArch64: whether the OS exposes Advanced SIMD, and the CPU's name (empty if unknown). */
int sdn_os_has_neon(void);
void sdn_os_cpu_brand(char *buf, size_t size);

/* ---- files (UTF-8 paths) ---- */
/* fopen of a UTF-8 path; on Windows in binary mode unless mode has "t", so that text files have
 * the same bytes (LF) on every host. */
FILE *sdn_fopen(const char *path, const char *mode);
typedef enum sdn_path_kind {
    SDN_PATH_NONE,
    SDN_PATH_FILE,
    SDN_PATH_DIR,
    SDN_PATH_OTHER
} sdn_path_kind;
sdn_path_kind sdn_path_kind_of(const char *path);
/* The size of an open regular file; -1 for anything else (a pipe, a folder). */
int64_t sdn_file_size(FILE *f);
/* Creates one folder (its parent must exist); 0 also when it is there already, else errno. */
int sdn_mkdir(const char *path);
/* mkdir -p over '/' (and '\\' on Windows); 0 or errno. */
int sdn_mkdirs(const char *path);
/* 0 or errno. */
int sdn_remove(const char *path);

/* A stream whose bytes end up in memory: write through m->f, then after sdn_memfile_close (0 or
 * an errno value) m->buf holds m->len bytes and a NUL, to free(). open_memstream on POSIX; a
 * temporary file deleted on close, read back, on Windows (which has no memory stream). */
typedef struct sdn_memfile {
    FILE *f;
    char *buf;
    size_t len;
} sdn_memfile;
int sdn_memfile_open(sdn_memfile *m);
int sdn_memfile_close(sdn_memfile *m);

/* Atomic replace: a new file beside `path` (its name, written into tmp of tmp_size bytes, is path
 * plus a unique suffix), flushed to the disk, then moved over path in one step that survives a
 * crash (rename and a sync of the folder; MoveFileExW with MOVEFILE_REPLACE_EXISTING |
 * MOVEFILE_WRITE_THROUGH). Each returns 0 or an errno value (create: NULL, errno set). */
FILE *sdn_create_temp(const char *path, char *tmp, size_t tmp_size);
int sdn_file_sync(FILE *f);
int sdn_replace_file(const char *tmp, const char *path);

/* ---- the console and the process ---- */
/* Ctrl-C calls fn once (from a signal handler, or another thread on Windows: it may only set a
 * flag and call sdn_os_write_stderr); the next Ctrl-C ends the process. NULL restores that. */
void sdn_on_interrupt(void (*fn)(void));
/* Unbuffered write to stderr, safe inside fn above. */
void sdn_os_write_stderr(const char *msg, size_t n);
int sdn_is_terminal(FILE *f);
/* The process's peak resident memory in MiB (0 if unknown). */
double sdn_peak_rss_mb(void);
/* glibc: freed blocks of 1 MiB and more go back to the system (mmap'd), so that a second run in
 * one process does not keep the first one's data; elsewhere nothing. */
void sdn_malloc_return_big_blocks(void);
/* Runs fn(arg) in a child process with a copy of this one's memory (fork), which exits with fn's
 * return; returns 0, or an errno value (ENOSYS on Windows, which cannot fork: SDN_HAVE_FORK). */
int sdn_fork_run(int (*fn)(void *), void *arg);
/* Waits for one child of sdn_fork_run: 0 if it exited with 0, 1 otherwise, -1 if none is left. */
int sdn_wait_child(void);
#ifdef _WIN32
#define SDN_HAVE_FORK 0
#else
#define SDN_HAVE_FORK 1
#endif
/* Windows: replaces argv by the command line in UTF-8 (the C runtime's is in the ANSI code page,
 * which loses characters); elsewhere argv is left as it is. */
void sdn_args_utf8(int *argc, char ***argv);

#endif
