/* simdnn evaluate and simdnn predict: a saved model on the test set; predict adds MC Dropout
 * (mean class probabilities over N stochastic passes and their spread) and a CSV of predictions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
    sdn_train_print_options(out, "data dataset threads test-limit");
}

static int run(int argc, char **argv, int predict)
{
    eval_args e = {predict ? "simdnn predict" : "simdnn evaluate", "", "", 0, 0};
    sdn_train_config c;
    sdn_train_config_defaults(&c);
    c.dataset[0] = 0;
    int r =
        sdn_train_parse(&c, e.cmd, argc, argv, 1, "data dataset threads test-limit", extra_arg, &e);
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
    if (sdn_dispatch_init())
        return sdn_app_error();
    if (c.threads > 0)
        sdn_set_num_threads(c.threads);
    sdn_model *model;
    sdn_preprocess pre;
    sdn_safetensors *file;
    if (sdn_app_open_model(e.model, 256, 0, &model, &pre, &file))
        return 1;
    if (!c.dataset[0]) {
        const char *d = sdn_safetensors_meta(file, "simdnn.dataset");
        snprintf(c.dataset, sizeof c.dataset, "%s", d ? d : "cifar10");
    }
    sdn_safetensors_close(file);
    sdn_dataset test = {0};
    int rc = 1;
    float *x = NULL, *probs = NULL, *mean = NULL, *sd = NULL;
    if (sdn_app_load_data(&c, NULL, &test))
        goto done;
    if (test.features != sdn_model_input_size(model)) {
        fprintf(stderr, "simdnn: the model takes %zu features, the %s test set has %zu\n",
                sdn_model_input_size(model), c.dataset, test.features);
        goto done;
    }
    if (!predict) {
        double loss, acc;
        if (sdn_evaluate_dataset(model, &test, &pre, &loss, &acc)) {
            sdn_app_error();
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
    /* Predict in chunks; the CSV is written as we go. */
    const size_t k = sdn_model_output_size(model), chunk = 500;
    x = malloc(chunk * test.features * sizeof *x);
    probs = malloc(chunk * k * sizeof *probs);
    mean = malloc(chunk * k * sizeof *mean);
    sd = malloc(chunk * k * sizeof *sd);
    if (!x || !probs || !mean || !sd) {
        fprintf(stderr, "simdnn: out of memory\n");
        goto done;
    }
    FILE *csv = NULL;
    if (e.output[0] && !(csv = fopen(e.output, "w"))) {
        fprintf(stderr, "simdnn: %s: cannot write\n", e.output);
        goto done;
    }
    if (csv) {
        fprintf(csv, "index,label,prediction");
        for (size_t j = 0; j < k; j++)
            fprintf(csv, ",p%zu", j);
        if (e.mc_samples)
            for (size_t j = 0; j < k; j++)
                fprintf(csv, ",std%zu", j);
        fprintf(csv, "\n");
    }
    size_t right = 0, right_mc = 0;
    double spread = 0, conf = 0, conf_mc = 0;
    for (size_t at = 0; at < test.n; at += chunk) {
        size_t n = test.n - at < chunk ? test.n - at : chunk;
        sdn_preprocess_batch(&pre, &test, NULL, at, n, x);
        if (sdn_model_predict(model, x, n, probs) ||
            (e.mc_samples && sdn_model_predict_mc(model, x, n, e.mc_samples, mean, sd))) {
            sdn_app_error();
            if (csv)
                fclose(csv);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            const float *p = probs + i * k, *m = mean + i * k;
            size_t arg = 0, arg_mc = 0;
            for (size_t j = 1; j < k; j++) {
                if (p[j] > p[arg])
                    arg = j;
                if (e.mc_samples && m[j] > m[arg_mc])
                    arg_mc = j;
            }
            right += (int)arg == test.labels[at + i];
            conf += p[arg];
            if (e.mc_samples) {
                right_mc += (int)arg_mc == test.labels[at + i];
                spread += sd[i * k + arg_mc];
                conf_mc += m[arg_mc];
            }
            if (csv) {
                const float *out = e.mc_samples ? m : p;
                fprintf(csv, "%zu,%d,%zu", at + i, test.labels[at + i],
                        e.mc_samples ? arg_mc : arg);
                for (size_t j = 0; j < k; j++)
                    fprintf(csv, ",%.6g", out[j]);
                if (e.mc_samples)
                    for (size_t j = 0; j < k; j++)
                        fprintf(csv, ",%.6g", sd[i * k + j]);
                fprintf(csv, "\n");
            }
        }
    }
    if (csv)
        fclose(csv);
    double nn = (double)test.n;
    printf("test: %zu samples, accuracy %.4f, mean confidence %.4f\n", test.n, right / nn,
           conf / nn);
    if (e.mc_samples)
        printf("MC Dropout (%d samples): accuracy %.4f, mean confidence %.4f, mean std of the "
               "predicted class %.4f\n",
               e.mc_samples, right_mc / nn, conf_mc / nn, spread / nn);
    rc = 0;
done:
    free(x);
    free(probs);
    free(mean);
    free(sd);
    sdn_dataset_free(&test);
    sdn_preprocess_free(&pre);
    sdn_model_free(model);
    return rc;
}

int sdn_cmd_evaluate(int argc, char **argv)
{
    return run(argc, argv, 0);
}
int sdn_cmd_predict(int argc, char **argv)
{
    return run(argc, argv, 1);
}
