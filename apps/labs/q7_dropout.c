/* q7: "Does dropout slow down training? Does it slow down inference (i.e., making predictions on
 * new instances)? What about MC Dropout?" Seconds per epoch and epochs to the best epoch without
 * dropout, with AlphaDropout and with plain Dropout, inference time, and MC Dropout's cost and what
 * it buys (accuracy, expected calibration error, log-loss) against its number of samples, over
 * seeds: one sample tells the effect of a stochastic pass from the gain of averaging. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define Q7_SLOWER 1.05  /* "slower" means more than 5% more time */
#define Q7_MC_CHEAP 5.0 /* 100 MC samples "cheap" below 5 plain passes (computed once: prefix) */
#define Q7_ECE_BINS 15
#define Q7_ACC_GAIN 0.002  /* MC "more accurate" above +0.2 points */
#define Q7_ECE_FLOOR 0.002 /* an ECE gain counts above this (and the spread of the gain) */
#define Q7_EPOCH_FLOOR 1.0 /* "more epochs" needs at least one more on average */
#define Q7_NETS 3          /* no dropout, AlphaDropout, Dropout */

static const int samples[] = {1, 2, 5, 10, 20, 50, 100};
enum { NS = sizeof samples / sizeof samples[0] };

typedef struct pred_stats {
    double accuracy, ece, logloss, spread, seconds;
} pred_stats;

/* Accuracy, ECE over Q7_ECE_BINS confidence bins, log-loss and the mean std of the predicted class,
 * of probabilities p [n × k] (std may be NULL). */
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
        s.logloss -= log(fmax(p[i * k + labels[i]], 1e-7));
    }
    for (int b = 0; b < Q7_ECE_BINS; b++) {
        s.accuracy += hit[b];
        s.ece += fabs(hit[b] - conf[b]);
    }
    s.accuracy /= (double)n;
    s.ece /= (double)n;
    s.spread /= (double)n;
    s.logloss /= (double)n;
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

static const char *const net_names[Q7_NETS] = {"no dropout", "alpha dropout 0.1", "dropout 0.1"};
static const char *const net_keys[Q7_NETS] = {"none", "alpha", "plain"};

/* Every network's numbers at every seed. */
typedef struct q7_seeds {
    double spe[Q7_NETS][LAB_MAX_SEEDS], best[Q7_NETS][LAB_MAX_SEEDS], val[Q7_NETS][LAB_MAX_SEEDS];
    pred_stats plain[Q7_NETS][LAB_MAX_SEEDS], mc[Q7_NETS][NS][LAB_MAX_SEEDS];
    double inf_s[Q7_NETS][LAB_MAX_SEEDS], mc_s[NS][LAB_MAX_SEEDS]; /* each seed's timings */
    double inf[Q7_NETS], mc_seconds[NS]; /* their medians over the seeds (MC: alpha dropout) */
} q7_seeds;

/* One seed: trains the three networks, scores the plain pass and MC at each sample count (timed,
 * median of 3); keeps the first seed's results in r. */
