/* The exercise's report (report.md) and learning curves, written from the measured results only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "svg.h"

static const app_exercise_run *const runs = app_exercise_runs;

static void fmt_dur(char *buf, size_t size, double s)
{
    if (s >= 3600)
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
    else if (s >= 60)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, size, "%.1fs", s);
}

/* First epoch whose validation accuracy reaches `target`, or 0. */
static int epoch_reaching(const sdn_fit_state *h, double target)
{
    for (int i = 0; i < h->history_len; i++)
        if (h->history[i].val_accuracy >= target)
            return h->history[i].epoch;
    return 0;
}

void app_exercise_plots(const char *dir, const app_exercise_results *r)
{
    app_svg_series loss[4], acc[4];
    double *buf[4][4] = {{0}};
    char labels[4][32];
    int ns = 0;
    for (int k = 0; k < 4; k++) {
        if (!r->done[k])
            continue;
        const sdn_fit_state *h = &r->res[k].history;
        for (int j = 0; j < 4; j++)
            buf[k][j] = malloc((size_t)h->history_len * sizeof(double));
        if (!buf[k][0] || !buf[k][1] || !buf[k][2] || !buf[k][3])
            continue;
        for (int i = 0; i < h->history_len; i++) {
            buf[k][0][i] = h->history[i].loss;
            buf[k][1][i] = h->history[i].val_loss;
            buf[k][2][i] = h->history[i].accuracy;
            buf[k][3][i] = h->history[i].val_accuracy;
        }
        snprintf(labels[k], sizeof labels[k], "%s %s", runs[k].id, runs[k].preset);
        loss[ns] = (app_svg_series){labels[k], buf[k][0], buf[k][1], h->history_len};
        acc[ns] = (app_svg_series){labels[k], buf[k][2], buf[k][3], h->history_len};
        ns++;
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/loss.svg", dir);
    app_svg_curves(path, "Loss per epoch (solid: validation, dashed: training)", "loss", loss, ns);
    snprintf(path, sizeof path, "%s/accuracy.svg", dir);
    app_svg_curves(path, "Accuracy per epoch (solid: validation, dashed: training)", "accuracy",
                   acc, ns);
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 4; j++)
            free(buf[k][j]);
}

