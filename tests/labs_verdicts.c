/* Every lab's --quick run: the verdict it wrote must follow from the numbers it wrote.
 * The rules are written again here from the labs' documented claims, reading the numbers and
 * thresholds from <lab>.json, so a lab whose verdict ignored its numbers fails. SIMDNN_CLI names
 * the executable. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "json.h"
#include "testutil.h"

static const char *cli;
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

static const char *tally(int held, int of)
{
    return held == of ? "confirmed" : held ? "partly" : "refuted";
}

/* Runs `simdnn lab NAME --quick`, returns its JSON (parsed, malloc'd) after checking the report
 * and the section carry the JSON's verdict. */
static sdn_jval *run_lab(const char *name)
{
    if (!cli || !cli[0])
        skip();
    char cmd[2048], path[800];
    snprintf(cmd, sizeof cmd, "'%s' lab %s --quick --out '%s/%s' > '%s/%s.log' 2>&1", cli, name,
             out_dir, name, out_dir, name);
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
    char verdict[32], line[64];
    str(json, "verdict", verdict, sizeof verdict);
    snprintf(line, sizeof line, "**Verdict: %s.**", verdict);
    snprintf(path, sizeof path, "%s/%s/report.md", out_dir, name);
    char *report = slurp(path);
    assert_non_null(report);
    assert_non_null(strstr(report, line));
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
    double dc[64], cst = num(j, "constant_val_accuracy"), he = num(j, "he_val_accuracy");
    const int n = nums(j, "constant_distinct", dc, 64);
    double mx = 0;
    for (int i = 0; i < n; i++)
        mx = fmax(mx, dc[i]);
    const int collapsed = mx == 1, worse = he > cst + num(j, "acc_margin");
    check(j, collapsed && worse ? "confirmed" : collapsed ? "partly" : "refuted");
}

static void q2(void **state)
{
    sdn_jval *j = run_lab("q2");
    double v[4], d[4], units = num(j, "units");
    nums(j, "val_accuracy", v, 4);
    nums(j, "min_distinct", d, 4);
    const double noise = fmax(num(j, "noise_floor"), fmax(fabs(v[0] - v[1]), fabs(v[2] - v[3])));
    const int within = fabs((v[2] + v[3]) / 2 - (v[0] + v[1]) / 2) <= noise;
    const int distinct = d[0] == units && d[1] == units && d[2] == units && d[3] == units;
    check(j, within && distinct ? "confirmed" : within || distinct ? "partly" : "refuted");
}

static void q3(void **state)
{
    sdn_jval *j = run_lab("q3");
    double sm[2], ep[3], dead[3];
    nums(j, "selu_deepest_init", sm, 2);
    nums(j, "epochs_to_target", ep, 3);
    nums(j, "dead_trained", dead, 3);
    const int norm = fabs(sm[0]) < num(j, "mean_tol") && fabs(sm[1] - 1) < num(j, "std_tol");
    int fastest = -1;
    for (int k = 0; k < 3; k++)
        if (ep[k] > 0 && (fastest < 0 || ep[k] < ep[fastest]))
            fastest = k;
    check(j, tally(norm + (dead[1] > 0) + (fastest == 0), 3));
}

static void q4(void **state)
{
    sdn_jval *j = run_lab("q4");
    double fwd[6], val[6], bin[2];
    nums(j, "forward_ns", fwd, 6);
    nums(j, "val_accuracy", val, 6);
    nums(j, "binary_test_accuracy", bin, 2);
    double cheapest = fwd[0], worst = val[0];
    for (int a = 1; a < 6; a++) {
        cheapest = fmin(cheapest, fwd[a]);
        worst = fmin(worst, val[a]);
    }
    int sigmoid_worst = val[5] == worst;
    for (int a = 0; a < 5; a++) /* ties go to the earlier activation */
        sigmoid_worst &= val[a] != worst;
    const int held = (fwd[2] <= num(j, "cheap_slack") * cheapest) + sigmoid_worst +
                     (fabs(bin[0] - bin[1]) <= num(j, "binary_margin"));
    check(j, tally(held, 3));
}

static void q5(void **state)
{
    sdn_jval *j = run_lab("q5");
    double first[4], last[4], rise[4], nan_at[4], cls[4];
    nums(j, "first_window", first, 4);
    nums(j, "last_window", last, 4);
    nums(j, "rising_fraction", rise, 4);
    nums(j, "nan_step", nan_at, 4);
    nums(j, "behaviour", cls, 4);
    for (int k = 0; k < 4; k++) {
        const int c = nan_at[k] > 0 || last[k] > num(j, "diverged") * first[k] ? 2
                      : rise[k] >= num(j, "oscillating")                       ? 1
                                                                               : 0;
        assert_int_equal(c, (int)cls[k]);
    }
    check(j, cls[0] == 0 && cls[2] > 0 && cls[3] > 0 ? "confirmed"
             : cls[3] > 0                            ? "partly"
                                                     : "refuted");
}

static void q6(void **state)
{
    sdn_jval *j = run_lab("q6");
    double f[16], v[16], lz[3], g[2];
    const int n = nums(j, "prune_fraction", f, 16);
    nums(j, "prune_val_accuracy", v, 16);
    nums(j, "l1_zero", lz, 3);
    nums(j, "gradual_zero_val", g, 2);
    double at_target = NAN;
    for (int i = 0; i < n; i++)
        if (f[i] == num(j, "target"))
            at_target = v[i];
    const int held = (v[n - 1] < v[0] - num(j, "tol")) + (lz[2] > lz[0]) + (g[1] > at_target);
    check(j, tally(held, 3));
}

static void q7(void **state)
{
    sdn_jval *j = run_lab("q7");
    double spe[2], conv[2], inf[2], plain[2], ece[16];
    nums(j, "seconds_per_epoch", spe, 2);
    nums(j, "epochs_to_best", conv, 2);
    nums(j, "inference_seconds", inf, 2);
    nums(j, "dropout_plain_accuracy_ece", plain, 2);
    const int n = nums(j, "mc_ece", ece, 16);
    const double slower = num(j, "slower");
    const int held = (spe[1] > slower * spe[0] || conv[1] > conv[0]) + (inf[1] <= slower * inf[0]) +
                     (ece[n - 1] < plain[1]);
    check(j, tally(held, 3));
}

static void q8(void **state)
{
    sdn_jval *j = run_lab("q8");
    double w[3], c[3], m = 0;
    nums(j, "written_test_accuracy", w, 3);
    nums(j, "corrected_test_accuracy", c, 3);
    m = num(j, "margin");
    int better = 0, worse = 0;
    for (int p = 0; p < 3; p++) {
        better += c[p] - w[p] > m;
        worse += c[p] - w[p] < -m;
    }
    check(j, better == 3 ? "confirmed" : better > worse ? "partly" : "refuted");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(q1), cmocka_unit_test(q2), cmocka_unit_test(q3), cmocka_unit_test(q4),
        cmocka_unit_test(q5), cmocka_unit_test(q6), cmocka_unit_test(q7), cmocka_unit_test(q8)};
    if (argc > 1) /* one lab per ctest test: "test_labs q4" */
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, setup, sdn_test_tmpdir_remove);
}