static int one_seed(lab_ctx *ctx, lab_run *run, int i, q7_seeds *q, lab_result *r)
{
    int rc = 0;
    for (int k = 0; k < Q7_NETS && !rc; k++) {
        run->spec.alpha_dropout = k == 1 ? 0.1f : 0.0f;
        run->spec.dropout = k == 2 ? 0.1f : 0.0f;
        lab_result res;
        char label[64];
        ctx->seed = lab_seed(ctx, i);
        snprintf(label, sizeof label, "%s, seed %llu", net_names[k], (unsigned long long)ctx->seed);
        if ((rc = lab_train(ctx, label, run, &res)))
            break;
        q->spe[k][i] = res.fit.train_seconds / res.fit.epochs_done;
        q->best[k][i] = res.fit.best_epoch;
        q->val[k][i] = res.val_accuracy;
        rc = timed(ctx, res.model, 0, &q->plain[k][i]);
        q->inf_s[k][i] = q->plain[k][i].seconds;
        for (int m = 0; m < NS && !rc && k; m++) {
            rc = k != 1 ? predict(ctx, res.model, samples[m], &q->mc[k][m][i])
                        : timed(ctx, res.model, samples[m], &q->mc[k][m][i]);
            q->mc_s[m][i] = q->mc[k][m][i].seconds;
        }
        if (i)
            lab_result_free(&res);
        else
            r[k] = res;
    }
    ctx->seed = ctx->cfg->seed;
    if (rc && !i)
        for (int k = 0; k < Q7_NETS; k++)
            if (r[k].model)
                lab_result_free(&r[k]);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n timings (a loaded host's outliers are one-sided). */
static double median(const double *v, int n)
{
    double t[LAB_MAX_SEEDS];
    memcpy(t, v, (size_t)n * sizeof *t);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* +1 when a[i] − b[i] (paired, seed by seed) is above its spread and floor. */
static int paired_gain(const double *a, const double *b, int ns, double floor)
{
    double d[LAB_MAX_SEEDS];
    for (int i = 0; i < ns; i++)
        d[i] = a[i] - b[i];
    const lab_spread zero = {0, 0, 0, 0, ns};
    return lab_compare(lab_spread_of(d, ns), zero, floor) > 0;
}

static void field(const pred_stats *p, int ns, int which, double *out)
{
    for (int i = 0; i < ns; i++)
        out[i] = which == 0 ? p[i].accuracy : which == 1 ? p[i].ece : p[i].logloss;
}

/* The MC table and its numbers; returns whether MC (the most samples) beats both the plain pass
 * and a single sample on ECE, for both dropout networks. */
static int mc_table(lab_ctx *ctx, const q7_seeds *q, int ns)
{
    lab_md(ctx,
           "\n| prediction | x plain pass | alpha: test acc | ECE | log-loss | dropout: test acc "
           "| ECE | log-loss |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    double v[3][LAB_MAX_SEEDS];
    char c[6][48], key[48];
    for (int m = -1; m < NS; m++) {
        for (int k = 1; k < Q7_NETS; k++)
            for (int w = 0; w < 3; w++) {
                field(m < 0 ? q->plain[k] : q->mc[k][m], ns, w, v[w]);
                lab_spread_cell(c[(k - 1) * 3 + w], 48, lab_spread_of(v[w], ns), w == 0);
            }
        char name[32];
        snprintf(name, sizeof name, m < 0 ? "plain pass" : "MC, %d sample%s",
                 m < 0 ? 0 : samples[m], m > 0 ? "s" : "");
        lab_md(ctx, "| %s | %.1f | %s | %s | %s | %s | %s | %s |\n", name,
               m < 0 ? 1.0 : q->mc_seconds[m] / q->inf[1], c[0], c[1], c[2], c[3], c[4], c[5]);
    }
    int calibrates = 1;
    for (int k = 1; k < Q7_NETS; k++) {
        double plain[LAB_MAX_SEEDS], one[LAB_MAX_SEEDS], many[LAB_MAX_SEEDS];
        field(q->plain[k], ns, 1, plain);
        field(q->mc[k][0], ns, 1, one);
        field(q->mc[k][NS - 1], ns, 1, many);
        calibrates &=
            paired_gain(plain, many, ns, Q7_ECE_FLOOR) && paired_gain(one, many, ns, Q7_ECE_FLOOR);
        snprintf(key, sizeof key, "%s_plain_ece", net_keys[k]);
        lab_nums(ctx, key, plain, ns);
        for (int m = 0; m < NS; m++) {
            for (int w = 0; w < 3; w += 1) {
                static const char *const what[3] = {"acc", "ece", "logloss"};
                field(q->mc[k][m], ns, w, v[w]);
                snprintf(key, sizeof key, "%s_mc%d_%s", net_keys[k], samples[m], what[w]);
                lab_nums(ctx, key, v[w], ns);
            }
        }
    }
    return calibrates;
}

/* The tables, the numbers, the verdict and the figures. */
static void conclude(lab_ctx *ctx, const q7_seeds *qq, int ns, const lab_result *r)
{
    const q7_seeds q = *qq;
    lab_md(ctx, "| model | s/epoch (train) | epochs to best | best val acc | test acc | "
                "inference s |\n|---|---:|---:|---:|---:|---:|\n");
    lab_spread best[Q7_NETS], sp[Q7_NETS], inf[Q7_NETS];
    double spe[Q7_NETS];
    for (int k = 0; k < Q7_NETS; k++) {
        double t[LAB_MAX_SEEDS];
        char c[5][48], key[48];
        field(q.plain[k], ns, 0, t);
        best[k] = lab_spread_of(q.best[k], ns);
        sp[k] = lab_spread_of(q.spe[k], ns);
        inf[k] = lab_spread_of(q.inf_s[k], ns);
        spe[k] = sp[k].mean;
        lab_md(ctx, "| %s | %s | %s | %s | %s | %s |\n", net_names[k],
               lab_spread_cell(c[3], 48, sp[k], 0), lab_spread_cell(c[0], 48, best[k], 0),
               lab_spread_cell(c[1], 48, lab_spread_of(q.val[k], ns), 1),
               lab_spread_cell(c[2], 48, lab_spread_of(t, ns), 1),
               lab_spread_cell(c[4], 48, inf[k], 0));
        snprintf(key, sizeof key, "%s_epochs_to_best", net_keys[k]);
        lab_nums(ctx, key, q.best[k], ns);
        snprintf(key, sizeof key, "%s_seconds_per_epoch", net_keys[k]);
        lab_nums(ctx, key, q.spe[k], ns);
        snprintf(key, sizeof key, "%s_inference_seconds", net_keys[k]);
        lab_nums(ctx, key, q.inf_s[k], ns);
    }
    const int calibrates = mc_table(ctx, &q, ns);
    lab_nums(ctx, "mc_seconds", q.mc_seconds, NS);
    lab_num(ctx, "slower", Q7_SLOWER);
    lab_num(ctx, "ece_floor", Q7_ECE_FLOOR);
    lab_num(ctx, "epoch_floor", Q7_EPOCH_FLOOR);
    const int more_epochs = lab_compare(best[1], best[0], Q7_EPOCH_FLOOR) > 0 ||
                            lab_compare(best[2], best[0], Q7_EPOCH_FLOOR) > 0;
    /* timings as every other number: "slower" only beyond the seed-to-seed spread (and 5%) */
    const double tf = (Q7_SLOWER - 1) * sp[0].mean, inf_f = (Q7_SLOWER - 1) * inf[0].mean;
    const int train_slower =
        more_epochs || lab_compare(sp[1], sp[0], tf) > 0 || lab_compare(sp[2], sp[0], tf) > 0;
    const int infer_same =
        lab_compare(inf[1], inf[0], inf_f) <= 0 && lab_compare(inf[2], inf[0], inf_f) <= 0;
    const double mc_cost = q.mc_seconds[NS - 1] / q.inf[1];
    const char *verdict = lab_verdict(ctx, train_slower + infer_same + calibrates, 3);
    lab_md(ctx,
           "\n**Verdict: %s.** Training with dropout: %.2f / %.2f s/epoch (alpha / plain) "
           "against %.2f, best epoch %.1f / %.1f against %.1f (%s). Inference with dropout "
           "(off) takes %.3f / %.3f s against %.3f (%s). MC Dropout with %d samples costs %.1f "
           "plain passes (%s, threshold %.0f). Calibration: %s.\n",
           verdict, spe[1], spe[2], spe[0], best[1].mean, best[2].mean, best[0].mean,
           train_slower ? "slower" : "not measurably slower", inf[1].mean, inf[2].mean, inf[0].mean,
           infer_same ? "not measurably slower" : "slower", samples[NS - 1], mc_cost,
           mc_cost < Q7_MC_CHEAP ? "cheap" : "costly", Q7_MC_CHEAP,
           calibrates ? "averaging many samples beats both the plain pass and one sample on "
                        "both networks, beyond the spread"
                      : "averaging does not beat both the plain pass and one sample beyond the "
                        "spread on both networks (see the table for where the gain, if any, "
                        "comes from)");
    double ns_d[NS], rel[NS];
    for (int i = 0; i < NS; i++)
        ns_d[i] = samples[i], rel[i] = q.mc_seconds[i] / q.inf[1];
    app_xy_series s[1] = {{"seconds / plain pass", ns_d, rel, NS, 0}};
    app_xy_plot p = {"MC Dropout: cost of the test set in plain passes",
                     "MC samples",
                     "x one plain pass",
                     1,
                     0,
                     NAN};
    lab_xy_figure(ctx, "mc-cost", "MC Dropout cost", &p, s, 1);
    const lab_result *rr[3] = {&r[0], &r[1], &r[2]};
    lab_accuracy_figure(ctx, "accuracy", rr, net_names, 3);
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
    const int ns = lab_seed_count(ctx, 1);
    lab_md(ctx,
           "**Setup**: the 8d/8e networks: %d x Dense(%zu, SELU, LeCun normal), without dropout, "
           "with AlphaDropout(0.1) and with plain Dropout(0.1) before the output layer, Nadam lr "
           "5e-4, batch 32, at most %d epochs with early stopping (patience %d on val_accuracy), "
           "%d seeds; epochs to converge = the best epoch. Inference: the %zu test images in one "
           "call, median of 3 at each seed (MC too, on the AlphaDropout network; the MC cost is "
           "the median over the seeds); a network is slower only when its mean time exceeds "
           "the other's by more than the larger seed-to-seed sd and %.0f%%. MC Dropout with 1 "
           "to 100 "
           "samples on both dropout networks; ECE over %d confidence bins, log-loss of the true "
           "class. The plain pass (dropout off), one stochastic sample and the mean of many are "
           "compared seed by seed: MC is credited with better calibration only when its ECE is "
           "lower than both the plain pass's and one sample's by more than the spread of that "
           "difference (and %.3f), on both networks.\n\n",
           ctx->layers, ctx->units, run.epochs, run.patience, ns, ctx->test.n,
           lab_pct(Q7_SLOWER - 1), Q7_ECE_BINS, Q7_ECE_FLOOR);
    static q7_seeds q;
    lab_result r[Q7_NETS];
    memset(r, 0, sizeof r);
    for (int i = 0; i < ns; i++)
        if (one_seed(ctx, &run, i, &q, r)) {
            if (i)
                for (int k = 0; k < Q7_NETS; k++)
                    lab_result_free(&r[k]);
            return 1;
        }
    for (int k = 0; k < Q7_NETS; k++)
        q.inf[k] = median(q.inf_s[k], ns);
    for (int m = 0; m < NS; m++)
        q.mc_seconds[m] = median(q.mc_s[m], ns);
    conclude(ctx, &q, ns, r);
    for (int k = 0; k < Q7_NETS; k++)
        lab_result_free(&r[k]);
    return 0;
}
