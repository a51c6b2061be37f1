/* The host layer on Windows (MinGW-w64; Windows 7 and later): UTF-8 paths through the wide-char
 * calls, aligned blocks staggered across the cache's sets, QueryPerformanceCounter, fiber-local
 * storage for thread-exit hooks, GetLogicalProcessorInformationEx for caches, MoveFileExW for
 * atomic replace, and SetConsoleCtrlHandler for Ctrl-C. */
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h> /* first: psapi.h and shellapi.h need its types */

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <psapi.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "platform/platform.h"

/* errno for the Win32 errors a file call meets. */
static int errno_of(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
        return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ENOMEM;
    case ERROR_FILENAME_EXCED_RANGE:
        return ENAMETOOLONG;
    case ERROR_INVALID_NAME:
        return EINVAL;
    default:
        return EIO;
    }
}

/* A UTF-8 string as UTF-16: in buf (WPATH wide chars) when it fits, so that a path costs no
 * allocation (as stat and open need none on POSIX), else malloc'd; release with unwiden. NULL
 * with errno EINVAL (not UTF-8) or ENOMEM. */
enum { WPATH = 1024 };
static wchar_t *widen_in(const char *s, wchar_t *buf)
{
    const int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) {
        errno = EINVAL;
        return NULL;
    }
    wchar_t *w = n <= WPATH ? buf : malloc((size_t)n * sizeof *w);
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

static void unwiden(wchar_t *w, const wchar_t *buf)
{
    if (w != buf)
        free(w);
}

static char *narrow(const wchar_t *w)
{
    const int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n) : NULL;
    if (s)
        WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

/* Not _aligned_malloc: blocks of 64 KiB and more come from VirtualAlloc at 64 KiB boundaries, so
 * every flat buffer (weights, gradients, both moments) would start at one offset within the
 * cache's sets, and the optimizer's four streams would evict one another. Each large block starts
 * a different number of cache lines in instead (33 lines apart: distinct modulo 4 KiB and 64 KiB
 * for 32 blocks in a row), as mmap's page-granular blocks do on Linux. The block malloc gave is
 * kept just before the pointer. */
void *sdn_aligned_alloc(size_t align, size_t bytes)
{
    static volatile LONG blocks;
    if (align < sizeof(void *))
        align = sizeof(void *);
    size_t color = 0;
    if (bytes >= 65536)
        color = (size_t)(InterlockedIncrement(&blocks) % 32) * 33 * 64;
    color = (color + align - 1) / align * align;
    char *raw = malloc(bytes + align - 1 + sizeof(void *) + color);
    if (!raw)
        return NULL;
    uintptr_t p = ((uintptr_t)raw + sizeof(void *) + align - 1) & ~(uintptr_t)(align - 1);
    p += color;
    ((void **)p)[-1] = raw;
    return (void *)p;
}

void sdn_aligned_free(void *p)
{
    if (p)
        free(((void **)p)[-1]);
}

uint64_t sdn_monotonic_ns(void)
{
    static LARGE_INTEGER freq;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    const uint64_t f = (uint64_t)freq.QuadPart, t = (uint64_t)c.QuadPart;
    return t / f * 1000000000u + t % f * 1000000000u / f; /* no overflow of t * 1e9 */
}

int sdn_os_cpu_count(void)
{
    DWORD_PTR process, system;
    if (GetProcessAffinityMask(GetCurrentProcess(), &process, &system) && process) {
        int n = 0;
        for (; process; process &= process - 1)
            n++;
        return n;
    }
    const DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    return n ? (int)n : 1;
}

void sdn_os_yield(void)
{
    SwitchToThread();
}

long sdn_os_thread_id(void)
{
    return (long)GetCurrentThreadId();
}

/* Fiber-local storage calls its callback at thread exit, as a pthread key's destructor. The
 * callback is WINAPI, the destructor cdecl: the same convention on x86-64, but a trampoline keeps
 * the types honest. */
enum { TLS_KEYS = 4 };
static void (*tls_destructors[TLS_KEYS])(void *);
static LONG tls_used;
#define TLS_TRAMPOLINE(i)                                                                          \
    static VOID WINAPI tls_exit_##i(PVOID v)                                                       \
    {                                                                                              \
        if (v && tls_destructors[i])                                                               \
            tls_destructors[i](v);                                                                 \
    }
TLS_TRAMPOLINE(0)
TLS_TRAMPOLINE(1)
TLS_TRAMPOLINE(2)
TLS_TRAMPOLINE(3)
static PFLS_CALLBACK_FUNCTION const tls_trampolines[TLS_KEYS] = {tls_exit_0, tls_exit_1, tls_exit_2,
                                                                 tls_exit_3};

