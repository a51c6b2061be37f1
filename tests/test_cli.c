/* The simdnn executable end to end on a generated CIFAR-format folder: train writes every file,
 * evaluate agrees with the summary after reload, resume continues, predict runs MC Dropout, and a
 * tiny exercise writes its report. SIMDNN_CLI names the executable (set by tests/CMakeLists.txt).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif

#include "platform/platform.h"
#include "simdnn_io.h"
#include "testutil.h"

static char tmp_root[512], data_dir[700];
static const char *cli;

static int setup(void **state)
{
    cli = getenv("SIMDNN_CLI");
    if (!cli || !cli[0])
        return 0;
    const char *dir = sdn_test_tmpdir("cli");
    if (!dir)
        return -1;
    snprintf(tmp_root, sizeof tmp_root, "%s", dir);
    /* 5 training batches of 120 records and a test batch of 100: 600 + 100 CIFAR records whose
     * label is visible in the pixels (class k brightens channel k % 3), so a net learns it fast. */
    snprintf(data_dir, sizeof data_dir, "%s/cifar-10-batches-bin", tmp_root);
    mkdir(data_dir, 0755);
    static const char *names[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                  "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    uint64_t s = 12345;
    for (int b = 0; b < 6; b++) {
        char path[800];
        snprintf(path, sizeof path, "%s/%s", data_dir, names[b]);
        FILE *f = fopen(path, "wb");
        if (!f)
            return -1;
        int n = b == 5 ? 100 : 120;
        for (int r = 0; r < n; r++) {
            uint8_t rec[3073];
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            int label = (int)(s % 10);
            rec[0] = (uint8_t)label;
            for (int j = 0; j < 3072; j++) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                int v = (int)(s >> 58); /* noise 0..63 */
                if (j / 1024 == label % 3 && (j % 1024) / 103 == label)
                    v += 150;
                rec[1 + j] = (uint8_t)v;
            }
            fwrite(rec, 1, sizeof rec, f);
        }
        fclose(f);
    }
    return 0;
}

/* Runs the CLI with args; returns its exit status; output goes to <tmp>/out.txt. */
static int run(const char *args)
{
#ifdef _WIN32
    /* No POSIX shell: args split at spaces, '...' kept whole, and the tool started directly. */
    static char words[4096];
    const char *argv[64] = {cli};
    int argc = 1;
    snprintf(words, sizeof words, "%s", args);
    for (char *p = words; *p && argc < 63;) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        const int quoted = *p == '\'';
        argv[argc++] = p + quoted;
        p = quoted ? strchr(p + 1, '\'') : strchr(p, ' ');
        if (!p)
            break;
        *p++ = 0;
    }
    argv[argc] = NULL;
    char log[800];
    snprintf(log, sizeof log, "%s/out.txt", tmp_root);
    remove(log);
    return sdn_test_wait(sdn_test_spawn(argv, log));
#else
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out.txt' 2>&1", cli, args, tmp_root);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
#endif
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static char *output(void)
{
    char p[700];
    snprintf(p, sizeof p, "%s/out.txt", tmp_root);
    return slurp(p);
}

static double json_value(const char *json, const char *key)
{
    char k[128];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(json, k);
    assert_non_null(p);
    return strtod(p + strlen(k), NULL);
}

static void skip_without_cli(void)
{
    if (!cli || !cli[0]) {
        print_message("[  SKIP    ] SIMDNN_CLI not set\n");
        skip();
    }
}

