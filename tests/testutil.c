/* Shared test helpers (see testutil.h). */
#define _GNU_SOURCE /* nftw, mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#endif

#include "platform/platform.h"
#include "testutil.h"

const sdn_isa sdn_test_isa_list[SDN_ISA_COUNT] = {SDN_ISA_REF, SDN_ISA_AVX2, SDN_ISA_AVX512,
                                                  SDN_ISA_NEON};

sdn_isa sdn_test_isa(void **state)
{
    return *(const sdn_isa *)*state;
}

const sdn_kernels *sdn_test_kernels(void **state)
{
    sdn_isa isa = sdn_test_isa(state);
    const sdn_kernels *k = sdn_kernels_for(isa);
    if (!k) {
        print_message("[  SKIP    ] %s: this CPU or build cannot run it\n", sdn_isa_name(isa));
        skip();
    }
    return k;
}

const sdn_kernels *sdn_test_ref(void)
{
    return sdn_kernels_for(SDN_ISA_REF);
}

void sdn_test_fill(float *x, size_t n, uint64_t seed, float lo, float hi)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        x[i] = lo + (hi - lo) * (float)((s >> 40) * (1.0 / 16777216.0));
    }
}

float *sdn_test_alloc(size_t n, size_t offset_floats)
{
    size_t bytes = (n + offset_floats + 16) * sizeof(float) + 64;
    char *raw = malloc(bytes + sizeof(void *));
    assert_non_null(raw);
    uintptr_t base = ((uintptr_t)raw + sizeof(void *) + 63) & ~(uintptr_t)63;
    float *p = (float *)base + offset_floats;
    memcpy((char *)p - sizeof raw, &raw, sizeof raw); /* room before p by construction */
    return p;
}

void sdn_test_free(float *p)
{
    if (p) {
        void *raw;
        memcpy(&raw, (char *)p - sizeof raw, sizeof raw);
        free(raw);
    }
}

double sdn_test_dot_tol(size_t k)
{
    return 2e-6 * (double)(k + 4);
}

double sdn_test_ulp_diff(float a, double exact)
{
    if (isnan(a) || isnan(exact))
        return isnan(a) && isnan(exact) ? 0 : INFINITY;
    float e = (float)exact;
    if (a == e)
        return 0;
    if (isinf(a) || isinf(e))
        return INFINITY;
    /* Distance in units of the ulp at the exact value's magnitude. */
    double ulp = nextafterf(fabsf(e), INFINITY) - fabsf(e);
    if (e == 0)
        ulp = 1.4e-45;
    return fabs((double)a - exact) / ulp;
}

void sdn_test_assert_close(const char *what, const float *got, const double *want, size_t n,
                           double atol, double rtol)
{
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i];
        int ok;
        if (isnan(w))
            ok = isnan(g);
        else if (isinf(w))
            ok = g == w;
        else
            ok = fabs(g - w) <= atol + rtol * fabs(w);
        if (!ok)
            fail_msg("%s: element %zu is %.9g, expected %.9g (atol %g, rtol %g)", what, i, g, w,
                     atol, rtol);
    }
}

#ifndef _WIN32
static void *probe_thread(void *arg)
{
    return arg;
}

int sdn_test_threads_start(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, probe_thread, NULL) != 0)
            _exit(1);
        pthread_join(t, NULL);
        _exit(0);
    }
    if (pid < 0)
        return 0;
    for (int i = 0; i < 40; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) && WEXITSTATUS(st) == 0;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}

static char tmp_root[512];

const char *sdn_test_tmpdir(const char *prefix)
{
    if (!tmp_root[0]) {
        const char *base = getenv("SIMDNN_TEST_DATA");
        snprintf(tmp_root, sizeof tmp_root, "%s/%s_XXXXXX", base && base[0] ? base : "/tmp",
                 prefix);
        if (!mkdtemp(tmp_root)) {
            tmp_root[0] = 0;
            return NULL;
        }
    }
    return tmp_root;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int sdn_test_tmpdir_remove(void **state)
{
    (void)state;
    if (tmp_root[0])
        nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmp_root[0] = 0;
    return 0;
}

#else
/* Windows: threads start (no qemu), and the test folder is made and removed with the host layer
 * and FindFirstFileW (names in UTF-16, as the library writes them). */
int sdn_test_threads_start(void)
{
    return 1;
}

static char tmp_root[512];

const char *sdn_test_tmpdir(const char *prefix)
{
    if (!tmp_root[0]) {
        const char *base = getenv("SIMDNN_TEST_DATA");
        if (!base || !base[0])
            base = getenv("TEMP");
        for (unsigned i = 0; i < 1000; i++) {
            snprintf(tmp_root, sizeof tmp_root, "%s/%s_%lu_%u", base && base[0] ? base : ".",
                     prefix, (unsigned long)GetCurrentProcessId(), i);
            if (sdn_path_kind_of(tmp_root) == SDN_PATH_NONE && sdn_mkdir(tmp_root) == 0)
                return tmp_root;
        }
        tmp_root[0] = 0;
        return NULL;
    }
    return tmp_root;
}

static void remove_tree(const wchar_t *dir)
{
    wchar_t pattern[1024];
    swprintf(pattern, 1024, L"%ls/*", dir);
    WIN32_FIND_DATAW e;
    HANDLE h = FindFirstFileW(pattern, &e);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (!wcscmp(e.cFileName, L".") || !wcscmp(e.cFileName, L".."))
                continue;
            wchar_t path[1024];
            swprintf(path, 1024, L"%ls/%ls", dir, e.cFileName);
            if (e.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                remove_tree(path);
            else
                DeleteFileW(path);
        } while (FindNextFileW(h, &e));
        FindClose(h);
    }
    RemoveDirectoryW(dir);
}

