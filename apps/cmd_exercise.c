/* simdnn exercise: Géron ch. 11 exercise 8 end to end: trains 8b (elu-he), 8c (batchnorm), 8d
 * (selu) and 8e (alpha-dropout), applies MC Dropout to 8e, measures the self-normalization
 * evidence, then hands the results to exercise_report.c (report.md, loss/accuracy SVG curves). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "exercise.h"
#include "platform.h"

const app_exercise_run app_exercise_runs[4] = {
    {"8b", "elu-he", "He normal + ELU, Nadam lr 5e-5"},
    {"8c", "batchnorm", "BN before every activation, Nadam lr 5e-4"},
    {"8d", "selu", "LeCun normal + SELU, standardized inputs, Nadam lr 7e-4"},
    {"8e", "alpha-dropout", "SELU + AlphaDropout(0.1), Nadam lr 5e-4"},
};
static const app_exercise_run *const runs = app_exercise_runs;

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
    app_train_print_options(out, ALLOWED, NULL);
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
static void layer_stats(const char *model_dir, const sdn_dataset *val, app_exercise_stats *out)
{
    sdn_model *m, *fresh = NULL;
    sdn_preprocess pre;
    sdn_safetensors *file;
    out->layers = 0;
    if (app_open_model(model_dir, 256, 0, &m, &pre, &file))
        return;
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    uint64_t seed;
    const int max = SDN_EX_STAT_LAYERS;
    if (!sdn_net_from_file(file, &spec, &opt, &seed) && !spec.batch_norm &&
        !sdn_net_build(&spec, seed, 256, &opt, &fresh)) {
        int n = model_layer_stats(fresh, &pre, spec.activation, val, out->init_mean, out->init_std,
                                  max);
        if (model_layer_stats(m, &pre, spec.activation, val, out->trained_mean, out->trained_std,
                              max) == n)
            out->layers = n;
    }
    if (fresh)
        sdn_model_free(fresh);
    sdn_safetensors_close(file);
    sdn_preprocess_free(&pre);
    sdn_model_free(m);
}

/* Parses the flags into base and e (0), or returns the exit code (-1: --help was printed). */
static int parse(int argc, char **argv, app_train_config *base, ex_args *e)
{
    app_train_config_defaults(base);
    snprintf(base->out, sizeof base->out, "exercise-report");
    *e = (ex_args){0, 100, 0, "8b,8c,8d,8e"};
    /* --max-epochs is --epochs under another name. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--max-epochs"))
            argv[i] = (char *)"--epochs";
        else if (!strncmp(argv[i], "--max-epochs=", 13))
            memmove(argv[i] + 2, argv[i] + 6, strlen(argv[i] + 6) + 1); /* "--epochs=N" */
    /* --quick sets smaller defaults that explicit flags still override. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--quick")) {
            base->train_limit = 6000;
            base->test_limit = 1000;
            base->epochs = 2;
            e->mc_samples = 10;
        }
    int r = app_train_parse(base, "simdnn exercise", argc, argv, 1, ALLOWED, extra_arg, e);
    if (r == -1)
        usage(stdout);
    return r;
}

/* The four trainings, each a preset with the explicit flags on top, into <out>/<id>-<preset>. */
static int train_runs(const app_train_config *base, ex_args *e, int argc, char **argv,
                      app_exercise_results *x)
{
    int rc = 0;
    for (int k = 0; k < 4 && !app_interrupted; k++) {
        if (!strstr(e->runs, runs[k].id))
            continue;
        app_train_config c = *base;
        app_train_preset(&c, runs[k].preset);
        /* Explicit --patience / --epochs etc. were parsed into base; the preset must not undo
         * them, so re-apply the shared flags on top of it. */
        app_train_parse(&c, "simdnn exercise", argc, argv, 1, ALLOWED, extra_arg, e);
        snprintf(c.out, sizeof c.out, "%.900s/%s-%s", base->out, runs[k].id, runs[k].preset);
        if (e->resume) {
            char ck[1100];
            FILE *probe;
            snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", c.out);
            if ((probe = sdn_fopen(ck, "rb"))) {
                fclose(probe);
                snprintf(c.resume, sizeof c.resume, "%s", c.out);
            }
        }
        fprintf(stderr, "\n=== %s: %s (%s) ===\n", runs[k].id, runs[k].preset, runs[k].what);
        if (app_train(&c, &x->res[k])) {
            rc = 1;
            if (!x->res[k].history.history)
                continue;
        }
        x->done[k] = x->res[k].history.history_len > 0;
    }
    return rc;
}

/* MC Dropout on 8e: validation and test accuracy with and without it. */
static void measure_mc(const char *out, const sdn_dataset *val, const sdn_dataset *test,
                       app_exercise_results *x)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/8e-alpha-dropout", out);
    sdn_model *m;
    sdn_preprocess pre;
    if (app_open_model(dir, 256, 0, &m, &pre, NULL))
        return;
    fprintf(stderr, "\n=== MC Dropout on 8e: %d samples ===\n", x->mc_samples);
    const sdn_dataset *sets[2] = {val, test};
    for (int s = 0; s < 2; s++) {
        app_prediction_totals t;
        if (app_predict_set(m, &pre, sets[s], x->mc_samples, NULL, NULL, &t))
            break;
        double *dst = s ? x->mc_test : x->mc_val;
        dst[0] = t.n ? (double)t.right / (double)t.n : NAN;
        dst[1] = t.n ? (double)t.right_mc / (double)t.n : NAN;
        if (s == 1)
            x->mc_spread = t.n ? t.spread / (double)t.n : NAN;
    }
    fprintf(stderr,
            "val accuracy %.4f -> %.4f with MC Dropout; test accuracy %.4f -> %.4f; mean "
            "std of the predicted class %.4f\n",
            x->mc_val[0], x->mc_val[1], x->mc_test[0], x->mc_test[1], x->mc_spread);
    sdn_preprocess_free(&pre);
    sdn_model_free(m);
}

