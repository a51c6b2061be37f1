/* simdnn evaluate and simdnn predict: a saved model on the test set; predict adds MC Dropout
 * (mean class probabilities over N stochastic passes and their spread) and a CSV of predictions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "platform.h"
#include "train.h"

typedef struct eval_args {
    const char *cmd;
    char model[1024];
    char output[1024];
    int json;
    int mc_samples;
} eval_args;

static int extra_arg(void *ctx, int argc, char **argv, int i)
{
    eval_args *e = ctx;
    const char *a = argv[i];
    if (!strcmp(a, "--json")) {
        e->json = 1;
        return 1;
    }
    const char *names[] = {"--model", "--output", "--mc-samples"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(names[k]);
        const char *v = NULL;
        int used = 0;
        if (!strcmp(a, names[k])) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: option %s needs a value\n", e->cmd, names[k]);
                return -1;
            }
            v = argv[i + 1];
            used = 2;
        } else if (!strncmp(a, names[k], n) && a[n] == '=') {
            v = a + n + 1;
            used = 1;
        }
        if (!v)
            continue;
        if (k == 0) {
            snprintf(e->model, sizeof e->model, "%s", v);
        } else if (k == 1) {
            snprintf(e->output, sizeof e->output, "%s", v);
        } else {
            char *end;
            long s = strtol(v, &end, 10);
            if (!*v || *end || s < 0 || s > 100000 || !strcmp(e->cmd, "simdnn evaluate")) {
                fprintf(stderr, "%s: bad value '%s' for --mc-samples (0 to 100000)\n", e->cmd, v);
                return -1;
            }
            e->mc_samples = (int)s;
        }
        return used;
    }
    if (a[0] != '-' && !e->model[0]) {
        snprintf(e->model, sizeof e->model, "%s", a);
        return 1;
    }
    return 0;
}

static void usage(FILE *out, int predict)
{
    if (predict)
        fprintf(out,
                "usage: simdnn predict --model PATH [--mc-samples N] [--output FILE] [options]\n\n"
                "Predicts the test set of the model's dataset. With --mc-samples N (MC Dropout)\n"
                "dropout stays active and the class probabilities are averaged over N passes;\n"
                "prints the accuracy of both, the mean spread (std of the predicted class's\n"
                "probability) and the confidence. --output writes a CSV: index, label,\n"
                "prediction, the class probabilities (and their std with MC Dropout).\n\n");
    else
        fprintf(out,
                "usage: simdnn evaluate --model PATH [--json] [options]\n\n"
                "Loss and accuracy of a saved model (file or run folder) on the test set.\n\n");
    fprintf(out, "  --model PATH           model.safetensors or the run folder holding it\n");
    if (predict)
        fprintf(out, "  --mc-samples N         MC Dropout passes (0: plain prediction) [0]\n"
                     "  --output FILE          write the predictions as CSV\n");
    else
        fprintf(out, "  --json                 print one JSON object\n");
    app_train_print_options(out, "data dataset threads test-limit", NULL);
}

/* index,label,prediction,p0..p9[,std0..std9] */
static void csv_header(FILE *csv, size_t k, int mc)
{
    fprintf(csv, "index,label,prediction");
    for (size_t j = 0; j < k; j++)
        fprintf(csv, ",p%zu", j);
    if (mc)
        for (size_t j = 0; j < k; j++)
            fprintf(csv, ",std%zu", j);
    fprintf(csv, "\n");
}

/* with MC Dropout the row shows the MC mean and its prediction */
static void csv_row(void *ctx, const app_prediction *r)
{
    FILE *csv = ctx;
    const float *out = r->mean ? r->mean : r->probs;
    fprintf(csv, "%zu,%d,%d", r->index, r->label, r->mean ? r->predicted_mc : r->predicted);
    for (size_t j = 0; j < r->classes; j++)
        fprintf(csv, ",%.6g", out[j]);
    if (r->mean)
        for (size_t j = 0; j < r->classes; j++)
            fprintf(csv, ",%.6g", r->std[j]);
    fprintf(csv, "\n");
}

