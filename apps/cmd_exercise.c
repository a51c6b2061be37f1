/* simdnn exercise: Géron ch. 11 exercise 8 end to end: trains 8b (elu-he), 8c (batchnorm), 8d
 * (selu) and 8e (alpha-dropout), applies MC Dropout to 8e, and writes report.md with the comparison
 * table, answers computed from the measured numbers, and loss/accuracy SVG curves. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "svg.h"
#include "train.h"

typedef struct run_def {
    const char *id, *preset, *what;
} run_def;

static const run_def runs[4] = {
    {"8b", "elu-he", "He normal + ELU, Nadam lr 5e-5"},
    {"8c", "batchnorm", "BN before every activation, Nadam lr 5e-4"},
    {"8d", "selu", "LeCun normal + SELU, standardized inputs, Nadam lr 7e-4"},
    {"8e", "alpha-dropout", "SELU + AlphaDropout(0.1), Nadam lr 5e-4"},
};

typedef struct ex_args {
    int quick, mc_samples, resume;
    char runs[64];
} ex_args;

static int extra_arg(void *ctx, int argc, char **argv, int i)
{
    ex_args *e = ctx;
    const char *a = argv[i];
    if (!strcmp(a, "--quick")) {
        e->quick = 1;
        return 1;
    }
    if (!strcmp(a, "--resume")) {
        e->resume = 1;
        return 1;
    }
    const char *names[] = {"--mc-samples", "--runs"};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(names[k]);
        const char *v = NULL;
        int used = 0;
        if (!strcmp(a, names[k]) && i + 1 < argc) {
            v = argv[i + 1];
            used = 2;
        } else if (!strncmp(a, names[k], n) && a[n] == '=') {
            v = a + n + 1;
            used = 1;
        } else if (!strcmp(a, names[k])) {
            fprintf(stderr, "simdnn exercise: option %s needs a value\n", names[k]);
            return -1;
        }
        if (!v)
            continue;
        if (k == 1) {
            /* A comma-separated subset of 8b,8c,8d,8e. */
            char copy[64], *save = NULL;
            snprintf(copy, sizeof copy, "%s", v);
            int ok = strlen(v) < sizeof copy && v[0];
            for (char *t = strtok_r(copy, ",", &save); ok && t; t = strtok_r(NULL, ",", &save))
                ok = !strcmp(t, "8b") || !strcmp(t, "8c") || !strcmp(t, "8d") || !strcmp(t, "8e");
            if (!ok) {
                fprintf(stderr,
                        "simdnn exercise: bad value '%s' for --runs (a list of 8b,8c,8d,8e)\n", v);
                return -1;
            }
            snprintf(e->runs, sizeof e->runs, "%s", v);
            return used;
        }
        char *end;
        long x = strtol(v, &end, 10);
        if (!*v || *end || x < 0 || x > 100000) {
            fprintf(stderr, "simdnn exercise: bad value '%s' for %s (an integer >= 0)\n", v,
                    names[k]);
            return -1;
        }
        e->mc_samples = (int)x;
        return used;
    }
    return 0;
}

static const char *ALLOWED = "data dataset epochs threads seed batch-size patience train-limit "
                             "test-limit progress out validation-split monitor";

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: simdnn exercise [--data PATH] [--out DIR] [--quick] [options]\n\n"
        "Géron, Hands-On Machine Learning, ch. 11, exercise 8 on CIFAR-10: trains\n"
        "  8b elu-he, 8c batchnorm, 8d selu, 8e alpha-dropout (20 x 100, Nadam, early stopping)\n"
        "then MC Dropout on 8e, and writes into --out: report.md (comparison table and the\n"
        "exercise's answers from the measured numbers), loss.svg, accuracy.svg and one run\n"
        "folder per model (history, model.safetensors, summary.json).\n\n"
        "  --quick                smoke run: 6000 training samples, 1000 test, 2 epochs, 10 MC "
        "samples\n"
        "  --max-epochs N         same as --epochs: the most epochs per run [100]\n"
        "  --runs LIST            subset to run, e.g. 8b,8c [8b,8c,8d,8e]\n"
        "  --mc-samples N         MC Dropout passes on 8e (0: skip) [100]\n"
        "  --resume               continue every run from its checkpoint in --out (finished\n"
        "                         runs are only re-evaluated)\n");
    sdn_train_print_options(out, ALLOWED);
}