int sdn_test_tmpdir_remove(void **state)
{
    (void)state;
    wchar_t w[1024];
    if (tmp_root[0] && MultiByteToWideChar(CP_UTF8, 0, tmp_root, -1, w, 1024) > 0)
        remove_tree(w);
    tmp_root[0] = 0;
    return 0;
}

#endif

/* ---- profiling */
const sdn_prof_data *sdn_test_profile_steps(sdn_model *m, const float *x, const int32_t *y,
                                            size_t n, int steps)
{
    sdn_profile_options opts = {NULL, 0, 0, steps, SDN_TRACE_AUTO, SDN_COUNTERS_THREAD};
    assert_int_equal(sdn_profile_begin(&opts), SDN_OK);
    for (int s = 0; s < steps; s++)
        assert_int_equal(sdn_model_train_batch(m, x, y, n, NULL, NULL), SDN_OK);
    assert_int_equal(sdn_profile_end(), SDN_OK);
    return sdn_profile_records();
}

size_t sdn_test_count_records(const sdn_prof_thread *th, int type, int kind)
{
    size_t count = 0;
    for (size_t j = 0; j < th->n; j++)
        count += th->ev[j].type == type && th->ev[j].kind == kind;
    return count;
}

/* ---- reliability */
char *sdn_test_read_file(const char *path, size_t *len)
{
    FILE *f = sdn_fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *p = malloc((size_t)(n > 0 ? n : 0) + 1);
    assert_non_null(p);
    *len = fread(p, 1, (size_t)(n > 0 ? n : 0), f);
    fclose(f);
    assert_int_equal(*len, (size_t)(n > 0 ? n : 0));
    p[*len] = 0;
    return p;
}

void sdn_test_assert_same_bytes(const char *one, const char *two)
{
    size_t n1, n2;
    char *a = sdn_test_read_file(one, &n1), *b = sdn_test_read_file(two, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

int sdn_test_count_files(const char *dir, const char *part)
{
    int n = 0;
#ifdef _WIN32
    char pattern[1024];
    wchar_t wpattern[1024], wpart[256];
    snprintf(pattern, sizeof pattern, "%s/*", dir);
    if (!MultiByteToWideChar(CP_UTF8, 0, pattern, -1, wpattern, 1024) ||
        !MultiByteToWideChar(CP_UTF8, 0, part, -1, wpart, 256))
        return -1;
    WIN32_FIND_DATAW e;
    HANDLE h = FindFirstFileW(wpattern, &e);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    do
        n += wcsstr(e.cFileName, wpart) != NULL;
    while (FindNextFileW(h, &e));
    FindClose(h);
#else
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += strstr(e->d_name, part) != NULL;
    closedir(d);
#endif
    return n;
}

void sdn_test_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = sdn_fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}
#ifdef _WIN32
/* argv as one command line, each argument quoted (the tests' arguments hold no quotes). */
sdn_test_proc sdn_test_spawn(const char *const *argv, const char *log)
{
    char cmd[8192] = "";
    for (int i = 0; argv[i]; i++) {
        const size_t n = strlen(cmd);
        snprintf(cmd + n, sizeof cmd - n, "%s\"%s\"", i ? " " : "", argv[i]);
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE out = INVALID_HANDLE_VALUE;
    if (log) {
        out = CreateFileA(log, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                          OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (out == INVALID_HANDLE_VALUE)
            return -1;
    }
    STARTUPINFOW si = {.cb = sizeof si};
    if (log) {
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = si.hStdError = out;
    }
    /* The command line in UTF-16: the child reads its arguments as UTF-8 again (sdn_args_utf8),
     * whatever the ANSI code page. */
    static wchar_t wcmd[8192];
    PROCESS_INFORMATION pi;
    fflush(NULL);
    const BOOL ok = MultiByteToWideChar(CP_UTF8, 0, cmd, -1, wcmd, 8192) > 0 &&
                    CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_NEW_PROCESS_GROUP, NULL,
                                   NULL, &si, &pi);
    if (log)
        CloseHandle(out);
    if (!ok)
        return -1;
    CloseHandle(pi.hThread);
    return (sdn_test_proc)pi.hProcess;
}

int sdn_test_wait(sdn_test_proc p)
{
    DWORD code;
    const HANDLE h = (HANDLE)p;
    if (WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0 || !GetExitCodeProcess(h, &code))
        code = (DWORD)-1;
    CloseHandle(h);
    return (int)code;
}

void sdn_test_kill(sdn_test_proc p)
{
    TerminateProcess((HANDLE)p, SDN_TEST_KILLED);
}

int sdn_test_interrupt(sdn_test_proc p)
{
    return GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, GetProcessId((HANDLE)p)) ? 0 : -1;
}

void sdn_test_sleep(double seconds)
{
    Sleep((DWORD)(seconds * 1000));
}
#else
sdn_test_proc sdn_test_spawn(const char *const *argv, const char *log)
{
    fflush(NULL);
    const pid_t pid = fork();
    if (pid == 0) {
        int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

int sdn_test_wait(sdn_test_proc p)
{
    int st;
    if (waitpid((pid_t)p, &st, 0) != (pid_t)p)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void sdn_test_kill(sdn_test_proc p)
{
    kill((pid_t)p, SIGKILL);
}

int sdn_test_interrupt(sdn_test_proc p)
{
    return kill((pid_t)p, SIGINT);
}

void sdn_test_sleep(double seconds)
{
    nanosleep(&(struct timespec){(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)}, NULL);
}
#endif
/* ---- end reliability */
