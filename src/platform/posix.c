/* The host layer on Linux and macOS (POSIX); macOS's own calls (cache sizes through
 * sysctlbyname, no glibc extensions) sit under __APPLE__. */
#ifndef _WIN32
#define _GNU_SOURCE /* sched_getaffinity, syscall */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h> /* mallopt */
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(__linux__)
#include <sys/syscall.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif
#endif

#include "platform/platform.h"

void *sdn_aligned_alloc(size_t align, size_t bytes)
{
    return aligned_alloc(align, (bytes + align - 1) / align * align); /* C11: a multiple of align */
}

void sdn_aligned_free(void *p)
{
    free(p);
}

uint64_t sdn_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sdn_os_cpu_count(void)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
#endif
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void sdn_os_yield(void)
{
    sched_yield();
}

long sdn_os_thread_id(void)
{
#if defined(__linux__)
    return (long)syscall(SYS_gettid);
#elif defined(__APPLE__)
    uint64_t id = 0;
    pthread_threadid_np(pthread_self(), &id);
    return (long)id;
#else
    return (long)(uintptr_t)pthread_self();
#endif
}

int sdn_tls_key_create(sdn_tls_key *key, void (*destructor)(void *))
{
    pthread_key_t k;
    const int err = pthread_key_create(&k, destructor);
    *key = (sdn_tls_key)k;
    return err;
}

void sdn_tls_set(sdn_tls_key key, void *value)
{
    pthread_setspecific((pthread_key_t)key, value);
}

/* ---- caches ---- */

#if defined(__APPLE__)
size_t sdn_os_cache_size(int level, const char **source)
{
    static const char *const names[3] = {"hw.l1dcachesize", "hw.l2cachesize", "hw.l3cachesize"};
    if (level < 1 || level > 3)
        return 0;
    int64_t v = 0;
    size_t len = sizeof v;
    if (sysctlbyname(names[level - 1], &v, &len, NULL, 0) != 0 || v <= 0)
        return 0;
    *source = "sysctlbyname";
    return (size_t)v;
}
#else
static size_t sysconf_cache_size(int level)
{
    long v = -1;
#ifdef _SC_LEVEL1_DCACHE_SIZE /* glibc's extension, with the L2 and L3 names */
    v = sysconf(level == 1 ? _SC_LEVEL1_DCACHE_SIZE
                : level == 2 ? _SC_LEVEL2_CACHE_SIZE
                             : _SC_LEVEL3_CACHE_SIZE);
#else
    (void)level;
#endif
    return v > 0 ? (size_t)v : 0;
}

/* The first cache of `level` and type data/unified, from sysfs; 0 if unknown. */
static size_t sysfs_cache_size(int level)
{
    for (int index = 0; index < 8; index++) {
        char path[96], buf[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
        FILE *f = fopen(path, "r");
        if (!f)
            return 0;
        int lv = fgets(buf, sizeof buf, f) ? atoi(buf) : 0;
        fclose(f);
        if (lv != level)
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
        f = fopen(path, "r");
        if (!f)
            continue;
        int instruction = fgets(buf, sizeof buf, f) && strncmp(buf, "Instruction", 11) == 0;
        fclose(f);
        if (instruction)
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
        f = fopen(path, "r");
        if (!f)
            continue;
        size_t size = 0;
        if (fgets(buf, sizeof buf, f)) {
            char *end;
            size = strtoull(buf, &end, 10);
            if (*end == 'K')
                size <<= 10;
            else if (*end == 'M')
                size <<= 20;
        }
        fclose(f);
        return size;
    }
    return 0;
}

/* sysconf, then sysfs: a VM may hide sysfs's cache entries. */
size_t sdn_os_cache_size(int level, const char **source)
{
    size_t v;
    if ((v = sysconf_cache_size(level)))
        *source = "sysconf";
    else if ((v = sysfs_cache_size(level)))
        *source = "sysfs";
    return v;
}
#endif

int sdn_os_has_neon(void)
{
#if defined(__linux__) && defined(__aarch64__)
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
    return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#elif defined(__aarch64__) /* Apple silicon: Advanced SIMD is baseline */
    return 1;
#else
    return 0;
#endif
}

void sdn_os_cpu_brand(char *buf, size_t size)
{
    buf[0] = 0;
#if defined(__APPLE__)
    size_t len = size;
    if (sysctlbyname("machdep.cpu.brand_string", buf, &len, NULL, 0) != 0)
        buf[0] = 0;
#else
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 || strncmp(line, "CPU part", 8) == 0) {
            const char *v = strchr(line, ':');
            if (v) {
                snprintf(buf, size, "%s", v + 2);
                buf[strcspn(buf, "\n")] = 0;
            }
            break;
        }
    }
    fclose(f);