/* predict: the accuracy and confidence lines, and the CSV (written as the rows come) */
static int predict_set(const eval_args *e, sdn_model *model, const sdn_preprocess *pre,
                       const sdn_dataset *test)
{
    FILE *csv = NULL;
    if (e->output[0] && !(csv = sdn_fopen(e->output, "w"))) {
        fprintf(stderr, "simdnn: %s: cannot write\n", e->output);
        return 1;
    }
    if (csv)
        csv_header(csv, sdn_model_output_size(model), e->mc_samples);
    app_prediction_totals t;
    int failed = app_predict_set(model, pre, test, e->mc_samples, csv ? csv_row : NULL, csv, &t);
    if (csv)
        fclose(csv);
    if (failed)
        return 1;
    double nn = (double)test->n;
    printf("test: %zu samples, accuracy %.4f, mean confidence %.4f\n", test->n, t.right / nn,
           t.confidence / nn);
    if (e->mc_samples)
        printf("MC Dropout (%d samples): accuracy %.4f, mean confidence %.4f, mean std of the "
               "predicted class %.4f\n",
               e->mc_samples, t.right_mc / nn, t.confidence_mc / nn, t.spread / nn);
    return 0;
}

static int run(int argc, char **argv, int predict)
{
    eval_args e = {predict ? "simdnn predict" : "simdnn evaluate", "", "", 0, 0};
    app_train_config c;
    app_train_config_defaults(&c);
    c.dataset[0] = 0;
    int r =
        app_train_parse(&c, e.cmd, argc, argv, 1, "data dataset threads test-limit", extra_arg, &e);
    if (r == -1) {
        usage(stdout, predict);
        return 0;
    }
    if (r)
        return r;
    if (!e.model[0]) {
        fprintf(stderr, "%s: --model is required (try --help)\n", e.cmd);
        return 2;
    }
    if (app_start(c.threads, NULL))
        return 1;
    sdn_model *model;
    sdn_preprocess pre;
    sdn_safetensors *file;
    if (app_open_model(e.model, 256, 0, &model, &pre, &file))
        return 1;
    if (!c.dataset[0]) {
        const char *d = sdn_safetensors_meta(file, "simdnn.dataset");
        snprintf(c.dataset, sizeof c.dataset, "%s", d ? d : "cifar10");
    }
    const char *conv = sdn_safetensors_meta(file, "simdnn.conv"); /* a CNN reads HWC images */
    if (conv)
        snprintf(c.conv, sizeof c.conv, "%s", conv);
    sdn_safetensors_close(file);
    sdn_dataset test = {0};
    int rc = 1;
    if (app_load_data(&c, NULL, &test))
        goto done;
    if (test.features != sdn_model_input_size(model)) {
        fprintf(stderr, "simdnn: the model takes %zu features, the %s test set has %zu\n",
                sdn_model_input_size(model), c.dataset, test.features);
        goto done;
    }
    if (!predict) {
        double loss, acc;
        if (sdn_evaluate_dataset(model, &test, &pre, &loss, &acc)) {
            app_error();
            goto done;
        }
        if (e.json)
            printf("{\"dataset\": \"%s\", \"samples\": %zu, \"loss\": %.6f, \"accuracy\": %.6f}\n",
                   c.dataset, test.n, loss, acc);
        else
            printf("test: %zu samples, loss %.4f, accuracy %.4f\n", test.n, loss, acc);
        rc = 0;
        goto done;
    }
    rc = predict_set(&e, model, &pre, &test);
done:
    sdn_dataset_free(&test);
    sdn_preprocess_free(&pre);
    sdn_model_free(model);
    return rc;
}

int cli_evaluate(int argc, char **argv)
{
    return run(argc, argv, 0);
}
int cli_predict(int argc, char **argv)
{
    return run(argc, argv, 1);
}
