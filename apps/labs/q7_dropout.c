/* q7: "Does dropout slow down training? Does it slow down inference (i.e., making predictions on
 * new instances)? What about MC Dropout?" Seconds per epoch and epochs to the best epoch with and
 * without (alpha) dropout, inference time of both, and MC Dropout's cost and what it buys
 * (accuracy, expected calibration error, spread) against its number of samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define Q7_SLOWER 1.05  /* "slower" means more than 5% more time */
#define Q7_MC_CHEAP 5.0 /* 100 MC samples "cheap" below 5 plain passes (computed once: prefix) */
#define Q7_ECE_BINS 15
#define Q7_ACC_GAIN 0.002 /* MC "more accurate" above +0.2 points */

static const int samples[] = {1, 2, 5, 10, 20, 50, 100};
enum { NS = sizeof samples / sizeof samples[0] };

typedef struct pred_stats {
    double accuracy, ece, spread, seconds;
} pred_stats;

/* Accuracy, ECE over Q7_ECE_BINS confidence bins and the mean std of the predicted class, of
 * probabilities p [n × k] (std may be NULL). */
static pred_stats score(const float *p, const float *sd, const int32_t *labels, size_t n, size_t k)
{
    double conf[Q7_ECE_BINS] = {0}, hit[Q7_ECE_BINS] = {0}, cnt[Q7_ECE_BINS] = {0};
    pred_stats s = {0};
    for (size_t i = 0; i < n; i++) {
        size_t a = 0;
        for (size_t j = 1; j < k; j++)
            a = p[i * k + j] > p[i * k + a] ? j : a;
        const double c = p[i * k + a];
        int b = (int)(c * Q7_ECE_BINS);
        b = b < 0 ? 0 : b >= Q7_ECE_BINS ? Q7_ECE_BINS - 1 : b;
        conf[b] += c;
        hit[b] += (int32_t)a == labels[i];
        cnt[b] += 1;
        s.spread += sd ? sd[i * k + a] : 0;
    }
    for (int b = 0; b < Q7_ECE_BINS; b++) {
        s.accuracy += hit[b];
        s.ece += fabs(hit[b] - conf[b]);
    }
    s.accuracy /= (double)n;
    s.ece /= (double)n;
    s.spread /= (double)n;
    return s;
}

/* Plain (mc = 0) or MC prediction of the whole test set, timed. */
static int predict(lab_ctx *ctx, sdn_model *m, int mc, pred_stats *out)
{
    const sdn_dataset *d = &ctx->test;
    const size_t k = sdn_model_output_size(m);
    float *x = malloc(d->n * d->features * sizeof *x), *p = malloc(d->n * k * sizeof *p),
          *sd = malloc(d->n * k * sizeof *sd);
    int rc = !x || !p || !sd;
    if (!rc) {
        sdn_preprocess_batch(&ctx->pre_std, d, NULL, 0, d->n, x);
        const double t0 = lab_now();
        rc = mc ? sdn_model_predict_mc(m, x, d->n, mc, p, sd) != SDN_OK
                : sdn_model_predict(m, x, d->n, p) != SDN_OK;
        const double t = lab_now() - t0;
        if (rc)
            app_error();
        *out = score(p, mc ? sd : NULL, d->labels, d->n, k);
        out->seconds = t;
    }
    free(x), free(p), free(sd);
    return rc;
}

/* Median of three timings of a plain (mc = 0) or MC prediction; the scores of the first. */
static int timed(lab_ctx *ctx, sdn_model *m, int mc, pred_stats *out)
{
    pred_stats r[3];
    for (int i = 0; i < 3; i++)
        if (predict(ctx, m, mc, &r[i]))
            return 1;
    double t[3] = {r[0].seconds, r[1].seconds, r[2].seconds};
    const double lo = fmin(t[0], fmin(t[1], t[2])), hi = fmax(t[0], fmax(t[1], t[2]));
    *out = r[0];
    out->seconds = t[0] + t[1] + t[2] - lo - hi;
    return 0;
}