#endif
}

/* ---- files ---- */

FILE *sdn_fopen(const char *path, const char *mode)
{
    return fopen(path, mode);
}

sdn_path_kind sdn_path_kind_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return SDN_PATH_NONE;
    return S_ISREG(st.st_mode)   ? SDN_PATH_FILE
           : S_ISDIR(st.st_mode) ? SDN_PATH_DIR
                                 : SDN_PATH_OTHER;
}

int64_t sdn_file_size(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (int64_t)st.st_size;
}

int sdn_memfile_open(sdn_memfile *m)
{
    *m = (sdn_memfile){NULL, NULL, 0};
    m->f = open_memstream(&m->buf, &m->len);
    return m->f ? 0 : errno;
}

int sdn_memfile_close(sdn_memfile *m)
{
    const int err = fclose(m->f) == 0 ? 0 : errno ? errno : ENOMEM;
    m->f = NULL;
    return err;
}

int sdn_mkdir(const char *path)
{
    if (mkdir(path, 0777) == 0)
        return 0;
    const int err = errno;
    if (err == EEXIST)
        return sdn_path_kind_of(path) == SDN_PATH_DIR ? 0 : ENOTDIR;
    return err;
}

int sdn_remove(const char *path)
{
    return unlink(path) == 0 ? 0 : errno;
}

FILE *sdn_create_temp(const char *path, char *tmp, size_t tmp_size)
{
    if (snprintf(tmp, tmp_size, "%s.tmp.XXXXXX", path) >= (int)tmp_size) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    const int fd = mkstemp(tmp);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        const int err = errno;
        close(fd);
        unlink(tmp);
        errno = err;
    }
    return f;
}

int sdn_file_sync(FILE *f)
{
    if (fflush(f) != 0)
        return errno;
    return fsync(fileno(f)) == 0 ? 0 : errno;
}

/* Makes a rename itself durable. */
static void sync_folder(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
    int dfd = open(d, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
}

int sdn_replace_file(const char *tmp, const char *path)
{
    if (rename(tmp, path) != 0)
        return errno;
    sync_folder(path);
    return 0;
}

/* ---- the console and the process ---- */

static void (*interrupt_fn)(void);

static void on_sigint(int sig)
{
    (void)sig;
    signal(SIGINT, SIG_DFL);
    if (interrupt_fn)
        interrupt_fn();
}

void sdn_on_interrupt(void (*fn)(void))
{
    interrupt_fn = fn;
    signal(SIGINT, fn ? on_sigint : SIG_DFL);
}

void sdn_os_write_stderr(const char *msg, size_t n)
{
    if (write(STDERR_FILENO, msg, n) < 0) {
    }
}

int sdn_is_terminal(FILE *f)
{
    return isatty(fileno(f));
}

double sdn_peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
#if defined(__APPLE__)
    return (double)ru.ru_maxrss / (1024.0 * 1024.0); /* bytes on macOS */
#else
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
#endif
}

void sdn_malloc_return_big_blocks(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 20); /* instead of glibc's adaptive threshold */
#endif
}

int sdn_fork_run(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    const pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    return pid < 0 ? errno : 0;
}

int sdn_wait_child(void)
{
    int st;
    if (wait(&st) < 0)
        return -1;
    return !WIFEXITED(st) || WEXITSTATUS(st);
}

void sdn_args_utf8(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

#endif