/* Mean and std of every hidden layer's output on a batch, recomputed from the dense weights (Keras
 * layout [in × out]): the evidence for (or against) self-normalization. Networks without BN only.
 */
static int model_layer_stats(sdn_model *m, const sdn_preprocess *pre, sdn_activation act,
                             const sdn_dataset *val, double *mean, double *sd, int max_layers)
{
    const size_t n = val->n < 512 ? val->n : 512;
    size_t width = sdn_model_input_size(m);
    float *h = malloc(n * width * sizeof *h);
    if (!h)
        return 0;
    sdn_preprocess_batch(pre, val, NULL, 0, n, h);
    int layers = 0;
    size_t count = sdn_model_tensor_count(m);
    for (size_t t = 0; t + 1 < count && layers < max_layers; t++) {
        sdn_tensor k, b;
        if (sdn_model_tensor(m, t, &k) || k.role != SDN_TENSOR_PARAM || k.rank != 2 ||
            !strstr(k.name, ".kernel") || k.shape[0] != width || sdn_model_tensor(m, t + 1, &b) ||
            !strstr(b.name, ".bias"))
            continue;
        size_t out = k.shape[1];
        if (out == sdn_model_output_size(m))
            break; /* the softmax layer */
        float *y = malloc(n * out * sizeof *y);
        if (!y)
            break;
        double s = 0, s2 = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < out; j++) {
                double z = b.data[j];
                for (size_t p = 0; p < width; p++)
                    z += (double)h[i * width + p] * k.data[p * out + j];
                if (act == SDN_ACT_SELU)
                    z = SDN_SELU_LAMBDA * (z > 0 ? z : SDN_SELU_ALPHA * expm1(z));
                else if (act == SDN_ACT_ELU)
                    z = z > 0 ? z : expm1(z);
                else if (act == SDN_ACT_RELU)
                    z = z > 0 ? z : 0;
                y[i * out + j] = (float)z;
                s += z;
                s2 += z * z;
            }
        double cnt = (double)(n * out);
        mean[layers] = s / cnt;
        sd[layers] = sqrt(fmax(s2 / cnt - mean[layers] * mean[layers], 0));
        layers++;
        free(h);
        h = y;
        width = out;
    }
    free(h);
    return layers;
}

/* Statistics of a run's trained model and of the same network freshly initialized (same seed). */
static int layer_stats(const char *model_dir, const sdn_dataset *val, double stats[4][32],
                       int max_layers)
{
    sdn_model *m, *fresh = NULL;
    sdn_preprocess pre;
    sdn_safetensors *file;
    if (sdn_app_open_model(model_dir, 256, 0, &m, &pre, &file))
        return 0;
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    uint64_t seed;
    int n = 0;
    if (!sdn_net_from_file(file, &spec, &opt, &seed) && !spec.batch_norm &&
        !sdn_net_build(&spec, seed, 256, &opt, &fresh)) {
        n = model_layer_stats(fresh, &pre, spec.activation, val, stats[0], stats[1], max_layers);
        if (model_layer_stats(m, &pre, spec.activation, val, stats[2], stats[3], max_layers) != n)
            n = 0;
    }
    if (fresh)
        sdn_model_free(fresh);
    sdn_safetensors_close(file);
    sdn_preprocess_free(&pre);
    sdn_model_free(m);
    return n;
}

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

