/* Writes that cannot complete fail cleanly and lose nothing: a full device (a file-size limit, a
 * tiny tmpfs when this host lets the test mount one) and a folder the writer may not write; on
 * Windows a full device (a tmpfs the windows suite mounts for it under wine) and a target another
 * program holds open without sharing, so that it cannot be replaced. The previous
 * model.safetensors, checkpoint.safetensors and history files stay byte for byte, no temporary
 * file is left, and the error names the file. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "platform/platform.h"
#include "simdnn_fit.h"
#include "testutil.h"

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("durability");
    assert_non_null(d);
    return d;
}

/* 24 → 64 → 10: about 8 KB of weights, 25 KB with the optimizer slots. */
static sdn_model *model(uint64_t seed)
{
    sdn_net_spec s = {.activation = SDN_ACT_ELU, .init = SDN_INIT_HE_NORMAL};
    s.input_size = 24;
    s.classes = 10;
    s.hidden_layers = 1;
    s.units = 64;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    sdn_model *m = NULL;
    assert_int_equal(sdn_net_build(&s, seed, 8, &o, &m), SDN_OK);
    return m;
}

typedef struct snapshot {
    char *bytes[2];
    size_t len[2];
} snapshot;

static const char *const names[2] = {"model.safetensors", "checkpoint.safetensors"};

/* Writes both files of a run into dir with one model and remembers their bytes. */
static snapshot save_both(const char *dir)
{
    snapshot s;
    sdn_model *m = model(1);
    for (int i = 0; i < 2; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        assert_int_equal(sdn_model_save(m, path, i, NULL, 0, NULL, 0), SDN_OK);
        s.bytes[i] = sdn_test_read_file(path, &s.len[i]);
    }
    sdn_model_free(m);
    return s;
}

/* Both files as they were, still valid safetensors, and no temporary file beside them. */
static void expect_intact(const char *dir, snapshot *s)
{
    for (int i = 0; i < 2; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *now = sdn_test_read_file(path, &len);
        assert_int_equal(len, s->len[i]);
        assert_memory_equal(now, s->bytes[i], len);
        free(now);
        free(s->bytes[i]);
        sdn_safetensors *f;
        assert_int_equal(sdn_safetensors_open(path, &f), SDN_OK);
        sdn_safetensors_close(f);
    }
    assert_int_equal(sdn_test_count_files(dir, ".tmp."), 0);
}

/* Overwrites both files with another model; returns how many saves failed with SDN_ERR_IO and a
 * message naming the file (a success or another error counts as none, and is printed). */
static int overwrite_both(const char *dir)
{
    sdn_model *m = model(2);
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        sdn_status st = sdn_model_save(m, path, i, NULL, 0, NULL, 0);
        if (st == SDN_ERR_IO && strstr(sdn_last_error(), path))
            failed++;
        else
            fprintf(stderr, "save of %s: status %d: %s\n", path, (int)st, sdn_last_error());
    }
    sdn_model_free(m);
    return failed;
}

