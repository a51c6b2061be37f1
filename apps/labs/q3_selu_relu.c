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

static int first_epoch_reaching(const sdn_fit_state *h, double target)
{
    for (int i = 0; i < h->history_len; i++)
        if (h->history[i].val_accuracy >= target)
            return h->history[i].epoch;
    return 0;
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

/* Trains the three contenders: st[k][0] at initialization, st[k][1] after training. Returns the
 * number of hidden layers, or 0 after an error (nothing left to free). */
static int train_all(lab_ctx *ctx, lab_run *run, lab_result *r, lab_layer_stats st[3][2][64])
{
    int nl = 0;
    for (int k = 0; k < 3; k++) {
        run->spec = lab_spec(ctx, runs[k].act, runs[k].init);
        sdn_model *fresh = NULL;
        if (sdn_net_build(&run->spec, ctx->cfg->seed, 32, &run->opt, &fresh))
            app_error();
        if (!fresh || lab_train(ctx, runs[k].label, run, &r[k])) {
            sdn_model_free(fresh);
            for (int i = 0; i < k; i++)
                lab_result_free(&r[i]);
            return 0;
        }
        nl = lab_hidden_stats(fresh, &run->spec, &ctx->val, &ctx->pre_std, Q3_ROWS, st[k][0], 64);
        lab_hidden_stats(r[k].model, &run->spec, &ctx->val, &ctx->pre_std, Q3_ROWS, st[k][1], 64);
        sdn_model_free(fresh);
    }
    return nl;
}

/* The tables, the numbers, the verdict and the figure. */
static void conclude(lab_ctx *ctx, const lab_result *r, lab_layer_stats st[3][2][64], int nl)
{
    double best = 0;
    for (int k = 0; k < 3; k++)
        best = fmax(best, r[k].val_accuracy);
    const double target = floor(100 * Q3_TARGET_FRACTION * best) / 100;
    double epochs_to[3], val[3], test[3], dead_init[3], dead_trained[3];
    for (int k = 0; k < 3; k++) {
        epochs_to[k] = first_epoch_reaching(&r[k].fit, target);
        val[k] = r[k].val_accuracy;
        test[k] = r[k].test_accuracy;
        dead_init[k] = dead_trained[k] = 0;
        for (int l = 0; l < nl; l++) {
            dead_init[k] += st[k][0][l].dead / nl;
            dead_trained[k] += st[k][1][l].dead / nl;
        }
    }
    stats_table(ctx, st, nl);
    lab_md(ctx,
           "\n| run | best val acc | test acc | epochs to %.0f%% val acc | dead units at "
           "init | after training |\n|---|---:|---:|---:|---:|---:|\n",
           lab_pct(target));
    for (int k = 0; k < 3; k++) {
        char cell[32];
        if (epochs_to[k])
            snprintf(cell, sizeof cell, "%.0f", epochs_to[k]);
        else
            snprintf(cell, sizeof cell, "not reached");
        lab_md(ctx, "| %s | %.2f%% | %.2f%% | %s | %.1f%% | %.1f%% |\n", runs[k].label,
               lab_pct(val[k]), lab_pct(test[k]), cell, lab_pct(dead_init[k]),
               lab_pct(dead_trained[k]));
    }
    lab_md(ctx, "\n");
    double sm[2][2] = {{st[0][0][nl - 1].mean, st[0][0][nl - 1].std},
                       {st[0][1][nl - 1].mean, st[0][1][nl - 1].std}};
    lab_num(ctx, "layers", nl);
    lab_nums(ctx, "selu_deepest_init", sm[0], 2);
    lab_nums(ctx, "selu_deepest_trained", sm[1], 2);
    lab_num(ctx, "target", target);
    lab_nums(ctx, "epochs_to_target", epochs_to, 3); /* selu, relu, elu; 0 = not reached */
    lab_nums(ctx, "val_accuracy", val, 3);
    lab_nums(ctx, "dead_trained", dead_trained, 3);
    lab_num(ctx, "mean_tol", Q3_MEAN_TOL);
    lab_num(ctx, "std_tol", Q3_STD_TOL);

    const int normalizes = fabs(sm[0][0]) < Q3_MEAN_TOL && fabs(sm[0][1] - 1) < Q3_STD_TOL;
    int fastest = -1;
    for (int k = 0; k < 3; k++)
        if (epochs_to[k] && (fastest < 0 || epochs_to[k] < epochs_to[fastest]))
            fastest = k;
    const int relu_dies = dead_trained[1] > 0;
    const int selu_fastest = fastest == 0;
    const char *verdict = normalizes && relu_dies && selu_fastest   ? "confirmed"
                          : normalizes || relu_dies || selu_fastest ? "partly"
                                                                    : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx,
           "**Verdict: %s.** Self-normalization at init: %s (SELU's layer %d: mean %.3f, std "
           "%.3f; after training %.2f, %.2f). Dead ReLU units after training: %.1f%% of all "
           "hidden units (%s). Fastest to %.0f%%: %s.\n",
           verdict, normalizes ? "yes" : "no", nl, sm[0][0], sm[0][1], sm[1][0], sm[1][1],
           lab_pct(dead_trained[1]), relu_dies ? "some die" : "none died here", lab_pct(target),
           fastest < 0 ? "none reached it" : runs[fastest].label);
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
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu), each activation with its initializer, Nadam lr %g "
           "(the same for all), batch 32, %d epochs. Statistics: mean and std of each hidden "
           "layer's outputs on %d validation rows, recomputed from the weights at "
           "initialization and after training (best epoch). A unit is dead when it outputs "
           "0 for every one of those rows.\n\n",
           ctx->layers, ctx->units, (double)run.opt.learning_rate, run.epochs, Q3_ROWS);
    static lab_layer_stats st[3][2][64];
    lab_result r[3];
    const int nl = train_all(ctx, &run, r, st);
    if (nl <= 0)
        return 1;
    conclude(ctx, r, st, nl);
    for (int k = 0; k < 3; k++)
        lab_result_free(&r[k]);
    return 0;
}