/* How it ran and the comparison table. */
static void report_table(FILE *f, const app_exercise_results *r)
{
    fprintf(f, "# Exercise 8 (Géron, ch. 11): deep dense networks on %s\n\n",
            !strcmp(r->dataset, "cifar10") ? "CIFAR-10" : r->dataset);
    fprintf(f,
            "Produced by `simdnn exercise%s` on %s: %s, ISA %s, %d thread%s. Data: %zu training, "
            "%zu validation (the last part of the training set), %zu test samples%s.\n\n",
            r->command, r->when, r->cpu, r->isa, r->threads, r->threads == 1 ? "" : "s", r->n_train,
            r->n_val, r->n_test, r->subset ? " (a subset: a smoke run, not the real numbers)" : "");
    fprintf(f,
            "Every run: 20 hidden layers of 100 units, Nadam, batch %zu, at most %d epochs, "
            "early stopping on %s with patience %d, best weights restored; inputs "
            "standardized per pixel with statistics from the training part.\n\n",
            r->batch_size, r->epochs,
            r->monitor == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy", r->patience);
    fprintf(
        f,
        "| run | model | best val acc | test acc | epochs to best | epochs run | s/epoch | "
        "total time | stop | peak val acc |\n|---|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
    for (int k = 0; k < 4; k++) {
        if (!r->done[k])
            continue;
        const app_train_result *s = &r->res[k];
        char tt[32];
        fmt_dur(tt, sizeof tt, s->total_seconds);
        /* The best epoch is chosen by --monitor; the highest accuracy seen is shown beside it. */
        double peak = 0;
        int peak_epoch = 0;
        for (int i = 0; i < s->history.history_len; i++)
            if (s->history.history[i].val_accuracy > peak) {
                peak = s->history.history[i].val_accuracy;
                peak_epoch = s->history.history[i].epoch;
            }
        fprintf(
            f, "| %s | %s: %s | %.2f%% | %.2f%% | %d | %d | %.1f | %s | %s | %.2f%% (epoch %d) |\n",
            runs[k].id, runs[k].preset, runs[k].what, 100 * s->best_val_accuracy,
            100 * s->test_accuracy, s->best_epoch, s->epochs_run, s->seconds_per_epoch, tt,
            sdn_stop_reason_name(s->stop), 100 * peak, peak_epoch);
    }
    if (!isnan(r->mc_val[1]))
        fprintf(f,
                "| 8e + MC | 8e's model, MC Dropout (%d samples) | %.2f%% | %.2f%% | | | | | | |\n",
                r->mc_samples, 100 * r->mc_val[1], 100 * r->mc_test[1]);
}

/* b. He + ELU; c. batch normalization against it */
static void answer_b_c(FILE *f, const app_exercise_results *r)
{
    const app_train_result *b = &r->res[0], *c = &r->res[1];
    if (r->done[0])
        fprintf(f,
                "**b. He + ELU + Nadam with early stopping** reaches %.2f%% validation accuracy "
                "(best epoch %d of %d, %.1f s/epoch).\n\n",
                100 * b->best_val_accuracy, b->best_epoch, b->epochs_run, b->seconds_per_epoch);
    if (!r->done[0] || !r->done[1])
        return;
    int reach = epoch_reaching(&c->history, b->best_val_accuracy);
    double d = c->best_val_accuracy - b->best_val_accuracy;
    if (reach)
        fprintf(f,
                "**c. Batch normalization.** Converges faster? %s: 8c matched 8b's best "
                "validation accuracy (%.2f%%) at epoch %d, where 8b needed %d epochs; 8c then "
                "kept improving until epoch %d. ",
                reach < b->best_epoch ? "yes" : "no", 100 * b->best_val_accuracy, reach,
                b->best_epoch, c->best_epoch);
    else
        fprintf(f,
                "**c. Batch normalization.** Converges faster? no: 8c never reached 8b's best "
                "validation accuracy (%.2f%%); its best came at epoch %d against %d for 8b. ",
                100 * b->best_val_accuracy, c->best_epoch, b->best_epoch);
    fprintf(f,
            "Better? %s: %+.2f points of validation accuracy (%.2f%% vs %.2f%%), test %.2f%% vs "
            "%.2f%%. Cost: %.1f s/epoch against %.1f, %+.0f%% per epoch (BN adds a "
            "normalization pass and its backward per layer).\n\n",
            d > 0 ? "yes" : "no", 100 * d, 100 * c->best_val_accuracy, 100 * b->best_val_accuracy,
            100 * c->test_accuracy, 100 * b->test_accuracy, c->seconds_per_epoch,
            b->seconds_per_epoch, 100 * (c->seconds_per_epoch / b->seconds_per_epoch - 1));
}

/* the statistics of layer l: w 0 at initialization, 1 trained; NaN past the last layer */
static void stat_cells(FILE *f, const app_exercise_stats *s, int w, int l)
{
    const double *mean = w ? s->trained_mean : s->init_mean, *sd = w ? s->trained_std : s->init_std;
    fprintf(f, " %.3f | %.3f |", l < s->layers ? mean[l] : NAN, l < s->layers ? sd[l] : NAN);
}

static void stats_table(FILE *f, const app_exercise_results *r)
{
    const app_exercise_stats *s = r->stats;
    const int stat_runs[2] = {0, 2};
    fprintf(f,
            "Self-normalization: mean and standard deviation of each hidden layer's "
            "output on %zu validation images, for the network at initialization and "
            "after training:\n\n| layer |",
            r->stats_samples);
    const char *when[2] = {"init", "trained"};
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 2; k++)
            if (s[k].layers)
                fprintf(f, " %s %s mean | std |", runs[stat_runs[k]].id, when[w]);
    fprintf(f, "\n|---:|");
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 2; k++)
            if (s[k].layers)
                fprintf(f, "---:|---:|");
    fprintf(f, "\n");
    for (int l = 0; l < s[1].layers; l++) {
        if (!(l < 2 || l % 5 == 4 || l == s[1].layers - 1))
            continue;
        fprintf(f, "| %d |", l + 1);
        for (int w = 0; w < 2; w++)
            for (int k = 0; k < 2; k++)
                if (s[k].layers)
                    stat_cells(f, &s[k], w, l);
        fprintf(f, "\n");
    }
}