static void train_evaluate_resume_predict(void **state)
{
    skip_without_cli();
    char args[2048], path[800];
    snprintf(args, sizeof args,
             "train --data '%s' --layers 2 --units 32 --dropout 0.2 --lr 2e-3 --epochs 3 "
             "--batch-size 32 --progress lines --out '%s/run' --threads 1",
             data_dir, tmp_root);
    int rc = run(args);
    if (rc)
        fail_msg("train exited %d:\n%s", rc, output());
    assert_non_null(strstr(output(), "epoch 3/3"));
    const char *files[] = {"history.csv", "history.json", "model.safetensors",
                           "checkpoint.safetensors", "summary.json"};
    for (int i = 0; i < 5; i++) {
        struct stat sb;
        snprintf(path, sizeof path, "%s/run/%s", tmp_root, files[i]);
        if (stat(path, &sb) != 0)
            fail_msg("missing %s", path);
    }
    snprintf(path, sizeof path, "%s/run/summary.json", tmp_root);
    char summary[8192];
    snprintf(summary, sizeof summary, "%.8000s", slurp(path));
    const char *keys[] = {
        "best_val_accuracy", "best_val_loss",      "best_epoch",  "epochs_run", "test_accuracy",
        "seconds_per_epoch", "samples_per_second", "peak_rss_mb", "isa",        "threads"};
    for (int i = 0; i < 10; i++) {
        char k[64];
        snprintf(k, sizeof k, "\"%s\":", keys[i]);
        if (!strstr(summary, k))
            fail_msg("summary.json lacks %s:\n%s", keys[i], summary);
    }
    assert_int_equal((int)json_value(summary, "epochs_run"), 3);
    double test_acc = json_value(summary, "test_accuracy");
    assert_true(test_acc > 0.3); /* chance: 0.1 */

    /* Reload: evaluate gives the summary's test accuracy. */
    snprintf(args, sizeof args, "evaluate --model '%s/run' --data '%s' --json --threads 1",
             tmp_root, data_dir);
    rc = run(args);
    if (rc)
        fail_msg("evaluate exited %d:\n%s", rc, output());
    assert_float_equal(json_value(output(), "accuracy"), test_acc, 1e-6);

    /* Resume to 5 epochs: two more rows. */
    snprintf(args, sizeof args, "train --resume '%s/run' --epochs 5 --progress lines", tmp_root);
    rc = run(args);
    if (rc)
        fail_msg("resume exited %d:\n%s", rc, output());
    assert_non_null(strstr(output(), "after epoch 3"));
    assert_non_null(strstr(output(), "epoch 5/5"));
    assert_null(strstr(output(), "epoch 1/5"));
    snprintf(path, sizeof path, "%s/run/history.csv", tmp_root);
    const char *csv = slurp(path);
    int lines = 0;
    for (const char *p = csv; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 6);

    /* MC Dropout prediction with a CSV. */
    snprintf(args, sizeof args,
             "predict --model '%s/run/model.safetensors' --data '%s' --mc-samples 4 --output "
             "'%s/pred.csv'",
             tmp_root, data_dir, tmp_root);
    rc = run(args);
    if (rc)
        fail_msg("predict exited %d:\n%s", rc, output());
    assert_non_null(strstr(output(), "MC Dropout (4 samples): accuracy"));
    snprintf(path, sizeof path, "%s/pred.csv", tmp_root);
    assert_non_null(strstr(slurp(path), "index,label,prediction,p0"));

    /* A model file for another architecture is refused clearly (exit 1). */
    snprintf(args, sizeof args, "train --resume '%s/run' --units 16 --epochs 6", tmp_root);
    assert_int_equal(run(args), 1);
    assert_non_null(strstr(output(), "shape"));
}

/* Paths are UTF-8 on every host: a folder named in French, Greek and Chinese, given on the
 * command line (on Windows the tool reads its arguments as UTF-16 and the files through the
 * wide-char calls, whatever the ANSI code page). */
static void non_ascii_paths(void **state)
{
    skip_without_cli();
    char args[2048], out[800], path[900];
    snprintf(out, sizeof out, "%s/sortie-données-δοκιμή-模型", tmp_root);
    snprintf(args, sizeof args,
             "train --data '%s' --layers 1 --units 8 --epochs 1 --batch-size 64 --progress quiet "
             "--out '%s' --threads 1",
             data_dir, out);
    int rc = run(args);
    if (rc)
        fail_msg("train into %s exited %d:\n%s", out, rc, output());
    snprintf(path, sizeof path, "%s/model.safetensors", out);
    FILE *f = fopen(path, "rb"); /* fopen: Linux takes the UTF-8 bytes as they are */
#ifdef _WIN32
    f = sdn_fopen(path, "rb");
#endif
    assert_non_null(f);
    fclose(f);
    snprintf(args, sizeof args, "evaluate --model '%s' --data '%s' --threads 1", out, data_dir);
    rc = run(args);
    if (rc)
        fail_msg("evaluate of %s exited %d:\n%s", out, rc, output());
}

