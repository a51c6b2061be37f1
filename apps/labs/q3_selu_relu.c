/* q3: "Name three advantages of the SELU activation function over ReLU." Measured: activation
 * statistics through the depth at init and after training (self-normalization), dead ReLU units,
 * and epochs to reach a fixed validation accuracy; ELU + He as the third contender. */
#include <math.h>
#include <stdio.h>

#include "lab.h"

#define Q3_ROWS 512            /* validation rows the statistics are taken on */
#define Q3_MEAN_TOL 0.15       /* "self-normalized": deepest layer |mean| below this */
#define Q3_STD_TOL 0.25        /* ... and |std − 1| below this */
#define Q3_TARGET_FRACTION 0.9 /* the fixed target: 90% of the best run's best val accuracy */

typedef struct contender {
    const char *label;
    sdn_activation act;
    sdn_init_kind init;
} contender;

static const contender runs[3] = {{"selu + lecun_normal", SDN_ACT_SELU, SDN_INIT_LECUN_NORMAL},
                                  {"relu + he_normal", SDN_ACT_RELU, SDN_INIT_HE_NORMAL},
                                  {"elu + he_normal", SDN_ACT_ELU, SDN_INIT_HE_NORMAL}};

#define Q3_EPOCH_FLOOR 1.0  /* "faster" needs at least one epoch fewer on average ... */
#define Q3_DEAD_FLOOR 0.005 /* "some die": newly dead units above 0.5% in every seed */

/* The first epoch (1-based) whose validation accuracy reaches target; budget + 1 if none. */
static double first_epoch_reaching(const double *curve, int n, int budget, double target)
{
    for (int e = 0; e < n; e++)
        if (curve[e] >= target)
            return e + 1;
    return budget + 1;
}

static void stats_table(lab_ctx *ctx, lab_layer_stats st[3][2][64], int nl)
{
    lab_md(ctx, "| layer | SELU init mean / std | trained | ReLU init | trained (dead) | ELU init "
                "| trained |\n|---:|---:|---:|---:|---:|---:|---:|\n");
    const int show[] = {1, 2, 5, 10, 15, 20};
    for (int i = 0, last = -1; i < 6; i++) {
        const int l = (show[i] < nl ? show[i] : nl) - 1; /* the deepest layer stands in */
        if (l == last)
            continue;
        last = l;
        lab_md(ctx,
               "| %d | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f (%.0f%%) | "
               "%.2f / %.2f | %.2f / %.2f |\n",
               l + 1, st[0][0][l].mean, st[0][0][l].std, st[0][1][l].mean, st[0][1][l].std,
               st[1][0][l].mean, st[1][0][l].std, st[1][1][l].mean, st[1][1][l].std,
               lab_pct(st[1][1][l].dead), st[2][0][l].mean, st[2][0][l].std, st[2][1][l].mean,
               st[2][1][l].std);
    }
}

/* What one contender's runs give over the seeds (statistics tables: the first seed's). */
typedef struct q3_seeds {
    double val[LAB_MAX_SEEDS], dead_init[LAB_MAX_SEEDS], dead_after[LAB_MAX_SEEDS];
    double newly_dead[LAB_MAX_SEEDS], epochs_to[LAB_MAX_SEEDS];
    double deep_mean[LAB_MAX_SEEDS], deep_std[LAB_MAX_SEEDS]; /* deepest layer at init */
    double curve[LAB_MAX_SEEDS][64];                          /* validation accuracy per epoch */
    int curve_len[LAB_MAX_SEEDS];
} q3_seeds;

/* Fractions of hidden units dead at init, dead after training, and dead after but alive at init. */
static void dead_fractions(const unsigned char *init, const unsigned char *after, size_t n,
                           double *f)
{
    size_t a = 0, b = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        a += init[i];
        b += after[i];
        c += after[i] && !init[i];
    }
    f[0] = (double)a / n, f[1] = (double)b / n, f[2] = (double)c / n;
}

/* One contender at one seed: statistics at init and after training into st (seed 0 keeps its
 * result in r), dead units into q. Returns the number of hidden layers, 0 after an error. */