/* d. SELU, and whether it self-normalizes */
static void answer_d(FILE *f, const app_exercise_results *r)
{
    const app_train_result *d = &r->res[2];
    fprintf(f,
            "**d. SELU** (LeCun normal, standardized inputs, no BN): %.2f%% validation "
            "accuracy at epoch %d, %.1f s/epoch",
            100 * d->best_val_accuracy, d->best_epoch, d->seconds_per_epoch);
    if (r->done[0])
        fprintf(f, " (8b: %.2f%%", 100 * r->res[0].best_val_accuracy);
    if (r->done[1])
        fprintf(f, ", 8c: %.2f%%", 100 * r->res[1].best_val_accuracy);
    fprintf(f, "%s.\n\n", r->done[0] ? ")" : "");
    const app_exercise_stats *s = &r->stats[1], *elu = &r->stats[0];
    if (!s->layers)
        return;
    stats_table(f, r);
    const int last = s->layers - 1;
    const double m0 = s->init_mean[last], s0 = s->init_std[last];
    const double m1 = s->trained_mean[last], s1 = s->trained_std[last];
    int init_ok = s0 > 0.7 && s0 < 1.4 && fabs(m0) < 0.3;
    int trained_ok = s1 > 0.5 && s1 < 2 && fabs(m1) < 0.5;
    fprintf(f,
            "\nDoes SELU self-normalize? At initialization the 20th layer's outputs have "
            "mean %.2f and std %.2f (layer 1: %.2f, %.2f): %s. After training: mean %.2f, "
            "std %.2f: %s.",
            m0, s0, s->init_mean[0], s->init_std[0],
            init_ok ? "yes, mean ~0 and std ~1 are kept through the depth"
                    : "no, they drift away from 0 and 1",
            m1, s1,
            trained_ok ? "still close to normalized"
                       : "training moved them away from 0 / 1 (the guarantee holds for "
                         "LeCun-normal weights, not for trained ones)");
    if (elu->layers)
        fprintf(f,
                " For comparison, He + ELU (8b) ends its 20 layers at mean %.2f, std "
                "%.2f at initialization.",
                elu->init_mean[elu->layers - 1], elu->init_std[elu->layers - 1]);
    fprintf(f, "\n\n");
}

/* e. alpha dropout, and MC Dropout on its model */
static void answer_e(FILE *f, const app_exercise_results *r)
{
    const app_train_result *e = &r->res[3];
    fprintf(f,
            "**e. Alpha dropout** (rate 0.1 before the output layer): %.2f%% validation "
            "accuracy",
            100 * e->best_val_accuracy);
    if (r->done[2])
        fprintf(f, " against %.2f%% for 8d without it (%+.2f points)",
                100 * r->res[2].best_val_accuracy,
                100 * (e->best_val_accuracy - r->res[2].best_val_accuracy));
    fprintf(f, ".\n\n");
    if (isnan(r->mc_val[1]))
        return;
    const double *v = r->mc_val, *t = r->mc_test;
    fprintf(f,
            "MC Dropout (%d stochastic passes, probabilities averaged) on 8e's model: "
            "validation %.2f%% -> %.2f%% (%+.2f points), test %.2f%% -> %.2f%% (%+.2f "
            "points); mean std of the predicted class probability %.3f. %s\n\n",
            r->mc_samples, 100 * v[0], 100 * v[1], 100 * (v[1] - v[0]), 100 * t[0], 100 * t[1],
            100 * (t[1] - t[0]), r->mc_spread,
            t[1] >= t[0] ? "MC Dropout helps (or at least does not hurt) without retraining."
            : (t[0] - t[1]) * (double)r->n_test <= 10
                ? "The difference is a handful of images: with one AlphaDropout layer of "
                  "rate 0.1, MC Dropout changes the predictions too little to matter."
                : "Here MC Dropout does not help.");
}

void app_exercise_report(FILE *f, const app_exercise_results *r)
{
    report_table(f, r);
    fprintf(
        f, "\n![loss](loss.svg)\n\n![accuracy](accuracy.svg)\n\n## Answers from these numbers\n\n");
    answer_b_c(f, r);
    if (r->done[2])
        answer_d(f, r);
    if (r->done[3])
        answer_e(f, r);
    fprintf(f, "Per-run details (history.csv, summary.json, model.safetensors) are in the run "
               "folders next to this report.\n");
}
