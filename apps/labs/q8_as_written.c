/* q8: the exercise's code as it is often written next to the corrected presets, so the difference
 * is measured rather than asserted: 8b with patience 10 on val_loss and a 20% validation split on
 * x/255, 8d/8e keeping ELU with LeCun init on x/255 — against elu-he, selu, alpha-dropout. */
#include <math.h>
#include <string.h>

#include "lab.h"

#define Q8_MARGIN 0.01 /* a difference of test accuracy counts beyond 1 point and the spread */

typedef struct pair {
    const char *id, *written, *corrected;
} pair;

static const pair pairs[3] = {
    {"8b", "ELU + He, x/255, patience 10 on val_loss, 20% validation split",
     "elu-he: standardized, patience 20 on val_accuracy, 10% split"},
    {"8d", "ELU + LeCun normal, x/255 (SELU forgotten, no standardization)",
     "selu: SELU + LeCun normal, standardized"},
    {"8e", "8d as written + AlphaDropout(0.1)", "alpha-dropout: selu + AlphaDropout(0.1)"},
};

/* The run of pair p, as written (written = 1) or corrected, on the lab's budget. */
static lab_run make_run(lab_ctx *ctx, int p, int written, sdn_dataset *tr80, sdn_dataset *va20)
{
    const int selu = p > 0 && !written;
    lab_run r = lab_run_defaults(ctx,
                                 lab_spec(ctx, selu ? SDN_ACT_SELU : SDN_ACT_ELU,
                                          p ? SDN_INIT_LECUN_NORMAL : SDN_INIT_HE_NORMAL),
                                 SDN_OPT_NADAM,
                                 p == 0   ? 5e-5f
                                 : p == 1 ? 7e-4f
                                          : 5e-4f); /* the presets' rates */
    r.spec.alpha_dropout = p == 2 ? 0.1f : 0.0f;
    r.epochs = 2 * ctx->epochs;
    r.patience = written ? 10 : 20;
    r.monitor = written ? SDN_MONITOR_VAL_LOSS : SDN_MONITOR_VAL_ACCURACY;
    if (written) {
        r.pre = &ctx->pre_raw;
        r.monitor = p == 0 ? SDN_MONITOR_VAL_LOSS : SDN_MONITOR_VAL_ACCURACY;
        if (p == 0) { /* the 20% split: the last fifth of the lab's training part */
            *tr80 = ctx->train;
            *va20 = ctx->train;
            tr80->owns = va20->owns = 0;
            tr80->n = ctx->train.n * 4 / 5;
            va20->n = ctx->train.n - tr80->n;
            va20->pixels += tr80->n * ctx->train.features;
            va20->labels += tr80->n;
            r.train = tr80;
            r.val = va20;
        }
    }
    return r;
}

/* One pair over ns seeds: test accuracies into tw / tc; the first seed's runs kept in r. */
static int pair_runs(lab_ctx *ctx, int p, int ns, double *tw, double *tc, lab_result r[2],
                     int epochs[2][2])
{
    for (int w = 0; w < 2; w++) {
        sdn_dataset tr80, va20;
        lab_run run = make_run(ctx, p, !w, &tr80, &va20);
        char label[48];
        snprintf(label, sizeof label, "%s %s", pairs[p].id, w ? "corrected" : "as written");
        double val[LAB_MAX_SEEDS];
        if (lab_train_seeds(ctx, label, &run, ns, &r[w], val, w ? tc : tw, NULL, NULL)) {
            if (w)
                lab_result_free(&r[0]);
            return 1;
        }
        epochs[w][0] = r[w].fit.epochs_done;
        epochs[w][1] = r[w].fit.best_epoch;
    }
    return 0;
}