int sdn_cmd_exercise(int argc, char **argv)
{
    sdn_train_config base;
    sdn_train_config_defaults(&base);
    snprintf(base.out, sizeof base.out, "exercise-report");
    ex_args e = {0, 100, 0, "8b,8c,8d,8e"};
    /* --max-epochs is --epochs under another name. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--max-epochs"))
            argv[i] = (char *)"--epochs";
        else if (!strncmp(argv[i], "--max-epochs=", 13))
            memmove(argv[i] + 2, argv[i] + 6, strlen(argv[i] + 6) + 1); /* "--epochs=N" */
    /* --quick sets smaller defaults that explicit flags still override. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--quick")) {
            base.train_limit = 6000;
            base.test_limit = 1000;
            base.epochs = 2;
            e.mc_samples = 10;
        }
    int r = sdn_train_parse(&base, "simdnn exercise", argc, argv, 1, ALLOWED, extra_arg, &e);
    if (r == -1) {
        usage(stdout);
        return 0;
    }
    if (r)
        return r;
    if (sdn_dispatch_init())
        return sdn_app_error();
    if (base.threads > 0)
        sdn_set_num_threads(base.threads);
    if (sdn_app_mkdirs(base.out)) {
        fprintf(stderr, "simdnn: cannot create %s\n", base.out);
        return 1;
    }
    sdn_app_install_sigint();
    time_t started = time(NULL);

    sdn_train_result res[4];
    int done[4] = {0};
    memset(res, 0, sizeof res);
    int rc = 0;
    for (int k = 0; k < 4 && !sdn_app_interrupted; k++) {
        if (!strstr(e.runs, runs[k].id))
            continue;
        sdn_train_config c = base;
        sdn_train_preset(&c, runs[k].preset);
        /* Explicit --patience / --epochs etc. were parsed into base; the preset must not undo
         * them, so re-apply the shared flags on top of it. */
        sdn_train_parse(&c, "simdnn exercise", argc, argv, 1, ALLOWED, extra_arg, &e);
        snprintf(c.out, sizeof c.out, "%.900s/%s-%s", base.out, runs[k].id, runs[k].preset);
        if (e.resume) {
            char ck[1100];
            FILE *probe;
            snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", c.out);
            if ((probe = fopen(ck, "rb"))) {
                fclose(probe);
                snprintf(c.resume, sizeof c.resume, "%s", c.out);
            }
        }
        fprintf(stderr, "\n=== %s: %s (%s) ===\n", runs[k].id, runs[k].preset, runs[k].what);
        if (sdn_app_train(&c, &res[k])) {
            rc = 1;
            if (!res[k].history.history)
                continue;
        }
        done[k] = res[k].history.history_len > 0;
    }

    /* MC Dropout on 8e: validation and test accuracy with and without it. */
    double mc_val[2] = {NAN, NAN}, mc_test[2] = {NAN, NAN}, mc_spread = NAN;
    double stats[2][4][32]; /* 8b, 8d: init mean, init std, trained mean, trained std */
    int stats_n[2] = {0};
    sdn_dataset train = {0}, val = {0}, test = {0};
    int have_data = (done[0] || done[2] || done[3]) && !sdn_app_load_data(&base, &train, &test) &&
                    !sdn_dataset_split(&train, base.validation_split, &val);
    if (have_data && done[3] && e.mc_samples > 0) {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s/8e-alpha-dropout", base.out);
        sdn_model *m;
        sdn_preprocess pre;
        if (!sdn_app_open_model(dir, 256, 0, &m, &pre, NULL)) {
            fprintf(stderr, "\n=== MC Dropout on 8e: %d samples ===\n", e.mc_samples);
            const sdn_dataset *sets[2] = {&val, &test};
            for (int s = 0; s < 2; s++) {
                sdn_prediction_totals t;
                if (sdn_app_predict_set(m, &pre, sets[s], e.mc_samples, NULL, NULL, &t))
                    break;
                double *dst = s ? mc_test : mc_val;
                dst[0] = t.n ? (double)t.right / (double)t.n : NAN;
                dst[1] = t.n ? (double)t.right_mc / (double)t.n : NAN;
                if (s == 1)
                    mc_spread = t.n ? t.spread / (double)t.n : NAN;
            }
            fprintf(stderr,
                    "val accuracy %.4f -> %.4f with MC Dropout; test accuracy %.4f -> %.4f; mean "
                    "std of the predicted class %.4f\n",
                    mc_val[0], mc_val[1], mc_test[0], mc_test[1], mc_spread);
            sdn_preprocess_free(&pre);
            sdn_model_free(m);
        }
    }
    /* Self-normalization evidence: activation statistics through the depth (8b vs 8d). */
    const int stat_runs[2] = {0, 2};
    for (int r = 0; r < 2 && have_data; r++)
        if (done[stat_runs[r]]) {
            char dir[1100];
            snprintf(dir, sizeof dir, "%s/%s-%s", base.out, runs[stat_runs[r]].id,
                     runs[stat_runs[r]].preset);
            stats_n[r] = layer_stats(dir, &val, stats[r], 32);
        }

    /* ---- plots */
    sdn_svg_series loss[4], acc[4];
    double *buf[4][4] = {{0}};
    int ns = 0;
    for (int k = 0; k < 4; k++) {
        if (!done[k])
            continue;
        const sdn_fit_state *h = &res[k].history;
        for (int j = 0; j < 4; j++)
            buf[k][j] = malloc((size_t)h->history_len * sizeof(double));
        for (int i = 0; i < h->history_len; i++) {
            buf[k][0][i] = h->history[i].loss;
            buf[k][1][i] = h->history[i].val_loss;
            buf[k][2][i] = h->history[i].accuracy;
            buf[k][3][i] = h->history[i].val_accuracy;
        }
        static char labels[4][32];
        snprintf(labels[k], sizeof labels[k], "%s %s", runs[k].id, runs[k].preset);
        loss[ns] = (sdn_svg_series){labels[k], buf[k][0], buf[k][1], h->history_len};
        acc[ns] = (sdn_svg_series){labels[k], buf[k][2], buf[k][3], h->history_len};
        ns++;
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/loss.svg", base.out);
    sdn_svg_curves(path, "Loss per epoch (solid: validation, dashed: training)", "loss", loss, ns);
    snprintf(path, sizeof path, "%s/accuracy.svg", base.out);
    sdn_svg_curves(path, "Accuracy per epoch (solid: validation, dashed: training)", "accuracy",
                   acc, ns);

    /* ---- report */
    snprintf(path, sizeof path, "%s/report.md", base.out);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "simdnn: %s: cannot write\n", path);
        rc = 1;
        goto out;
    }
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&started));
    const sdn_cpu_info *cpu = sdn_cpu();
    fprintf(f, "# Exercise 8 (Géron, ch. 11): deep dense networks on %s\n\n",
            !strcmp(base.dataset, "cifar10") ? "CIFAR-10" : base.dataset);
    fprintf(f, "Produced by `simdnn exercise");
    for (int i = 1; i < argc; i++)
        fprintf(f, " %s", argv[i]);
    fprintf(f,
            "` on %s: %s, ISA %s, %d threads. Data: %zu training, %zu validation (the last "
            "part of the training set), %zu test samples%s.\n\n",
            when, cpu->brand[0] ? cpu->brand : cpu->vendor, sdn_isa_name(sdn_active_isa()),
            sdn_num_threads(), train.n, val.n, test.n,
            base.train_limit || base.test_limit ? " (a subset: a smoke run, not the real numbers)"
                                                : "");
    /* What the runs used: a preset's settings with the explicit flags on top. */
    sdn_train_config shown = base;
    sdn_train_preset(&shown, "elu-he");
    sdn_train_parse(&shown, "simdnn exercise", argc, argv, 1, ALLOWED, extra_arg, &e);
    fprintf(f,
            "Every run: 20 hidden layers of 100 units, Nadam, batch %zu, at most %d epochs, "
            "early stopping on %s with patience %d, best weights restored; inputs "
            "standardized per pixel with statistics from the training part.\n\n",
            shown.batch_size, shown.epochs,
            shown.monitor == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy", shown.patience);
    fprintf(
        f,
        "| run | model | best val acc | test acc | epochs to best | epochs run | s/epoch | "
        "total time | stop | peak val acc |\n|---|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
    for (int k = 0; k < 4; k++) {
        if (!done[k])
            continue;
        char tt[32];
        fmt_dur(tt, sizeof tt, res[k].total_seconds);
        /* The best epoch is chosen by --monitor; the highest accuracy seen is shown beside it. */
        double peak = 0;
        int peak_epoch = 0;
        for (int i = 0; i < res[k].history.history_len; i++)
            if (res[k].history.history[i].val_accuracy > peak) {
                peak = res[k].history.history[i].val_accuracy;
                peak_epoch = res[k].history.history[i].epoch;
            }
        fprintf(
            f, "| %s | %s: %s | %.2f%% | %.2f%% | %d | %d | %.1f | %s | %s | %.2f%% (epoch %d) |\n",
            runs[k].id, runs[k].preset, runs[k].what, 100 * res[k].best_val_accuracy,
            100 * res[k].test_accuracy, res[k].best_epoch, res[k].epochs_run,
            res[k].seconds_per_epoch, tt, sdn_stop_reason_name(res[k].stop), 100 * peak,
            peak_epoch);
    }
    if (!isnan(mc_val[1]))
        fprintf(f,
                "| 8e + MC | 8e's model, MC Dropout (%d samples) | %.2f%% | %.2f%% | | | | | | |\n",
                e.mc_samples, 100 * mc_val[1], 100 * mc_test[1]);
    fprintf(
        f, "\n![loss](loss.svg)\n\n![accuracy](accuracy.svg)\n\n## Answers from these numbers\n\n");
    if (done[0])
        fprintf(f,
                "**b. He + ELU + Nadam with early stopping** reaches %.2f%% validation accuracy "
                "(best epoch %d of %d, %.1f s/epoch).\n\n",
                100 * res[0].best_val_accuracy, res[0].best_epoch, res[0].epochs_run,
                res[0].seconds_per_epoch);
    if (done[0] && done[1]) {
        int reach = epoch_reaching(&res[1].history, res[0].best_val_accuracy);
        double d = res[1].best_val_accuracy - res[0].best_val_accuracy;
        if (reach)
            fprintf(f,
                    "**c. Batch normalization.** Converges faster? %s: 8c matched 8b's best "
                    "validation accuracy (%.2f%%) at epoch %d, where 8b needed %d epochs; 8c then "
                    "kept improving until epoch %d. ",
                    reach < res[0].best_epoch ? "yes" : "no", 100 * res[0].best_val_accuracy, reach,
                    res[0].best_epoch, res[1].best_epoch);
        else
            fprintf(f,
                    "**c. Batch normalization.** Converges faster? no: 8c never reached 8b's best "
                    "validation accuracy (%.2f%%); its best came at epoch %d against %d for 8b. ",
                    100 * res[0].best_val_accuracy, res[1].best_epoch, res[0].best_epoch);
        fprintf(
            f,
            "Better? %s: %+.2f points of validation accuracy (%.2f%% vs %.2f%%), test %.2f%% vs "
            "%.2f%%. Cost: %.1f s/epoch against %.1f, %+.0f%% per epoch (BN adds a "
            "normalization pass and its backward per layer).\n\n",
            d > 0 ? "yes" : "no", 100 * d, 100 * res[1].best_val_accuracy,
            100 * res[0].best_val_accuracy, 100 * res[1].test_accuracy, 100 * res[0].test_accuracy,
            res[1].seconds_per_epoch, res[0].seconds_per_epoch,
            100 * (res[1].seconds_per_epoch / res[0].seconds_per_epoch - 1));
    }
    if (done[2]) {
        fprintf(f,
                "**d. SELU** (LeCun normal, standardized inputs, no BN): %.2f%% validation "
                "accuracy at epoch %d, %.1f s/epoch",
                100 * res[2].best_val_accuracy, res[2].best_epoch, res[2].seconds_per_epoch);
        if (done[0])
            fprintf(f, " (8b: %.2f%%", 100 * res[0].best_val_accuracy);
        if (done[1])
            fprintf(f, ", 8c: %.2f%%", 100 * res[1].best_val_accuracy);
        fprintf(f, "%s.\n\n", done[0] ? ")" : "");
        if (stats_n[1]) {
            fprintf(f,
                    "Self-normalization: mean and standard deviation of each hidden layer's "
                    "output on %zu validation images, for the network at initialization and "
                    "after training:\n\n| layer |",
                    val.n < 512 ? val.n : 512);
            const char *when[2] = {"init", "trained"};
            for (int w = 0; w < 2; w++)
                for (int r = 0; r < 2; r++)
                    if (stats_n[r])
                        fprintf(f, " %s %s mean | std |", runs[stat_runs[r]].id, when[w]);
            fprintf(f, "\n|---:|");
            for (int w = 0; w < 2; w++)
                for (int r = 0; r < 2; r++)
                    if (stats_n[r])
                        fprintf(f, "---:|---:|");
            fprintf(f, "\n");
            for (int l = 0; l < stats_n[1]; l++) {
                if (!(l < 2 || l % 5 == 4 || l == stats_n[1] - 1))
                    continue;
                fprintf(f, "| %d |", l + 1);
                for (int w = 0; w < 2; w++)
                    for (int r = 0; r < 2; r++)
                        if (stats_n[r])
                            fprintf(f, " %.3f | %.3f |", l < stats_n[r] ? stats[r][2 * w][l] : NAN,
                                    l < stats_n[r] ? stats[r][2 * w + 1][l] : NAN);
                fprintf(f, "\n");
            }
            const int last = stats_n[1] - 1;
            const double m0 = stats[1][0][last], s0 = stats[1][1][last];
            const double m1 = stats[1][2][last], s1 = stats[1][3][last];
            int init_ok = s0 > 0.7 && s0 < 1.4 && fabs(m0) < 0.3;
            int trained_ok = s1 > 0.5 && s1 < 2 && fabs(m1) < 0.5;
            fprintf(f,
                    "\nDoes SELU self-normalize? At initialization the 20th layer's outputs have "
                    "mean %.2f and std %.2f (layer 1: %.2f, %.2f): %s. After training: mean %.2f, "
                    "std %.2f: %s.",
                    m0, s0, stats[1][0][0], stats[1][1][0],
                    init_ok ? "yes, mean ~0 and std ~1 are kept through the depth"
                            : "no, they drift away from 0 and 1",
                    m1, s1,
                    trained_ok ? "still close to normalized"
                               : "training moved them away from 0 / 1 (the guarantee holds for "
                                 "LeCun-normal weights, not for trained ones)");
            if (stats_n[0])
                fprintf(f,
                        " For comparison, He + ELU (8b) ends its 20 layers at mean %.2f, std "
                        "%.2f at initialization.",
                        stats[0][0][stats_n[0] - 1], stats[0][1][stats_n[0] - 1]);
            fprintf(f, "\n\n");
        }
    }
    if (done[3]) {
        fprintf(f,
                "**e. Alpha dropout** (rate 0.1 before the output layer): %.2f%% validation "
                "accuracy",
                100 * res[3].best_val_accuracy);
        if (done[2])
            fprintf(f, " against %.2f%% for 8d without it (%+.2f points)",
                    100 * res[2].best_val_accuracy,
                    100 * (res[3].best_val_accuracy - res[2].best_val_accuracy));
        fprintf(f, ".\n\n");
        if (!isnan(mc_val[1]))
            fprintf(f,
                    "MC Dropout (%d stochastic passes, probabilities averaged) on 8e's model: "
                    "validation %.2f%% -> %.2f%% (%+.2f points), test %.2f%% -> %.2f%% (%+.2f "
                    "points); mean std of the predicted class probability %.3f. %s\n\n",
                    e.mc_samples, 100 * mc_val[0], 100 * mc_val[1], 100 * (mc_val[1] - mc_val[0]),
                    100 * mc_test[0], 100 * mc_test[1], 100 * (mc_test[1] - mc_test[0]), mc_spread,
                    mc_test[1] >= mc_test[0]
                        ? "MC Dropout helps (or at least does not hurt) without retraining."
                    : (mc_test[0] - mc_test[1]) * (double)test.n <= 10
                        ? "The difference is a handful of images: with one AlphaDropout layer of "
                          "rate 0.1, MC Dropout changes the predictions too little to matter."
                        : "Here MC Dropout does not help.");
    }
    fprintf(f, "Per-run details (history.csv, summary.json, model.safetensors) are in the run "
               "folders next to this report.\n");
    fclose(f);
    fprintf(stderr, "\nreport: %s\n", path);
out:
    for (int k = 0; k < 4; k++) {
        for (int j = 0; j < 4; j++)
            free(buf[k][j]);
        sdn_fit_state_free(&res[k].history);
    }
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
    return rc;
}