/* Ctrl-C (SIGINT; on Windows the console's Ctrl-Break, through SetConsoleCtrlHandler) stops a
 * run after its batch and saves: the tool says so, exits 0, and the checkpoint holds fewer
 * epochs than asked. */
static void interrupt_saves(void **state)
{
    skip_without_cli();
    char out[800], log[900], ckpt[900], epochs[16];
    snprintf(out, sizeof out, "%s/interrupted", tmp_root);
    snprintf(log, sizeof log, "%s/interrupted.log", tmp_root);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.safetensors", out);
    snprintf(epochs, sizeof epochs, "%d", 500);
    const char *argv[] = {cli,       "train", "--data",    data_dir, "--layers",   "1",
                          "--units", "8",     "--epochs",  epochs,   "--progress", "lines",
                          "--out",   out,     "--threads", "1",      NULL};
    sdn_test_proc p = sdn_test_spawn(argv, log);
    assert_true(p > 0);
    /* once the first epoch is saved, so the stop lands mid-run */
    for (int i = 0; i < 600 && sdn_path_kind_of(ckpt) != SDN_PATH_FILE; i++)
        sdn_test_sleep(0.05);
    sdn_test_sleep(0.2);
    if (sdn_test_interrupt(p) != 0) {
        sdn_test_kill(p);
        sdn_test_wait(p);
        print_message("[  SKIP    ] no Ctrl event can be sent here (wine without a console)\n");
        skip();
    }
    const int rc = sdn_test_wait(p);
    const char *said = slurp(log);
    if (rc != 0)
        fail_msg("interrupted train exited %d:\n%s", rc, said ? said : "");
    if (!strstr(said, "stopping after this batch"))
        fail_msg("no word of the interrupt:\n%s",
                 said + (strlen(said) > 600 ? strlen(said) - 600 : 0));
    sdn_safetensors *f;
    assert_int_equal(sdn_safetensors_open(ckpt, &f), SDN_OK);
    const char *done = sdn_safetensors_meta(f, "fit.epochs_done");
    assert_non_null(done);
    assert_true(atoi(done) >= 1 && atoi(done) < 500);
    sdn_safetensors_close(f);
}

static void exercise_quick(void **state)
{
    skip_without_cli();
    char args[2048], path[800];
    snprintf(args, sizeof args,
             "exercise --quick --data '%s' --out '%s/report' --epochs 1 --runs 8b,8d,8e "
             "--mc-samples 2 --progress quiet",
             data_dir, tmp_root);
    int rc = run(args);
    if (rc)
        fail_msg("exercise exited %d:\n%s", rc, output());
    snprintf(path, sizeof path, "%s/report/report.md", tmp_root);
    const char *md = slurp(path);
    assert_non_null(md);
    assert_non_null(strstr(md, "| 8b |"));
    assert_non_null(strstr(md, "| 8e + MC |"));
    assert_non_null(strstr(md, "Self-normalization"));
    snprintf(path, sizeof path, "%s/report/accuracy.svg", tmp_root);
    assert_non_null(strstr(slurp(path), "<svg"));
    snprintf(path, sizeof path, "%s/report/loss.svg", tmp_root);
    assert_non_null(strstr(slurp(path), "polyline"));
}

/* Lr-find writes its curve and suggestion; train --lr auto trains at the rate the range
 * test found (the history's rate) and stores it, not "auto", for --resume; a plateau schedule
 * resumed half way (its state in the checkpoint) ends as an uninterrupted run. */
