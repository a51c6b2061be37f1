/* q2: "Is it OK to initialize the bias terms to 0?" Zero biases against small random ones, over
 * seeds, so the difference can be held against the run-to-run spread. */
#include <math.h>

#include "lab.h"

#define Q2_BIAS_STD 0.1 /* the "small random" biases: N(0, 0.1²) */
/* A difference is "within noise" when below the seed-to-seed spread, and never below this. */
#define Q2_NOISE_FLOOR 0.01
#define Q2_TOL 1e-6 /* distinct units, as q1 */

static void random_biases(sdn_model *m, void *arg)
{
    const lab_ctx *ctx = arg;
    uint64_t s = ctx->seed * 31 + 5;
    sdn_tensor b[64];
    const int n = lab_params(m, ".bias", b, 64);
    for (int l = 0; l < n; l++)
        for (size_t i = 0; i < b[l].size; i++)
            b[l].data[i] = (float)(Q2_BIAS_STD * lab_normal(&s));
}

static void min_distinct(lab_ctx *ctx, const lab_result *r, int i, void *arg)
{
    int d[64], *lo = arg;
    const int n = lab_distinct_units(r->model, Q2_TOL, d, 64);
    for (int l = 0; l < n; l++)
        *lo = d[l] < *lo ? d[l] : *lo;
}

int lab_q2_zero_biases(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 2): yes — random weights already break the symmetry; zero "
                "or small random biases make no real difference.\n\n");
    const sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    lab_run run = lab_run_defaults(ctx, spec, SDN_OPT_NADAM, 1e-4f);
    const int ns = lab_seed_count(ctx, 1);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU, He normal), Nadam lr %g, batch 32, %d epochs; "
           "biases all 0 or drawn from N(0, %g²); %d seeds each (other weights, shuffles and "
           "biases). The noise is the larger seed-to-seed standard deviation of best validation "
           "accuracy of the two settings (at least %.0f point).\n\n",
           spec.hidden_layers, spec.units, (double)run.opt.learning_rate, run.epochs, Q2_BIAS_STD,
           ns, lab_pct(Q2_NOISE_FLOOR));
    lab_result r[2];
    double val[2][LAB_MAX_SEEDS], test[2][LAB_MAX_SEEDS];
    int distinct[2] = {1 << 30, 1 << 30};
    const char *labels[2] = {"zero biases", "random biases"};
    for (int k = 0; k < 2; k++) {
        run.prepare = k ? random_biases : NULL;
        run.arg = ctx;
        if (lab_train_seeds(ctx, labels[k], &run, ns, &r[k], val[k], test[k], min_distinct,
                            &distinct[k])) {
            if (k)
                lab_result_free(&r[0]);
            return 1;
        }
    }
    lab_spread sv[2], st[2];
    char a[48], b[48];
    lab_md(ctx, "| biases | best val acc | test acc | fewest distinct units in a layer (any seed) "
                "|\n|---|---:|---:|---:|\n");
    for (int k = 0; k < 2; k++) {
        sv[k] = lab_spread_of(val[k], ns);
        st[k] = lab_spread_of(test[k], ns);
        lab_md(ctx, "| %s | %s | %s | %d of %zu |\n", k ? "random" : "zero",
               lab_spread_cell(a, sizeof a, sv[k], 1), lab_spread_cell(b, sizeof b, st[k], 1),
               distinct[k], spec.units);
    }
    const double noise = lab_noise(sv[0], sv[1], Q2_NOISE_FLOOR);
    const double diff = sv[1].mean - sv[0].mean;
    const int within = lab_compare(sv[1], sv[0], Q2_NOISE_FLOOR) == 0;
    const int all_distinct = distinct[0] == (int)spec.units && distinct[1] == (int)spec.units;
    lab_num(ctx, "units", (double)spec.units);
    lab_nums(ctx, "zero_val", val[0], ns);
    lab_nums(ctx, "random_val", val[1], ns);
    lab_nums(ctx, "zero_test", test[0], ns);
    lab_nums(ctx, "random_test", test[1], ns);
    const double md[2] = {distinct[0], distinct[1]};
    lab_nums(ctx, "min_distinct", md, 2);
    lab_num(ctx, "noise_floor", Q2_NOISE_FLOOR);

    const char *verdict = within && all_distinct   ? "confirmed"
                          : within || all_distinct ? "partly"
                                                   : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx,
           "\n**Verdict: %s.** Random biases change the mean best validation accuracy by "
           "%+.2f points; the noise (seed to seed) is %.2f points, so %s. Distinct units: %s.\n",
           verdict, lab_pct(diff), lab_pct(noise),
           within ? "no measurable difference" : "the difference stands clear of the noise",
           all_distinct ? "every layer of every run keeps all its units distinct"
                        : "some layer lost distinct units");
    const lab_result *runs[2] = {&r[0], &r[1]};
    lab_accuracy_figure(ctx, "accuracy", runs, labels, 2);
    lab_result_free(&r[0]);
    lab_result_free(&r[1]);
    return 0;
}