/* The tables, the numbers, the verdict and the figures. */
static void conclude(lab_ctx *ctx, const lab_result *r, const pred_stats *plain,
                     const pred_stats *mc)
{
    double spe[2], conv[2], inf[2], ns[NS], mt[NS], ma[NS], me[NS], msp[NS];
    lab_md(ctx, "| model | s/epoch (train) | epochs to best | best val acc | test acc | "
                "inference s | test ECE |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < 2; k++) {
        spe[k] = r[k].fit.train_seconds / r[k].fit.epochs_done;
        conv[k] = r[k].fit.best_epoch;
        inf[k] = plain[k].seconds;
        lab_md(ctx, "| %s | %.2f | %.0f | %.2f%% | %.2f%% | %.3f | %.4f |\n",
               k ? "alpha dropout 0.1" : "no dropout", spe[k], conv[k], lab_pct(r[k].val_accuracy),
               lab_pct(plain[k].accuracy), inf[k], plain[k].ece);
    }
    lab_md(ctx, "\n| MC samples | seconds | x plain pass | test acc | ECE | spread "
                "|\n|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < NS; i++) {
        ns[i] = samples[i];
        mt[i] = mc[i].seconds;
        ma[i] = mc[i].accuracy;
        me[i] = mc[i].ece;
        msp[i] = mc[i].spread;
        lab_md(ctx, "| %d | %.3f | %.1f | %.2f%% | %.4f | %.4f |\n", samples[i], mt[i],
               mt[i] / inf[1], lab_pct(ma[i]), me[i], msp[i]);
    }
    lab_nums(ctx, "seconds_per_epoch", spe, 2); /* without, with dropout */
    lab_nums(ctx, "epochs_to_best", conv, 2);
    lab_nums(ctx, "inference_seconds", inf, 2);
    double pa[2] = {plain[1].accuracy, plain[1].ece};
    lab_nums(ctx, "dropout_plain_accuracy_ece", pa, 2);
    lab_nums(ctx, "mc_samples", ns, NS);
    lab_nums(ctx, "mc_seconds", mt, NS);
    lab_nums(ctx, "mc_accuracy", ma, NS);
    lab_nums(ctx, "mc_ece", me, NS);
    lab_nums(ctx, "mc_spread", msp, NS);
    lab_num(ctx, "slower", Q7_SLOWER);
    lab_num(ctx, "mc_cheap", Q7_MC_CHEAP);
    lab_num(ctx, "acc_gain", Q7_ACC_GAIN);
    const int train_slower = spe[1] > Q7_SLOWER * spe[0] || conv[1] > conv[0];
    const int infer_same = inf[1] <= Q7_SLOWER * inf[0];
    const double mc_cost = mt[NS - 1] / inf[1];
    const int mc_calibrates = me[NS - 1] < plain[1].ece;
    const int held = train_slower + infer_same + mc_calibrates;
    const char *verdict = lab_verdict(ctx, held, 3);
    lab_md(ctx,
           "\n**Verdict: %s.** Training with dropout: %.2f s/epoch against %.2f and best "
           "epoch %.0f against %.0f (%s). Inference with dropout (off) takes %.3f s "
           "against %.3f (%s). MC Dropout with %d samples costs %.1f plain passes (%s, "
           "threshold %.0f) and moves test accuracy %+.2f points (%s) and ECE from %.4f "
           "to %.4f (%s).\n",
           verdict, spe[1], spe[0], conv[1], conv[0], train_slower ? "slower" : "not slower",
           inf[1], inf[0], infer_same ? "no slower" : "slower", samples[NS - 1], mc_cost,
           mc_cost < Q7_MC_CHEAP ? "cheap" : "costly", Q7_MC_CHEAP,
           lab_pct(ma[NS - 1] - plain[1].accuracy),
           ma[NS - 1] - plain[1].accuracy > Q7_ACC_GAIN ? "more accurate" : "no real gain",
           plain[1].ece, me[NS - 1], mc_calibrates ? "better calibrated" : "not better calibrated");
    app_xy_series s[2] = {{"seconds / plain pass", ns, mt, NS, 0}};
    double rel[NS];
    for (int i = 0; i < NS; i++)
        rel[i] = mt[i] / inf[1];
    s[0].y = rel;
    app_xy_plot p = {"MC Dropout: cost of the test set in plain passes",
                     "MC samples",
                     "x one plain pass",
                     1,
                     0,
                     NAN};
    lab_xy_figure(ctx, "mc-cost", "MC Dropout cost", &p, s, 1);
    const lab_result *rr[2] = {&r[0], &r[1]};
    const char *labels[2] = {"no dropout", "alpha dropout"};
    lab_accuracy_figure(ctx, "accuracy", rr, labels, 2);
}

int lab_q7_dropout(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 7): dropout slows training down (it usually needs more "
                "epochs to converge; each epoch costs a little more); it does not slow inference "
                "(it is off then); MC Dropout multiplies inference cost by its number of samples "
                "— here only the layers after the first dropout layer are repeated, so for 8e "
                "(dropout just before the output) 100 samples should cost little more than one "
                "pass — and in exchange gives better calibrated probabilities.\n\n");
    lab_run run = lab_run_defaults(ctx, lab_spec(ctx, SDN_ACT_SELU, SDN_INIT_LECUN_NORMAL),
                                   SDN_OPT_NADAM, 5e-4f);
    run.epochs = 2 * ctx->epochs;
    run.patience = ctx->quick ? 2 : 5;
    lab_md(ctx,
           "**Setup**: the 8d/8e networks: %d x Dense(%zu, SELU, LeCun normal), without and "
           "with AlphaDropout(0.1) before the output layer, Nadam lr 5e-4, batch 32, at most "
           "%d epochs with early stopping (patience %d on val_accuracy); epochs to converge = "
           "the best epoch. Inference: the %zu test images in one call, median of 3 (MC too). MC "
           "Dropout on the dropout model with 1 to 100 samples; ECE over %d confidence "
           "bins; spread = mean std of the predicted class's probability.\n\n",
           ctx->layers, ctx->units, run.epochs, run.patience, ctx->test.n, Q7_ECE_BINS);
    lab_result r[2];
    if (lab_train(ctx, "no dropout", &run, &r[0]))
        return 1;
    run.spec.alpha_dropout = 0.1f;
    if (lab_train(ctx, "alpha dropout 0.1", &run, &r[1]))
        return lab_result_free(&r[0]), 1;
    pred_stats plain[2], mc[NS];
    int rc = timed(ctx, r[0].model, 0, &plain[0]) || timed(ctx, r[1].model, 0, &plain[1]);
    for (int i = 0; i < NS && !rc; i++)
        rc = timed(ctx, r[1].model, samples[i], &mc[i]);
    if (!rc)
        conclude(ctx, r, plain, mc);
    lab_result_free(&r[0]);
    lab_result_free(&r[1]);
    return rc;
}
