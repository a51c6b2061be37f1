/* q2: "Is it OK to initialize the bias terms to 0?" Zero biases against small random ones, each
 * with two seeds so the difference can be held against the run-to-run noise. */
#include <math.h>

#include "lab.h"

#define Q2_BIAS_STD 0.1 /* the "small random" biases: N(0, 0.1²) */
/* A difference is "within noise" when below the seed-to-seed spread, and never below this. */
#define Q2_NOISE_FLOOR 0.01
#define Q2_TOL 1e-6 /* distinct units, as q1 */

static void random_biases(sdn_model *m, void *arg)
{
    uint64_t s = *(uint64_t *)arg;
    sdn_tensor b[64];
    const int n = lab_params(m, ".bias", b, 64);
    for (int l = 0; l < n; l++)
        for (size_t i = 0; i < b[l].size; i++)
            b[l].data[i] = (float)(Q2_BIAS_STD * lab_normal(&s));
}

static int min_distinct(const sdn_model *m)
{
    int d[64], lo = 1 << 30;
    const int n = lab_distinct_units(m, Q2_TOL, d, 64);
    for (int l = 0; l < n; l++)
        lo = d[l] < lo ? d[l] : lo;
    return lo;
}

int lab_q2_zero_biases(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 2): yes — random weights already break the symmetry; zero "
                "or small random biases make no real difference.\n\n");
    const sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    lab_run run = lab_run_defaults(ctx, spec, SDN_OPT_NADAM, 1e-4f);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU, He normal), Nadam lr %g, batch 32, %d epochs; "
           "biases all 0 or drawn from N(0, %g²); each twice (seeds s and s+1: other "
           "weights, shuffles and biases). The noise is the larger seed-to-seed difference "
           "of best validation accuracy within one setting (at least %.0f point).\n\n",
           spec.hidden_layers, spec.units, (double)run.opt.learning_rate, run.epochs, Q2_BIAS_STD,
           lab_pct(Q2_NOISE_FLOOR));
    lab_result r[4];
    const char *labels[4] = {"zero, seed s", "zero, seed s+1", "random, seed s",
                             "random, seed s+1"};
    uint64_t bias_seed[4];
    int ok = 1, k = 0;
    for (; k < 4 && ok; k++) {
        run.seed = ctx->cfg->seed + (uint64_t)(k % 2);
        bias_seed[k] = run.seed * 31 + 5;
        run.prepare = k >= 2 ? random_biases : NULL;
        run.arg = &bias_seed[k];
        ok = !lab_train(ctx, labels[k], &run, &r[k]);
    }
    if (!ok) {
        for (int i = 0; i < k - 1; i++)
            lab_result_free(&r[i]);
        return 1;
    }
    double val[4], test[4], distinct[4];
    lab_md(ctx, "| biases | seed | best val acc | test acc | fewest distinct units in a layer "
                "|\n|---|---|---:|---:|---:|\n");
    for (int i = 0; i < 4; i++) {
        val[i] = r[i].val_accuracy;
        test[i] = r[i].test_accuracy;
        distinct[i] = min_distinct(r[i].model);
        lab_md(ctx, "| %s | %s | %.2f%% | %.2f%% | %.0f of %zu |\n", i < 2 ? "zero" : "random",
               i % 2 ? "s+1" : "s", lab_pct(val[i]), lab_pct(test[i]), distinct[i], spec.units);
    }
    const double noise = fmax(Q2_NOISE_FLOOR, fmax(fabs(val[0] - val[1]), fabs(val[2] - val[3])));
    const double diff = (val[2] + val[3]) / 2 - (val[0] + val[1]) / 2;
    const int all_distinct = distinct[0] == (double)spec.units &&
                             distinct[1] == (double)spec.units &&
                             distinct[2] == (double)spec.units && distinct[3] == (double)spec.units;
    lab_num(ctx, "units", (double)spec.units);
    lab_nums(ctx, "val_accuracy", val, 4);
    lab_nums(ctx, "test_accuracy", test, 4);
    lab_nums(ctx, "min_distinct", distinct, 4);
    lab_num(ctx, "noise_floor", Q2_NOISE_FLOOR);

    const char *verdict = fabs(diff) <= noise && all_distinct   ? "confirmed"
                          : fabs(diff) <= noise || all_distinct ? "partly"
                                                                : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx,
           "\n**Verdict: %s.** Random biases change the mean best validation accuracy by "
           "%+.2f points; the noise (seed to seed) is %.2f points, so the difference is %s. "
           "Distinct units: %s.\n",
           verdict, lab_pct(diff), lab_pct(noise),
           fabs(diff) <= noise ? "within noise" : "beyond noise",
           all_distinct ? "every layer of every run keeps all its units distinct"
                        : "some layer lost distinct units");
    const lab_result *runs[4] = {&r[0], &r[1], &r[2], &r[3]};
    lab_accuracy_figure(ctx, "accuracy", runs, labels, 4);
    for (int i = 0; i < 4; i++)
        lab_result_free(&r[i]);
    return 0;
}
