/* Every lab's --quick run: the verdict it wrote must follow from the numbers it wrote, and its
 * section must end with a well-formed stamp whose hash `--print-hash` recomputes (at another
 * thread count too). The rules are written again here from the labs' documented claims, reading
 * the per-seed numbers and thresholds from <lab>.json and taking means and spreads with this
 * file's own arithmetic, so a lab whose verdict ignored its numbers, or its spread, fails.
 * SIMDNN_CLI names the executable. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "json.h"
#include "testutil.h"

static const char *cli;
static const char *extra = ""; /* more arguments of every lab run (two_seeds) */
static char out_dir[600];

static int setup(void **state)
{
    cli = getenv("SIMDNN_CLI");
    const char *d = sdn_test_tmpdir("labs");
    if (!d)
        return -1;
    snprintf(out_dir, sizeof out_dir, "%s", d);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 17);
    size_t n = fread(buf, 1, (1 << 17) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Members of the lab's JSON object (support/json.h): a missing one fails the test; null reads as
 * NaN. */
static const sdn_jval *find(const sdn_jval *json, const char *key)
{
    const sdn_jval *v = sdn_json_get(json, key);
    if (!v)
        fail_msg("key '%s' missing", key);
    return v;
}

static double num(const sdn_jval *json, const char *key)
{
    const sdn_jval *v = find(json, key);
    return v->type == SDN_J_NUM ? v->num : NAN;
}

static int nums(const sdn_jval *json, const char *key, double *v, int max)
{
    const sdn_jval *a = find(json, key);
    assert_int_equal(a->type, SDN_J_ARR);
    int n = 0;
    for (; n < max && (size_t)n < a->n; n++)
        v[n] = a->items[n].type == SDN_J_NUM ? a->items[n].num : NAN;
    for (int i = n; i < max; i++) /* a short list leaves no value unset */
        v[i] = NAN;
    return n;
}

static void str(const sdn_jval *json, const char *key, char *buf, size_t size)
{
    const sdn_jval *v = find(json, key);
    assert_int_equal(v->type, SDN_J_STR);
    snprintf(buf, size, "%s", v->str);
}

/* Mean and sample standard deviation of the finite values, as the labs' tables give them. */
typedef struct spread {
    double mean, sd, min;
    int n;
} spread;

static spread spread_of(const double *v, int n)
{
    spread s = {0, 0, INFINITY, 0};
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            s.mean += v[i], s.n++, s.min = fmin(s.min, v[i]);
    s.mean /= s.n ? s.n : 1;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            s.sd += (v[i] - s.mean) * (v[i] - s.mean);
    s.sd = s.n > 1 ? sqrt(s.sd / (s.n - 1)) : 0;
    return s;
}

/* +1 / −1 when a's mean is above / below b's by more than the larger sd and the floor. */
static int beyond(spread a, spread b, double floor)
{
    const double noise = fmax(floor, fmax(a.sd, b.sd));
    return a.mean - b.mean > noise ? 1 : b.mean - a.mean > noise ? -1 : 0;
}

/* The per-seed list `key` as a spread. */
static spread seeds(const sdn_jval *json, const char *key)
{
    double v[64];
    const int n = nums(json, key, v, 64);
    return spread_of(v, n);
}

static const char *tally(int held, int of)
{
    return held == of ? "confirmed" : held ? "partly" : "refuted";
}

/* The stamp line of the section: every field present, in the documented form, and its hash the
 * one `simdnn <check> --threads 1` prints. */
static void check_stamp(const char *report, const char *name)
{
    const char *at = strstr(report, "<!-- simdnn-stamp ");
    assert_non_null(at);
    char commit[64], isa[32], check[128], hash[64], tail[8];
    int threads = 0;
    double rt = -1, load = 0;
    const int got = sscanf(at,
                           "<!-- simdnn-stamp commit=%63s isa=%31s threads=%d round_trip_ns=%lf "
                           "load=%lf check=\"%127[^\"]\" hash=%63s %7s",
                           commit, isa, &threads, &rt, &load, check, hash, tail);
    if (got != 8)
        fail_msg("stamp of %s malformed (%d fields): %.200s", name, got, at);
    assert_true((strlen(commit) == 12 && strspn(commit, "0123456789abcdef") == 12) ||
                !strcmp(commit, "unknown"));
    assert_true(threads >= 1 && rt >= 0);
    assert_int_equal(strlen(hash), 16);
    assert_int_equal(strspn(hash, "0123456789abcdef"), 16);
    assert_string_equal(tail, "-->");
    char want[64];
    snprintf(want, sizeof want, "lab %s --quick --print-hash", name);
    assert_string_equal(check, want);
    char cmd[1200], path[800];
    snprintf(path, sizeof path, "%s/%s.hash", out_dir, name);
    snprintf(cmd, sizeof cmd, "'%s' %s --threads 1 > '%s' 2>&1", cli, check, path);
    assert_int_equal(system(cmd), 0);
    char *printed = slurp(path);
    assert_non_null(printed);
    if (strlen(printed) != 17 || strncmp(printed, hash, 16) || printed[16] != '\n')
        fail_msg("%s --print-hash printed '%s', the stamp says %s", name, printed, hash);
    free(printed);
}

/* Runs `simdnn lab NAME --quick`, returns its JSON (parsed, malloc'd) after checking the report
 * and the section carry the JSON's verdict. */
static sdn_jval *run_lab(const char *name)
{
    if (!cli || !cli[0])
        skip();
    char cmd[2048], path[800];
    snprintf(cmd, sizeof cmd, "'%s' lab %s --quick%s --out '%s/%s' > '%s/%s.log' 2>&1", cli, name,
             extra, out_dir, name, out_dir, name);
    int st = system(cmd);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) {
        snprintf(path, sizeof path, "%s/%s.log", out_dir, name);
        char *log = slurp(path);
        print_error("%s\n", log ? log : "(no log)");
        free(log);
        fail_msg("simdnn lab %s --quick failed", name);
    }
    snprintf(path, sizeof path, "%s/%s/%s.json", out_dir, name, name);
    char *text = slurp(path), err[160];
    assert_non_null(text);
    sdn_jval *json = malloc(sizeof *json);
    assert_non_null(json);
    if (sdn_json_parse(text, json, err, sizeof err))
        fail_msg("%s: not JSON (%s)", path, err);
    free(text);
    if (*extra) /* the per-seed lists are as long as --seeds says */
        assert_int_equal((int)num(json, "seeds"), 2);
    char verdict[32], line[64];
    str(json, "verdict", verdict, sizeof verdict);
    snprintf(line, sizeof line, "**Verdict: %s.**", verdict);
    snprintf(path, sizeof path, "%s/%s/report.md", out_dir, name);
    char *report = slurp(path);
    assert_non_null(report);
    assert_non_null(strstr(report, line));
    check_stamp(report, name);
    free(report);
    return json;
}