int lab_q8_as_written(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (the corrected presets' comments): the code of exercise 8 as often "
                "written — SELU forgotten in 8d/8e (ELU kept with LeCun init), raw x/255 inputs, "
                "8b stopped on val_loss with patience 10 and a 20%% split — does worse than the "
                "presets simdnn ships.\n\n");
    const int ns = lab_seed_count(ctx, 1);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu), Nadam at each preset's rate, batch 32, at most %d "
           "epochs (the budget caps patience 20; say so when a run used it all), best "
           "weights restored, %d seeds; compared on the %zu test images (the validation sets "
           "differ in 8b). A difference counts when it exceeds the larger seed-to-seed sd and "
           "%.0f point.\n\n",
           ctx->layers, ctx->units, 2 * ctx->epochs, ns, ctx->test.n, lab_pct(Q8_MARGIN));
    lab_md(ctx, "| run | as written | test acc | epochs (best), first seed | corrected | test acc "
                "| epochs (best) | difference |\n|---|---|---:|---:|---|---:|---:|---:|\n");
    double diff[3], tw[3][LAB_MAX_SEEDS], tc[3][LAB_MAX_SEEDS];
    int cmp[3];
    lab_result res[3][2];
    for (int p = 0; p < 3; p++) {
        int ep[2][2];
        if (pair_runs(ctx, p, ns, tw[p], tc[p], res[p], ep)) {
            for (int q = 0; q < p; q++)
                lab_result_free(&res[q][0]), lab_result_free(&res[q][1]);
            return 1;
        }
        const lab_spread w = lab_spread_of(tw[p], ns), c = lab_spread_of(tc[p], ns);
        diff[p] = c.mean - w.mean;
        cmp[p] = lab_compare(c, w, Q8_MARGIN);
        char a[48], b[48];
        lab_md(ctx, "| %s | %s | %s | %d (%d) | %s | %s | %d (%d) | %+.2f (%s) |\n", pairs[p].id,
               pairs[p].written, lab_spread_cell(a, 48, w, 1), ep[0][0], ep[0][1],
               pairs[p].corrected, lab_spread_cell(b, 48, c, 1), ep[1][0], ep[1][1],
               lab_pct(diff[p]),
               cmp[p] > 0   ? "corrected better"
               : cmp[p] < 0 ? "written better"
                            : "no measurable difference");
    }
    for (int p = 0; p < 3; p++) { /* the figures after the table */
        char what[16];
        snprintf(what, sizeof what, "%s-accuracy", pairs[p].id);
        const lab_result *rr[2] = {&res[p][0], &res[p][1]};
        const char *labels[2] = {"as written", "corrected"};
        lab_md(ctx, "%s%s (first seed):", p ? "" : "\n", pairs[p].id);
        lab_accuracy_figure(ctx, what, rr, labels, 2);
        lab_result_free(&res[p][0]);
        lab_result_free(&res[p][1]);
    }
    static const char *const keys[3][2] = {{"written_8b", "corrected_8b"},
                                           {"written_8d", "corrected_8d"},
                                           {"written_8e", "corrected_8e"}};
    for (int p = 0; p < 3; p++) {
        lab_nums(ctx, keys[p][0], tw[p], ns);
        lab_nums(ctx, keys[p][1], tc[p], ns);
    }
    lab_num(ctx, "margin", Q8_MARGIN);
    int better = 0, worse = 0;
    for (int p = 0; p < 3; p++) {
        better += cmp[p] > 0;
        worse += cmp[p] < 0;
    }
    const char *verdict = better == 3 ? "confirmed" : better > worse ? "partly" : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx,
           "**Verdict: %s.** The corrected presets beat the code as written beyond the spread "
           "(and %.0f point) in %d of 3 pairs (8b %+.2f, 8d %+.2f, 8e %+.2f points of mean test "
           "accuracy)%s.\n",
           verdict, lab_pct(Q8_MARGIN), better, lab_pct(diff[0]), lab_pct(diff[1]),
           lab_pct(diff[2]), worse ? "; the code as written wins somewhere" : "");
    return 0;
}