static void lr_find_and_schedules(void **state)
{
    skip_without_cli();
    char args[2048], path[800];
    snprintf(args, sizeof args,
             "lr-find --data '%s' --layers 2 --units 16 --batch-size 16 --out '%s/lrf' --threads 1",
             data_dir, tmp_root);
    if (run(args))
        fail_msg("lr-find failed:\n%s", output());
    const char *at = strstr(output(), "suggested learning rate: ");
    assert_non_null(at);
    const double suggested = strtod(at + 25, NULL);
    assert_true(suggested > 0 && suggested < 10);
    snprintf(path, sizeof path, "%s/lrf/lr_find.svg", tmp_root);
    assert_non_null(slurp(path));
    snprintf(args, sizeof args,
             "train --data '%s' --layers 2 --units 16 --batch-size 16 --lr auto --epochs 1 "
             "--progress lines --out '%s/auto' --threads 1",
             data_dir, tmp_root);
    if (run(args))
        fail_msg("train --lr auto failed:\n%s", output());
    assert_non_null(strstr(output(), "--lr auto: range test"));
    snprintf(path, sizeof path, "%s/auto/history.csv", tmp_root);
    const char *hist = strstr(slurp(path), "\n1,");
    assert_non_null(hist);
    double lr = NAN;
    for (int comma = 0; *hist && comma < 6; hist++)
        if (*hist == ',' && ++comma == 6)
            lr = strtod(hist + 1, NULL);
    assert_float_equal(lr, suggested, 0.01 * suggested); /* printed with 3 digits */
    /* plateau halving the rate every epoch (min_delta 1: nothing improves enough), 4 epochs
     * straight and as 2 + resume 2: the same history */
    static char hist_a[1 << 16];
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args,
                 "train --data '%s' --layers 2 --units 16 --batch-size 16 --schedule plateau "
                 "--plateau-patience 1 --factor 0.5 --plateau-min-delta 1 --epochs %d "
                 "--progress lines --out '%s/cyc%d' --threads 1",
                 data_dir, k ? 2 : 4, tmp_root, k);
        if (run(args))
            fail_msg("train --schedule plateau failed:\n%s", output());
    }
    snprintf(args, sizeof args, "train --resume '%s/cyc1' --epochs 4 --progress lines", tmp_root);
    if (run(args))
        fail_msg("resume failed:\n%s", output());
    snprintf(path, sizeof path, "%s/cyc0/history.csv", tmp_root);
    snprintf(hist_a, sizeof hist_a, "%s", slurp(path));
    /* the plateau did act: epoch 4 ran at a quarter of epoch 1's rate */
    double lr1 = NAN, lr4 = NAN;
    for (const char *line = hist_a; line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        double v[7];
        if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6]) == 7) {
            if (v[0] == 1)
                lr1 = v[6];
            if (v[0] == 4)
                lr4 = v[6];
        }
    }
    assert_float_equal(lr4, lr1 / 4, 1e-6 * lr1);
    snprintf(path, sizeof path, "%s/cyc1/history.csv", tmp_root);
    const char *hist_b = slurp(path);
    /* every column but seconds matches */
    for (const char *a = hist_a, *b = hist_b; *a && *b;
         a = strchr(a, '\n') + 1, b = strchr(b, '\n') + 1) {
        double va[7], vb[7];
        int na = sscanf(a, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &va[0], &va[1], &va[2], &va[3], &va[4],
                        &va[5], &va[6]);
        int nb = sscanf(b, "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &vb[0], &vb[1], &vb[2], &vb[3], &vb[4],
                        &vb[5], &vb[6]);
        assert_int_equal(na, nb);
        for (int i = 0; i < na; i++)
            if (i != 5 && va[i] != vb[i])
                fail_msg("history differs in column %d:\n%s\n%s", i, hist_a, hist_b);
        if (!strchr(a, '\n') || !strchr(b, '\n'))
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(train_evaluate_resume_predict),
        cmocka_unit_test(non_ascii_paths),
        cmocka_unit_test(interrupt_saves),
        cmocka_unit_test(exercise_quick),
        cmocka_unit_test(lr_find_and_schedules),
    };
    return cmocka_run_group_tests(tests, setup, sdn_test_tmpdir_remove);
}