static void check(sdn_jval *json, const char *want)
{
    char got[32];
    str(json, "verdict", got, sizeof got);
    if (strcmp(got, want))
        fail_msg("the lab says '%s', its numbers say '%s'", got, want);
    sdn_json_free(json);
    free(json);
}

static void q1(void **state)
{
    sdn_jval *j = run_lab("q1");
    const int collapsed = num(j, "constant_max_distinct") == 1;
    const int worse =
        beyond(seeds(j, "he_val"), seeds(j, "constant_val"), num(j, "acc_margin")) > 0;
    check(j, collapsed && worse ? "confirmed" : collapsed ? "partly" : "refuted");
}

static void q2(void **state)
{
    sdn_jval *j = run_lab("q2");
    double d[2];
    nums(j, "min_distinct", d, 2);
    const double units = num(j, "units");
    const int within =
        beyond(seeds(j, "random_val"), seeds(j, "zero_val"), num(j, "noise_floor")) == 0;
    const int distinct = d[0] == units && d[1] == units;
    check(j, within && distinct ? "confirmed" : within || distinct ? "partly" : "refuted");
}

static void q3(void **state)
{
    sdn_jval *j = run_lab("q3");
    const spread m = seeds(j, "selu_deepest_init_mean"), s = seeds(j, "selu_deepest_init_std");
    const int norm = fabs(m.mean) < num(j, "mean_tol") && fabs(s.mean - 1) < num(j, "std_tol");
    /* dying = dead after training AND alive at init, in every seed */
    const int dies = seeds(j, "relu_newly_dead").min > num(j, "dead_floor");
    double init[64], after[64], newly[64];
    const int n = nums(j, "relu_dead_init", init, 64);
    nums(j, "relu_dead_after", after, 64);
    nums(j, "relu_newly_dead", newly, 64);
    for (int i = 0; i < n;
         i++) /* newly dead can be no more than dead after, nor below after − init */
        assert_true(newly[i] <= after[i] + 1e-12 && newly[i] >= after[i] - init[i] - 1e-12);
    const double fl = num(j, "epoch_floor");
    const spread selu = seeds(j, "selu_epochs_to_target");
    const int faster = beyond(seeds(j, "relu_epochs_to_target"), selu, fl) > 0 &&
                       beyond(seeds(j, "elu_epochs_to_target"), selu, fl) > 0;
    check(j, tally(norm + dies + faster, 3));
}