static int train_one(lab_ctx *ctx, lab_run *run, int k, int i, lab_result *r,
                     lab_layer_stats st[2][64], q3_seeds *q)
{
    static unsigned char dead[2][64 * 1024];
    run->spec = lab_spec(ctx, runs[k].act, runs[k].init);
    ctx->seed = lab_seed(ctx, i);
    sdn_model *fresh = NULL;
    lab_result res;
    char label[64];
    snprintf(label, sizeof label, "%s, seed %llu", runs[k].label, (unsigned long long)ctx->seed);
    if (sdn_net_build(&run->spec, ctx->seed, 32, &run->opt, &fresh))
        app_error();
    if (!fresh || lab_train(ctx, label, run, &res)) {
        sdn_model_free(fresh);
        ctx->seed = ctx->cfg->seed;
        return 0;
    }
    ctx->seed = ctx->cfg->seed;
    const int nl =
        lab_hidden_stats(fresh, &run->spec, &ctx->val, &ctx->pre_std, Q3_ROWS, st[0], 64, dead[0]);
    lab_hidden_stats(res.model, &run->spec, &ctx->val, &ctx->pre_std, Q3_ROWS, st[1], 64, dead[1]);
    sdn_model_free(fresh);
    double f[3];
    dead_fractions(dead[0], dead[1], (size_t)nl * ctx->units, f);
    q->dead_init[i] = f[0], q->dead_after[i] = f[1], q->newly_dead[i] = f[2];
    q->val[i] = res.val_accuracy;
    q->deep_mean[i] = st[0][nl - 1].mean;
    q->deep_std[i] = st[0][nl - 1].std;
    q->curve_len[i] = res.fit.history_len < 64 ? res.fit.history_len : 64;
    for (int e = 0; e < q->curve_len[i]; e++)
        q->curve[i][e] = res.fit.history[e].val_accuracy;
    if (i)
        lab_result_free(&res);
    else
        *r = res;
    return nl;
}

/* The three contenders over ns seeds. Returns the number of hidden layers, or 0 after an error
 * (nothing left to free). */
static int train_all(lab_ctx *ctx, lab_run *run, int ns, lab_result *r,
                     lab_layer_stats st[3][2][64], q3_seeds *q)
{
    static lab_layer_stats scratch[2][64];
    int nl = 0;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < ns; i++) {
            nl = train_one(ctx, run, k, i, &r[k], i ? scratch : st[k], &q[k]);
            if (!nl) {
                for (int j = 0; j < k + (i > 0); j++)
                    lab_result_free(&r[j]);
                return 0;
            }
        }
    return nl;
}