int sdn_tls_key_create(sdn_tls_key *key, void (*destructor)(void *))
{
    const LONG i = InterlockedIncrement(&tls_used) - 1;
    if (i >= TLS_KEYS)
        return EAGAIN;
    tls_destructors[i] = destructor;
    const DWORD k = FlsAlloc(tls_trampolines[i]);
    if (k == FLS_OUT_OF_INDEXES)
        return EAGAIN;
    *key = (sdn_tls_key)k;
    return 0;
}

void sdn_tls_set(sdn_tls_key key, void *value)
{
    FlsSetValue((DWORD)key, value);
}

/* ---- caches ---- */

size_t sdn_os_cache_size(int level, const char **source)
{
    DWORD len = 0;
    GetLogicalProcessorInformationEx(RelationCache, NULL, &len);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || !len)
        return 0;
    char *buf = malloc(len);
    size_t size = 0;
    if (buf && GetLogicalProcessorInformationEx(
                   RelationCache, (PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX)buf, &len)) {
        for (DWORD at = 0; at < len;) {
            const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *e =
                (const SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *)(buf + at);
            if (e->Relationship == RelationCache && e->Cache.Level == level &&
                (e->Cache.Type == CacheData || e->Cache.Type == CacheUnified)) {
                size = e->Cache.CacheSize;
                *source = "GetLogicalProcessorInformationEx";
                break;
            }
            if (!e->Size)
                break;
            at += e->Size;
        }
    }
    free(buf);
    return size;
}

int sdn_os_has_neon(void)
{
#if defined(__aarch64__) /* Windows on Arm: Advanced SIMD is baseline */
    return 1;
#else
    return 0;
#endif
}

void sdn_os_cpu_brand(char *buf, size_t size)
{
    buf[0] = 0;
    (void)size;
}

/* ---- files ---- */

/* Binary unless "t" is asked for: a text file simdnn writes has the same bytes (LF) on every host,
 * and reading one written elsewhere sees them as they are. */
FILE *sdn_fopen(const char *path, const char *mode)
{
    char m[16];
    snprintf(m, sizeof m, "%s%s", mode, strchr(mode, 'b') || strchr(mode, 't') ? "" : "b");
    wchar_t bp[WPATH], bm[WPATH];
    wchar_t *wpath = widen_in(path, bp), *wmode = widen_in(m, bm);
    FILE *f = wpath && wmode ? _wfopen(wpath, wmode) : NULL;
    const int err = errno;
    unwiden(wpath, bp);
    unwiden(wmode, bm);
    errno = err;
    return f;
}

sdn_path_kind sdn_path_kind_of(const char *path)
{
    wchar_t buf[WPATH], *w = widen_in(path, buf);
    const DWORD a = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
    unwiden(w, buf);
    if (a == INVALID_FILE_ATTRIBUTES)
        return SDN_PATH_NONE;
    if (a & FILE_ATTRIBUTE_DIRECTORY)
        return SDN_PATH_DIR;
    return a & FILE_ATTRIBUTE_DEVICE ? SDN_PATH_OTHER : SDN_PATH_FILE;
}

int64_t sdn_file_size(FILE *f)
{
    struct _stati64 st;
    if (_fstati64(_fileno(f), &st) != 0 || (st.st_mode & _S_IFMT) != _S_IFREG)
        return -1;
    return (int64_t)st.st_size;
}

int sdn_memfile_open(sdn_memfile *m)
{
    *m = (sdn_memfile){NULL, NULL, 0};
    wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
    if (!GetTempPathW(MAX_PATH + 1, dir) || !GetTempFileNameW(dir, L"sdn", 0, name))
        return errno_of(GetLastError());
    m->f = _wfopen(name, L"w+bTD"); /* T: kept in memory if it can, D: deleted on close */
    if (!m->f) {
        const int err = errno;
        DeleteFileW(name);
        return err;
    }
    return 0;
}

int sdn_memfile_close(sdn_memfile *m)
{
    int err = 0;
    long n = 0;
    if (fflush(m->f) != 0 || fseek(m->f, 0, SEEK_END) != 0 || (n = ftell(m->f)) < 0 ||
        fseek(m->f, 0, SEEK_SET) != 0)
        err = errno ? errno : EIO;
    if (!err && !(m->buf = malloc((size_t)n + 1)))
        err = ENOMEM;
    if (!err && fread(m->buf, 1, (size_t)n, m->f) != (size_t)n)
        err = EIO;
    if (m->buf) {
        m->buf[err ? 0 : n] = 0;
        m->len = err ? 0 : (size_t)n;
    }
    fclose(m->f);
    m->f = NULL;
    return err;
}