static void q4(void **state)
{
    sdn_jval *j = run_lab("q4");
    static const char *const order[6] = {"selu", "elu", "leaky_relu", "relu", "tanh", "sigmoid"};
    static const char *const heads[4] = {"logistic", "softmax", "tanh", "linear"};
    static const int right[4] = {0, 1, 2, 3};
    double fwd[6];
    nums(j, "forward_ns", fwd, 6);
    int inverted = 0;
    for (int a = 0; a + 1 < 6; a++) {
        char ka[48], kb[48];
        snprintf(ka, sizeof ka, "%s_val", order[a]);
        snprintf(kb, sizeof kb, "%s_val", order[a + 1]);
        inverted += beyond(seeds(j, ka), seeds(j, kb), num(j, "acc_floor")) < 0;
    }
    double cheapest = fwd[0];
    for (int a = 1; a < 6; a++)
        cheapest = fmin(cheapest, fwd[a]);
    int won = 0;
    for (int t = 0; t < 4; t++) {
        char key[48];
        double r[64], o[64], d[64];
        snprintf(key, sizeof key, "role%d_%s", t, heads[right[t]]);
        const int n = nums(j, key, r, 64);
        int wins = 1, rivals = 0;
        for (int h = 0; h < 4; h++) {
            snprintf(key, sizeof key, "role%d_%s", t, heads[h]);
            if (h == right[t] || !sdn_json_get(j, key))
                continue;
            rivals++;
            nums(j, key, o, 64);
            for (int i = 0; i < n; i++)
                d[i] = (o[i] - r[i]) / r[i];
            const spread sd = spread_of(d, n), zero = {0, 0, 0, n};
            wins &= beyond(sd, zero, num(j, "role_floor")) > 0;
        }
        assert_true(rivals >= 1);
        won += wins;
    }
    check(j, tally((inverted == 0) + (fwd[3] <= num(j, "cheap_slack") * cheapest) + (won == 4), 3));
}

/* q5's class of one run, from its own numbers. */
static int q5_class(const sdn_jval *j, double first, double last, double rise, double nan_at)
{
    return nan_at > 0 || last > num(j, "diverged") * first ? 2 : rise >= num(j, "oscillating");
}

static void q5(void **state)
{
    sdn_jval *j = run_lab("q5");
    int bad[2][4] = {{0}}, n[2] = {0, 0};
    static const char *const arms[2] = {"matched", "fixed"};
    for (int a = 0; a < 2; a++) {
        double v[5][256];
        static const char *const f[5] = {"behaviour", "first_window", "last_window",
                                         "rising_fraction", "nan_step"};
        for (int k = 0; k < 5; k++) {
            char key[48];
            snprintf(key, sizeof key, "%s_%s", arms[a], f[k]);
            n[a] = nums(j, key, v[k], 256);
        }
        assert_int_equal(n[a] % 4, 0);
        const int ns = n[a] / 4;
        for (int i = 0; i < n[a]; i++) {
            const int c = q5_class(j, v[1][i], v[2][i], v[3][i], v[4][i]);
            assert_int_equal(c, (int)v[0][i]);
            bad[a][i / ns] += c > 0;
        }
        n[a] = ns;
    }
    const int settled = bad[0][0] == 0, near = bad[0][2] == n[0] && bad[0][3] == n[0];
    check(j, settled && near ? "confirmed" : bad[0][2] + bad[0][3] ? "partly" : "refuted");
}

