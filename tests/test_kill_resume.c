/* SIGKILL at many random points of a `simdnn train` run, each time continued with --resume (or
 * started again when no checkpoint exists yet), ends with bitwise the files of an uninterrupted
 * run: every tensor of model.safetensors and checkpoint.safetensors, and the training state. The
 * uninterrupted run uses 1 thread and the killed ones 2: the result does not depend on that either.
 * SIMDNN_CLI names the executable; SIMDNN_KILL_SEED fixes the kill times (default: the clock).
 * On Windows the kill is TerminateProcess (under wine, the process is killed as by SIGKILL). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "platform/platform.h"
#include "simdnn_io.h"
#include "testutil.h"

enum { SIDE = 8, TRAIN = 480, TEST = 60, EPOCHS = 12, KILLS = 12 };

static const char *cli;
static char root[512], data[700];

static void be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* An IDX pair of n images whose class shows as a bright row (learnable in a few epochs). */
static int write_idx(const char *stem, int n, uint64_t s)
{
    char path[900];
    size_t img_len = 16 + (size_t)n * SIDE * SIDE;
    uint8_t *img = malloc(img_len), *lab = malloc(8 + (size_t)n);
    be32(img, 0x803), be32(img + 4, (uint32_t)n), be32(img + 8, SIDE), be32(img + 12, SIDE);
    be32(lab, 0x801), be32(lab + 4, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        int label = (int)(s >> 60) % 8;
        lab[8 + i] = (uint8_t)label;
        for (int j = 0; j < SIDE * SIDE; j++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            img[16 + (size_t)i * SIDE * SIDE + j] =
                (uint8_t)((s >> 58) + (j / SIDE == label ? 160 : 0));
        }
    }
    int ok = 1;
    const char *kinds[2] = {"images-idx3-ubyte", "labels-idx1-ubyte"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s-%s", data, stem, kinds[k]);
        FILE *f = fopen(path, "wb");
        ok = ok && f && fwrite(k ? lab : img, 1, k ? 8 + (size_t)n : img_len, f) > 0;
        ok = f && fclose(f) == 0 && ok;
    }
    free(img);
    free(lab);
    return ok ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    cli = getenv("SIMDNN_CLI");
    if (!cli || !cli[0])
        return 0;
    const char *dir = sdn_test_tmpdir("killresume");
    if (!dir)
        return -1;
    snprintf(root, sizeof root, "%s", dir);
    snprintf(data, sizeof data, "%s/data", root);
    mkdir(data, 0755);
    return write_idx("train", TRAIN, 1) || write_idx("t10k", TEST, 2) ? -1 : 0;
}

static double now_s(void)
{
    return 1e-9 * (double)sdn_monotonic_ns();
}

/* Starts `simdnn train` into out (resume: continue it) with its output to out.log. */
static sdn_test_proc start(const char *out, int resume, int threads)
{
    char thr[16], epochs[16], log[900];
    snprintf(thr, sizeof thr, "%d", threads);
    snprintf(epochs, sizeof epochs, "%d", EPOCHS);
    snprintf(log, sizeof log, "%s.log", out);
    /* clang-format off */
    const char *fresh[] = {cli, "train", "--dataset", "idx", "--data", data, "--out", out,
                           "--layers", "3", "--units", "24", "--batch-norm", "--dropout", "0.1",
                           "--epochs", epochs, "--batch-size", "16", "--lr", "2e-3",
                           "--patience", "0", "--progress", "lines", "--threads", thr, NULL};
    const char *again[] = {cli, "train", "--resume", out, "--threads", thr, "--progress", "lines",
                           NULL};
    /* clang-format on */
    return sdn_test_spawn(resume ? again : fresh, log);
}

/* Every tensor of a and b equal bit for bit, and the training state the same. */
static void same_file(const char *a_path, const char *b_path)
{
    sdn_safetensors *a, *b;
    assert_int_equal(sdn_safetensors_open(a_path, &a), SDN_OK);
    assert_int_equal(sdn_safetensors_open(b_path, &b), SDN_OK);
    assert_int_equal(sdn_safetensors_count(a), sdn_safetensors_count(b));
    for (size_t i = 0; i < sdn_safetensors_count(a); i++) {
        int rank;
        size_t shape[SDN_ST_MAX_RANK], n = 1;
        const char *name = sdn_safetensors_info(a, i, &rank, shape);
        for (int r = 0; r < rank; r++)
            n *= shape[r];
        float *x = malloc(n * sizeof *x + 1), *y = malloc(n * sizeof *y + 1);
        assert_int_equal(sdn_safetensors_read(a, name, rank, shape, x), SDN_OK);
        if (sdn_safetensors_read(b, name, rank, shape, y) != SDN_OK)
            fail_msg("%s: %s", b_path, sdn_last_error());
        if (memcmp(x, y, n * sizeof *x))
            fail_msg("%s: tensor %s differs from the uninterrupted run", b_path, name);
        free(x);
        free(y);
    }
    const char *keys[] = {"fit.epochs_done", "fit.best_epoch", "fit.best_value", "fit.step",
                          "fit.wait"};
    for (int k = 0; k < 5; k++) {
        const char *x = sdn_safetensors_meta(a, keys[k]), *y = sdn_safetensors_meta(b, keys[k]);
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
            fail_msg("%s: %s is %s, uninterrupted %s", b_path, keys[k], y ? y : "absent",
                     x ? x : "absent");
    }
    sdn_safetensors_close(a);
    sdn_safetensors_close(b);
}