/* The data once more (the runs freed theirs), then MC Dropout and the self-normalization
 * statistics (8b vs 8d). */
static void measure(const app_train_config *base, app_exercise_results *x)
{
    sdn_dataset train = {0}, val = {0}, test = {0};
    const int have_data = (x->done[0] || x->done[2] || x->done[3]) &&
                          !app_load_data(base, &train, &test) &&
                          !sdn_dataset_split(&train, base->validation_split, &val);
    if (have_data && x->done[3] && x->mc_samples > 0)
        measure_mc(base->out, &val, &test, x);
    const int stat_runs[2] = {0, 2};
    for (int r = 0; r < 2 && have_data; r++)
        if (x->done[stat_runs[r]]) {
            char dir[1100];
            snprintf(dir, sizeof dir, "%s/%s-%s", base->out, runs[stat_runs[r]].id,
                     runs[stat_runs[r]].preset);
            layer_stats(dir, &val, &x->stats[r]);
        }
    x->n_train = train.n;
    x->n_val = val.n;
    x->n_test = test.n;
    x->stats_samples = val.n < 512 ? val.n : 512;
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
}

/* How it ran, for the report's first lines. */
static void describe_setup(const app_train_config *base, ex_args *e, int argc, char **argv,
                           time_t started, app_exercise_results *x)
{
    size_t at = 0;
    for (int i = 1; i < argc && at < sizeof x->command; i++)
        at += (size_t)snprintf(x->command + at, sizeof x->command - at, " %s", argv[i]);
    strftime(x->when, sizeof x->when, "%Y-%m-%d %H:%M UTC", gmtime(&started));
    const sdn_cpu_info *cpu = sdn_cpu();
    snprintf(x->cpu, sizeof x->cpu, "%s", cpu->brand[0] ? cpu->brand : cpu->vendor);
    snprintf(x->dataset, sizeof x->dataset, "%s", base->dataset);
    x->isa = sdn_isa_name(sdn_active_isa());
    x->threads = sdn_num_threads();
    x->subset = base->train_limit || base->test_limit;
    /* What the runs used: a preset's settings with the explicit flags on top. */
    app_train_config shown = *base;
    app_train_preset(&shown, "elu-he");
    app_train_parse(&shown, "simdnn exercise", argc, argv, 1, ALLOWED, extra_arg, e);
    x->batch_size = shown.batch_size;
    x->epochs = shown.epochs;
    x->monitor = shown.monitor;
    x->patience = shown.patience;
}

int cli_exercise(int argc, char **argv)
{
    app_train_config base;
    ex_args e;
    int r = parse(argc, argv, &base, &e);
    if (r)
        return r == -1 ? 0 : r;
    if (app_start(base.threads, base.out))
        return 1;
    app_install_sigint();
    const time_t started = time(NULL);
    app_exercise_results *x = calloc(1, sizeof *x);
    if (!x) {
        fprintf(stderr, "simdnn: out of memory\n");
        return 1;
    }
    x->mc_samples = e.mc_samples;
    x->mc_val[0] = x->mc_val[1] = x->mc_test[0] = x->mc_test[1] = x->mc_spread = NAN;
    int rc = train_runs(&base, &e, argc, argv, x);
    measure(&base, x);
    describe_setup(&base, &e, argc, argv, started, x);
    app_exercise_plots(base.out, x);
    char path[1100];
    snprintf(path, sizeof path, "%s/report.md", base.out);
    FILE *f = sdn_fopen(path, "w");
    if (f) {
        app_exercise_report(f, x);
        fclose(f);
        fprintf(stderr, "\nreport: %s\n", path);
    } else {
        fprintf(stderr, "simdnn: %s: cannot write\n", path);
        rc = 1;
    }
    for (int k = 0; k < 4; k++)
        sdn_fit_state_free(&x->res[k].history);
    free(x);
    return rc;
}