#ifndef _WIN32
/* Runs overwrite_both in a child after `limit` (the child's exit status is the failure count). */
static int overwrite_in_child(const char *dir, void (*limit)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        limit();
        _exit(overwrite_both(dir));
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* 200 epochs of history: more than the 4 KiB file-size limit below. */
static sdn_fit_state long_history(sdn_epoch_log *rows)
{
    sdn_fit_state st;
    sdn_fit_state_init(&st);
    for (int i = 0; i < 200; i++)
        rows[i] = (sdn_epoch_log){.epoch = i + 1, .loss = 1.0 / (i + 1)};
    st.history = rows;
    st.history_len = st.epochs_done = 200;
    return st;
}

static void small_file_limit(void);

/* The history files are written atomically too: a write that runs out of room fails with an I/O
 * error naming the file and leaves the previous history. (Not /dev/full: an atomic writer puts its
 * temporary file beside the target and renames it over it, which in /dev would replace the device.)
 */
static void history_under_file_limit(void **state)
{
    (void)state;
    char dir[1024], csv[1100], json[1100];
    snprintf(dir, sizeof dir, "%s/history", tmpdir());
    mkdir(dir, 0755);
    snprintf(csv, sizeof csv, "%s/history.csv", dir);
    snprintf(json, sizeof json, "%s/history.json", dir);
    sdn_epoch_log rows[200];
    sdn_fit_state st = long_history(rows);
    st.history_len = st.epochs_done = 2;
    assert_int_equal(sdn_history_write_csv(&st, csv), SDN_OK);
    assert_int_equal(sdn_history_write_json(&st, json), SDN_OK);
    size_t csv_len, json_len;
    char *csv_before = sdn_test_read_file(csv, &csv_len),
         *json_before = sdn_test_read_file(json, &json_len);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        small_file_limit();
        st.history_len = st.epochs_done = 200;
        int failed = sdn_history_write_csv(&st, csv) == SDN_ERR_IO && strstr(sdn_last_error(), csv);
        failed += sdn_history_write_json(&st, json) == SDN_ERR_IO && strstr(sdn_last_error(), json);
        _exit(failed);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    size_t len;
    char *now = sdn_test_read_file(csv, &len);
    assert_int_equal(len, csv_len);
    assert_memory_equal(now, csv_before, len);
    free(now);
    now = sdn_test_read_file(json, &len);
    assert_int_equal(len, json_len);
    assert_memory_equal(now, json_before, len);
    free(now);
    free(csv_before);
    free(json_before);
}

static void small_file_limit(void)
{
    signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG instead of killing the process */
    struct rlimit r = {4096, 4096};
    if (setrlimit(RLIMIT_FSIZE, &r) != 0)
        _exit(99);
}

static void file_size_limit(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fsize", tmpdir());
    mkdir(dir, 0755);
    snapshot s = save_both(dir);
    assert_int_equal(overwrite_in_child(dir, small_file_limit), 2);
    expect_intact(dir, &s);
}

#endif

static char tmpfs_dir[1024];

/* Runs even when the test failed: a mount must never outlive the test. */
static int unmount_tmpfs(void **state)
{
    (void)state;
#ifndef _WIN32
    if (tmpfs_dir[0])
        umount2(tmpfs_dir, MNT_DETACH);
#endif
    tmpfs_dir[0] = 0;
    return 0;
}

static void tiny_tmpfs(void **state)
{
    (void)state;
    char dir[1024];
#ifdef _WIN32
    /* A program under wine cannot mount: the ctest fixture windows_tmpfs mounts a 64 KiB tmpfs
     * on the Linux side and names it (wine sees it through its Z: drive). */
    const char *mounted = getenv("SIMDNN_TEST_TMPFS");
    if (!mounted || !mounted[0]) {
        printf("tiny_tmpfs: SIMDNN_TEST_TMPFS names no tmpfs: skipped\n");
        skip();
    }
    snprintf(dir, sizeof dir, "%s/.mounted", mounted);
    if (sdn_path_kind_of(dir) != SDN_PATH_FILE) {
        printf("tiny_tmpfs: no tmpfs mounted at %s: skipped\n", mounted);
        skip();
    }
    remove(dir);
    snprintf(dir, sizeof dir, "%s", mounted);
#else
    snprintf(dir, sizeof dir, "%s/tmpfs", tmpdir());
    mkdir(dir, 0755);
    /* 64 KiB: room for both files once, not for a second copy of the checkpoint beside it. */
    if (mount("simdnn-test", dir, "tmpfs", 0, "size=64k") != 0) {
        printf("tiny_tmpfs: cannot mount a tmpfs here (%s): skipped; file_size_limit covers a "
               "full device\n",
               strerror(errno));
        skip();
    }
    snprintf(tmpfs_dir, sizeof tmpfs_dir, "%s", dir);
#endif
    snapshot s = save_both(dir);
    /* Fill what is left so the next write runs out of space. */
    char fill[1100];
    snprintf(fill, sizeof fill, "%s/filler", dir);
    FILE *f = fopen(fill, "wb");
    static char zeros[4096];
    while (f && fwrite(zeros, 1, sizeof zeros, f) == sizeof zeros)
        ;
    if (f)
        fclose(f);
    int failed = overwrite_both(dir);
    remove(fill);
    expect_intact(dir, &s);
    assert_int_equal(failed, 2);
}

#ifdef _WIN32
/* Another program (an editor, a virus scanner, a file preview) holds the target open without
 * sharing: the move over it fails, and the write must fail cleanly. */
static void locked_target(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/locked", tmpdir());
    mkdir(dir, 0755);
    snapshot s = save_both(dir);
    HANDLE held[2];
    for (int i = 0; i < 2; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        held[i] = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
        assert_true(held[i] != INVALID_HANDLE_VALUE);
    }
    const int failed = overwrite_both(dir);
    for (int i = 0; i < 2; i++)
        CloseHandle(held[i]);
    assert_int_equal(failed, 2);
    expect_intact(dir, &s);
}
#else
static void drop_to_nobody(void)
{
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
        _exit(99);
}

static void unwritable_folder(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/readonly", tmpdir());
    mkdir(dir, 0755);
    snapshot s = save_both(dir);
    /* Root writes anywhere: the child drops to nobody, for whom the folder is read-only. The
     * files' parents must let nobody reach them. */
    chmod(tmpdir(), 0755);
    assert_int_equal(chmod(dir, 0555), 0);
    int failed = overwrite_in_child(dir, drop_to_nobody);
    chmod(dir, 0755);
    assert_int_equal(failed, 2);
    expect_intact(dir, &s);
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#ifdef _WIN32
        cmocka_unit_test_teardown(tiny_tmpfs, unmount_tmpfs),
        cmocka_unit_test(locked_target),
#else
        cmocka_unit_test(history_under_file_limit),
        cmocka_unit_test(file_size_limit),
        cmocka_unit_test_teardown(tiny_tmpfs, unmount_tmpfs),
        cmocka_unit_test(unwritable_folder),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