/* Epochs a checkpoint holds (0 when there is none): the kill time scales with what is left. */
static int epochs_done(const char *ckpt)
{
    sdn_safetensors *f;
    if (sdn_path_kind_of(ckpt) == SDN_PATH_NONE || sdn_safetensors_open(ckpt, &f) != SDN_OK)
        return 0;
    const char *v = sdn_safetensors_meta(f, "fit.epochs_done");
    int e = v ? atoi(v) : 0;
    sdn_safetensors_close(f);
    return e;
}

static void killed_runs_resume_bitwise(void **state)
{
    (void)state;
    if (!cli || !cli[0] || !sdn_test_threads_start()) {
        print_message("[  SKIP    ] SIMDNN_CLI not set, or no threads (qemu-user)\n");
        skip();
    }
    char ref[800], out[800], ckpt[900];
    snprintf(ref, sizeof ref, "%s/uninterrupted", root);
    double t0 = now_s();
    int rc = sdn_test_wait(start(ref, 0, 1));
    double full = now_s() - t0;
    if (rc)
        fail_msg("the uninterrupted run exited %d (see %s.log)", rc, ref);

    const char *seed_env = getenv("SIMDNN_KILL_SEED");
    unsigned seed = seed_env ? (unsigned)strtoul(seed_env, NULL, 10) : (unsigned)time(NULL);
    srand(seed);
    printf("kill_resume: seed %u (SIMDNN_KILL_SEED repeats the kill times)\n", seed);
    /* Chains of kill-and-resume until KILLS kills have landed: a run that completes before its
     * kill ends a chain, which is compared, and the next chain starts from nothing. */
    int kills = 0, starts = 0, chains = 0;
    while (kills < KILLS) {
        assert_true(chains < 20);
        snprintf(out, sizeof out, "%s/killed%d", root, chains++);
        snprintf(ckpt, sizeof ckpt, "%s/checkpoint.safetensors", out);
        for (int done = 0; !done; starts++) {
            int have = epochs_done(ckpt);
            double t_start = now_s();
            sdn_test_proc pid = start(out, sdn_path_kind_of(ckpt) != SDN_PATH_NONE, 2);
            assert_true(pid > 0);
            if (kills < KILLS) {
                /* Anywhere in what is left of the run: start-up, mid-epoch, during a save. */
                double left = full * (EPOCHS - have + 1) / (EPOCHS + 1);
                double at = (0.02 + 0.9 * rand() / (double)RAND_MAX) * left;
                sdn_test_sleep(at);
                sdn_test_kill(pid);
            }
            rc = sdn_test_wait(pid);
            done = rc == 0;
            kills += rc == SDN_TEST_KILLED;
            /* Finished before its kill: the machine got faster (it is shared); aim earlier. */
            if (done && kills < KILLS)
                full = fmin(full, (now_s() - t_start) * (EPOCHS + 1) / (EPOCHS - have + 1));
            if (rc != 0 && rc != SDN_TEST_KILLED)
                fail_msg("start %d exited %d (see %s.log)", starts, rc, out);
        }
        const char *files[] = {"checkpoint.safetensors", "model.safetensors"};
        for (int f = 0; f < 2; f++) {
            char a[900], b[900];
            snprintf(a, sizeof a, "%s/%s", ref, files[f]);
            snprintf(b, sizeof b, "%s/%s", out, files[f]);
            same_file(a, b);
        }
    }
    printf("kill_resume: %d kills over %d starts in %d chains (seed %u, uninterrupted run "
           "%.2f s), each chain bitwise the uninterrupted run\n",
           kills, starts, chains, seed, full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(killed_runs_resume_bitwise)};
    return cmocka_run_group_tests(tests, setup, sdn_test_tmpdir_remove);
}