/* The tables, the numbers, the verdict and the figure. */
static void conclude(lab_ctx *ctx, int ns, int budget, const lab_result *r,
                     lab_layer_stats st[3][2][64], q3_seeds *q, int nl)
{
    lab_spread val[3], ep[3], di[3], da[3], nd[3];
    double best = 0;
    for (int k = 0; k < 3; k++) {
        val[k] = lab_spread_of(q[k].val, ns);
        best = fmax(best, val[k].mean);
    }
    const double target = floor(100 * Q3_TARGET_FRACTION * best) / 100;
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < ns; i++)
            q[k].epochs_to[i] =
                first_epoch_reaching(q[k].curve[i], q[k].curve_len[i], budget, target);
        ep[k] = lab_spread_of(q[k].epochs_to, ns);
        di[k] = lab_spread_of(q[k].dead_init, ns);
        da[k] = lab_spread_of(q[k].dead_after, ns);
        nd[k] = lab_spread_of(q[k].newly_dead, ns);
    }
    lab_md(ctx, "First seed, layer by layer (mean / std of the outputs):\n\n");
    stats_table(ctx, st, nl);
    lab_md(ctx,
           "\nOver %d seeds (mean ± sd; \"not reached\" counts as %d epochs):\n\n| run | best val "
           "acc | epochs to %.0f%% val acc | dead units at init | after training | newly dead "
           "(dead after, alive at init) |\n|---|---:|---:|---:|---:|---:|\n",
           ns, budget + 1, lab_pct(target));
    for (int k = 0; k < 3; k++) {
        char c[5][48];
        lab_md(ctx, "| %s | %s | %s | %s | %s | %s |\n", runs[k].label,
               lab_spread_cell(c[0], 48, val[k], 1), lab_spread_cell(c[1], 48, ep[k], 0),
               lab_spread_cell(c[2], 48, di[k], 1), lab_spread_cell(c[3], 48, da[k], 1),
               lab_spread_cell(c[4], 48, nd[k], 1));
    }
    lab_md(ctx, "\n");
    const lab_spread dm = lab_spread_of(q[0].deep_mean, ns), ds = lab_spread_of(q[0].deep_std, ns);
    lab_num(ctx, "layers", nl);
    lab_nums(ctx, "selu_deepest_init_mean", q[0].deep_mean, ns);
    lab_nums(ctx, "selu_deepest_init_std", q[0].deep_std, ns);
    lab_num(ctx, "target", target);
    lab_num(ctx, "budget", budget);
    static const char *const keys[3] = {"selu", "relu", "elu"};
    for (int k = 0; k < 3; k++) {
        char key[48];
        snprintf(key, sizeof key, "%s_epochs_to_target", keys[k]);
        lab_nums(ctx, key, q[k].epochs_to, ns); /* budget + 1: not reached */
        snprintf(key, sizeof key, "%s_val", keys[k]);
        lab_nums(ctx, key, q[k].val, ns);
    }
    lab_nums(ctx, "relu_dead_init", q[1].dead_init, ns);
    lab_nums(ctx, "relu_dead_after", q[1].dead_after, ns);
    lab_nums(ctx, "relu_newly_dead", q[1].newly_dead, ns);
    lab_num(ctx, "mean_tol", Q3_MEAN_TOL);
    lab_num(ctx, "std_tol", Q3_STD_TOL);
    lab_num(ctx, "epoch_floor", Q3_EPOCH_FLOOR);
    lab_num(ctx, "dead_floor", Q3_DEAD_FLOOR);

    const int normalizes = fabs(dm.mean) < Q3_MEAN_TOL && fabs(ds.mean - 1) < Q3_STD_TOL;
    const int relu_dies = nd[1].min > Q3_DEAD_FLOOR;
    /* SELU faster: fewer epochs than ReLU and than ELU, each beyond the spread */
    const int vs_relu = lab_compare(ep[1], ep[0], Q3_EPOCH_FLOOR) > 0;
    const int vs_elu = lab_compare(ep[2], ep[0], Q3_EPOCH_FLOOR) > 0;
    const char *verdict = lab_verdict(ctx, normalizes + relu_dies + (vs_relu && vs_elu), 3);
    lab_md(ctx,
           "**Verdict: %s.** Self-normalization at init: %s (SELU's layer %d: mean %.3f, std "
           "%.3f over the seeds). ReLU units newly dead after training: %.1f%% of all hidden "
           "units (min %.1f%% over the seeds; %.1f%% were already dead at init, %.1f%% dead "
           "after): %s. Epochs to %.0f%%: SELU %.1f, ReLU %.1f, ELU %.1f (sd %.1f, %.1f, %.1f): "
           "SELU %s ReLU and %s ELU.\n",
           verdict, normalizes ? "yes" : "no", nl, dm.mean, ds.mean, lab_pct(nd[1].mean),
           lab_pct(nd[1].min), lab_pct(di[1].mean), lab_pct(da[1].mean),
           relu_dies ? "some die in training" : "no measurable dying", lab_pct(target), ep[0].mean,
           ep[1].mean, ep[2].mean, ep[0].sd, ep[1].sd, ep[2].sd,
           vs_relu ? "is faster than" : "has no measurable lead over",
           vs_elu ? "faster than" : "no measurable lead over");
    const lab_result *rr[3] = {&r[0], &r[1], &r[2]};
    const char *labels[3] = {runs[0].label, runs[1].label, runs[2].label};
    lab_accuracy_figure(ctx, "accuracy", rr, labels, 3);
}

int lab_q3_selu_relu(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 3): SELU (with LeCun init and standardized inputs) keeps the "
                "layers' outputs at mean 0 and std 1 through the depth (self-normalization), "
                "cannot die as ReLU units do, and so trains a deep plain stack faster.\n\n");
    lab_run run = lab_run_defaults(ctx, lab_spec(ctx, SDN_ACT_SELU, SDN_INIT_LECUN_NORMAL),
                                   SDN_OPT_NADAM, 2e-4f);
    run.epochs = ctx->epochs + ctx->epochs / 2;
    const int ns = lab_seed_count(ctx, 1);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu), each activation with its initializer, Nadam lr %g "
           "(the same for all), batch 32, %d epochs, %d seeds each. Statistics: mean and std of "
           "each hidden layer's outputs on %d validation rows, recomputed from the weights at "
           "initialization and after training (best epoch). A unit is dead when it outputs 0 "
           "for every one of those rows; it *died* when it is dead after training and was alive "
           "at initialization. \"Faster\" = fewer epochs to a fixed validation accuracy (%.0f%% "
           "of the best mean), by more than the larger seed-to-seed sd and at least %.0f epoch; "
           "\"some die\" = newly dead above %.1f%% in every seed.\n\n",
           ctx->layers, ctx->units, (double)run.opt.learning_rate, run.epochs, ns, Q3_ROWS,
           lab_pct(Q3_TARGET_FRACTION), Q3_EPOCH_FLOOR, lab_pct(Q3_DEAD_FLOOR));
    static lab_layer_stats st[3][2][64];
    static q3_seeds q[3];
    lab_result r[3];
    const int nl = train_all(ctx, &run, ns, r, st, q);
    if (nl <= 0)
        return 1;
    conclude(ctx, ns, run.epochs, r, st, q, nl);
    for (int k = 0; k < 3; k++)
        lab_result_free(&r[k]);
    return 0;
}