int sdn_mkdir(const char *path)
{
    wchar_t buf[WPATH], *w = widen_in(path, buf);
    if (!w)
        return errno;
    const int ok = CreateDirectoryW(w, NULL);
    const DWORD e = GetLastError();
    unwiden(w, buf);
    if (ok)
        return 0;
    if (e == ERROR_ALREADY_EXISTS || e == ERROR_ACCESS_DENIED) /* "C:\" gives access denied */
        return sdn_path_kind_of(path) == SDN_PATH_DIR ? 0
               : e == ERROR_ACCESS_DENIED             ? EACCES
                                                      : ENOTDIR;
    return errno_of(e);
}

int sdn_remove(const char *path)
{
    wchar_t buf[WPATH], *w = widen_in(path, buf);
    if (!w)
        return errno;
    const int ok = DeleteFileW(w);
    const DWORD e = GetLastError();
    unwiden(w, buf);
    return ok ? 0 : errno_of(e);
}

FILE *sdn_create_temp(const char *path, char *tmp, size_t tmp_size)
{
    static volatile LONG counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        const unsigned long id = (unsigned long)InterlockedIncrement(&counter);
        if (snprintf(tmp, tmp_size, "%s.tmp.%lu.%lu", path, (unsigned long)GetCurrentProcessId(),
                     id) >= (int)tmp_size) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        wchar_t buf[WPATH], *w = widen_in(tmp, buf);
        if (!w)
            return NULL;
        const int fd = _wopen(w, _O_CREAT | _O_EXCL | _O_WRONLY | _O_BINARY, _S_IREAD | _S_IWRITE);
        const int err = errno;
        unwiden(w, buf);
        if (fd >= 0) {
            FILE *f = _fdopen(fd, "wb");
            if (!f) {
                const int e2 = errno;
                _close(fd);
                sdn_remove(tmp);
                errno = e2;
            }
            return f;
        }
        if (err != EEXIST) {
            errno = err;
            return NULL;
        }
    }
    errno = EEXIST;
    return NULL;
}

int sdn_file_sync(FILE *f)
{
    if (fflush(f) != 0)
        return errno;
    const HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
    if (h == INVALID_HANDLE_VALUE)
        return EBADF;
    return FlushFileBuffers(h) ? 0 : errno_of(GetLastError());
}

int sdn_replace_file(const char *tmp, const char *path)
{
    wchar_t bt[WPATH], bp[WPATH];
    wchar_t *wt = widen_in(tmp, bt), *wp = widen_in(path, bp);
    int err = 0;
    if (!wt || !wp)
        err = errno;
    else if (!MoveFileExW(wt, wp, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        err = errno_of(GetLastError());
    unwiden(wt, bt);
    unwiden(wp, bp);
    return err;
}

/* ---- the console and the process ---- */

static void (*volatile interrupt_fn)(void);

/* Runs on a thread of its own that Windows starts; returning FALSE lets the next handler (the
 * default one: ExitProcess) act, which is what a second Ctrl-C does. */
static BOOL WINAPI on_ctrl(DWORD event)
{
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT)
        return FALSE;
    void (*fn)(void) = interrupt_fn;
    interrupt_fn = NULL;
    if (!fn)
        return FALSE;
    fn();
    return TRUE;
}

void sdn_on_interrupt(void (*fn)(void))
{
    static int installed;
    interrupt_fn = fn;
    if (fn && !installed)
        installed = SetConsoleCtrlHandler(on_ctrl, TRUE);
}

void sdn_os_write_stderr(const char *msg, size_t n)
{
    DWORD written;
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), msg, (DWORD)n, &written, NULL);
}

int sdn_is_terminal(FILE *f)
{
    return _isatty(_fileno(f));
}

double sdn_peak_rss_mb(void)
{
    PROCESS_MEMORY_COUNTERS pmc;
    if (!K32GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc))
        return 0;
    return (double)pmc.PeakWorkingSetSize / (1024.0 * 1024.0);
}

void sdn_malloc_return_big_blocks(void) {}

int sdn_fork_run(int (*fn)(void *), void *arg)
{
    (void)fn;
    (void)arg;
    return ENOSYS;
}

int sdn_wait_child(void)
{
    return -1;
}

void sdn_args_utf8(int *argc, char ***argv)
{
    int n = 0;
    wchar_t **w = CommandLineToArgvW(GetCommandLineW(), &n);
    if (!w)
        return;
    char **a = calloc((size_t)n + 1, sizeof *a); /* kept for the process's life, as argv */
    for (int i = 0; a && i < n; i++)
        if (!(a[i] = narrow(w[i]))) {
            a = NULL; /* out of memory: keep the C runtime's */
            break;
        }
    LocalFree(w);
    if (a) {
        *argc = n;
        *argv = a;
    }
}

#endif