static void q6(void **state)
{
    sdn_jval *j = run_lab("q6");
    double f[16];
    const int nf = nums(j, "prune_fraction", f, 16);
    char key[32];
    snprintf(key, sizeof key, "prune%d_val", nf - 1);
    const spread unpruned = seeds(j, "prune0_val"), most = seeds(j, key);
    int target = 0;
    for (int i = 0; i < nf; i++)
        target = f[i] == num(j, "target") ? i : target;
    snprintf(key, sizeof key, "prune%d_val", target);
    const int held = (beyond(unpruned, most, num(j, "tol")) > 0) +
                     (beyond(seeds(j, "l1_2_zero"), seeds(j, "l1_0_zero"), 0.01) > 0) +
                     (beyond(seeds(j, "gradual_val"), seeds(j, key), 0.005) > 0);
    check(j, tally(held, 3));
}

/* Whether a[i] − b[i], seed by seed, stands above its spread and floor. */
static int paired(const sdn_jval *j, const char *ka, const char *kb, double floor)
{
    double a[64], b[64], d[64];
    const int n = nums(j, ka, a, 64);
    assert_int_equal(nums(j, kb, b, 64), n);
    for (int i = 0; i < n; i++)
        d[i] = a[i] - b[i];
    const spread zero = {0, 0, 0, n};
    return beyond(spread_of(d, n), zero, floor) > 0;
}

static void q7(void **state)
{
    sdn_jval *j = run_lab("q7");
    const double slack = num(j, "slower") - 1, fl = num(j, "epoch_floor");
    const spread none = seeds(j, "none_epochs_to_best");
    const int more = beyond(seeds(j, "alpha_epochs_to_best"), none, fl) > 0 ||
                     beyond(seeds(j, "plain_epochs_to_best"), none, fl) > 0;
    /* timings are held against their spread too */
    const spread s0 = seeds(j, "none_seconds_per_epoch"), i0 = seeds(j, "none_inference_seconds");
    const int train = more ||
                      beyond(seeds(j, "alpha_seconds_per_epoch"), s0, slack * s0.mean) > 0 ||
                      beyond(seeds(j, "plain_seconds_per_epoch"), s0, slack * s0.mean) > 0;
    const int infer = beyond(seeds(j, "alpha_inference_seconds"), i0, slack * i0.mean) <= 0 &&
                      beyond(seeds(j, "plain_inference_seconds"), i0, slack * i0.mean) <= 0;
    /* calibration from averaging: 100 samples beat the plain pass AND one sample, both nets */
    const double e = num(j, "ece_floor");
    const int cal = paired(j, "alpha_plain_ece", "alpha_mc100_ece", e) &&
                    paired(j, "alpha_mc1_ece", "alpha_mc100_ece", e) &&
                    paired(j, "plain_plain_ece", "plain_mc100_ece", e) &&
                    paired(j, "plain_mc1_ece", "plain_mc100_ece", e);
    check(j, tally(train + infer + cal, 3));
}

static void q8(void **state)
{
    sdn_jval *j = run_lab("q8");
    static const char *const id[3] = {"8b", "8d", "8e"};
    const double m = num(j, "margin");
    int better = 0, worse = 0;
    for (int p = 0; p < 3; p++) {
        char kw[32], kc[32];
        snprintf(kw, sizeof kw, "written_%s", id[p]);
        snprintf(kc, sizeof kc, "corrected_%s", id[p]);
        const int c = beyond(seeds(j, kc), seeds(j, kw), m);
        better += c > 0;
        worse += c < 0;
    }
    check(j, better == 3 ? "confirmed" : better > worse ? "partly" : "refuted");
}

/* Every lab again over two seeds: the per-seed lists, spreads and paired differences of a real
 * comparison (the quick runs have one seed), and a stamp whose hash is still the quick run's. */
static void two_seeds(void **state)
{
    void (*const labs[8])(void **) = {q1, q2, q3, q4, q5, q6, q7, q8};
    extra = " --seeds 2";
    for (int i = 0; i < 8; i++)
        labs[i](state);
    extra = "";
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(q1), cmocka_unit_test(q2), cmocka_unit_test(q3),
        cmocka_unit_test(q4), cmocka_unit_test(q5), cmocka_unit_test(q6),
        cmocka_unit_test(q7), cmocka_unit_test(q8), cmocka_unit_test(two_seeds)};
    if (argc > 1) /* one lab per ctest test: "test_labs q4" */
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, setup, sdn_test_tmpdir_remove);
}
