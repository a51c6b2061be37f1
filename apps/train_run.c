/* One training run into an output folder, in the order a reader follows it: config → data →
 * model (fresh or resumed) → fit (history, checkpoint and save-best after every epoch) → save →
 * test evaluation and summary.json. Shared by `train` and `exercise`. */
#include <errno.h>
#if defined(__GLIBC__)
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "simdnn_dist.h" /* i16 */
#include "train.h"

/* A run: its config, files, data and model, and what the per-epoch callback needs. */
typedef struct run_ctx {
    const app_train_config *c;
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    char args[8192];
    char ckpt_path[1100], model_path[1100], csv_path[1100], json_path[1100];
    sdn_dataset train, val, test;
    sdn_preprocess pre;
    sdn_model *model;
    sdn_safetensors *ckpt; /* when resuming */
    sdn_fit_state st;
    sdn_schedule sched;
} run_ctx;

/* Model file (with_fit = 0) or checkpoint (with_fit = 1), with the network spec as metadata. */
static sdn_status save(run_ctx *r, int with_fit, const char *path)
{
    sdn_st_meta meta[SDN_NET_META_COUNT + 3];
    char store[SDN_NET_META_STORE];
    size_t n = sdn_net_to_meta(&r->spec, &r->opt, r->c->seed, meta, store);
    if (!n) /* reliability: a spec the writer refuses is an error, not a bare file */
        return SDN_ERR_INVALID_ARG;
    meta[n++] = (sdn_st_meta){"simdnn.dataset", r->c->dataset};
    meta[n++] = (sdn_st_meta){"simdnn.preset", r->c->preset};
    meta[n++] = (sdn_st_meta){"simdnn.args", r->args};
    return sdn_checkpoint_save(path, r->model, &r->st, with_fit, &r->pre, meta, n);
}

static sdn_status on_epoch(void *ctx, sdn_model *model, const sdn_fit_state *st, int improved,
                           int epoch_end)
{
    run_ctx *r = ctx;
    (void)model, (void)st, (void)epoch_end; /* the same as r->model, r->st */
    if (sdn_dist_rank() != 0)               /* only rank 0 writes files */
        return SDN_OK;
    sdn_status s = sdn_history_write_csv(&r->st, r->csv_path);
    if (!s)
        s = sdn_history_write_json(&r->st, r->json_path);
    if (!s && improved && r->c->save_best)
        s = save(r, 0, r->model_path);
    if (!s)
        s = save(r, 1, r->ckpt_path);
    return s;
}

/* config: the output folder, the file names, the arguments recorded in every file */
static int open_run(run_ctx *r, const app_train_config *c)
{
    r->c = c;
    if (app_mkdirs(c->out)) {
        fprintf(stderr, "simdnn: cannot create the output folder %s: %s\n", c->out,
                strerror(errno));
        return 1;
    }
    snprintf(r->ckpt_path, sizeof r->ckpt_path, "%s/checkpoint.safetensors", c->out);
    snprintf(r->model_path, sizeof r->model_path, "%s/model.safetensors", c->out);
    snprintf(r->csv_path, sizeof r->csv_path, "%s/history.csv", c->out);
    snprintf(r->json_path, sizeof r->json_path, "%s/history.json", c->out);
    app_train_config_args(c, r->args, sizeof r->args);
    sdn_fit_state_init(&r->st);
    if (c->resume[0]) {
        char path[1100];
        snprintf(path, sizeof path, "%s", c->resume);
        if (sdn_path_kind_of(path) == SDN_PATH_DIR)
            snprintf(path, sizeof path, "%s/checkpoint.safetensors", c->resume);
        if (sdn_safetensors_open(path, &r->ckpt))
            return app_error();
    }
    return 0;
}

/* data: train, its validation split, test */
static int load_data(run_ctx *r)
{
    if (app_load_data(r->c, &r->train, &r->test))
        return 1;
    if (sdn_dataset_split(&r->train, r->c->validation_split, &r->val))
        return app_error();
    return 0;
}

/* model: built from the config, then either resumed from the checkpoint or freshly preprocessed */
static int build_model(run_ctx *r)
{
    const app_train_config *c = r->c;
    r->spec = app_train_net_spec(c, r->train.features, r->train.classes);
    r->spec.image_h = (size_t)r->train.height;
    r->spec.image_w = (size_t)r->train.width;
    r->spec.image_c = (size_t)r->train.channels;
    r->opt = app_train_optimizer(c);
    if (sdn_net_build(&r->spec, c->seed, c->batch_size, &r->opt, &r->model))
        return app_error();
    if (!r->ckpt)
        return sdn_preprocess_fit(&r->pre, &r->train, c->standardize) ? app_error() : 0;
    if (sdn_checkpoint_resume(r->ckpt, r->model, &r->st, &r->pre, &r->train, c->standardize))
        return app_error();
    if (sdn_dist_rank() == 0) /* rank 0 speaks for the job */
        fprintf(stderr, "resuming from %s after epoch %d (step %llu)\n",
                sdn_safetensors_path(r->ckpt), r->st.epochs_done,
                (unsigned long long)sdn_model_step(r->model));
    return 0;
}

/* --lr auto on a fresh run (the found rate, not "auto", goes into the stored
 * arguments), then the learning-rate schedule for fit. */
static int choose_rate_and_schedule(run_ctx *r)
{
    const app_train_config *c = r->c;
    if (c->lr_auto && r->ckpt) {
        fprintf(stderr,
                "simdnn: --lr auto cannot resume: the checkpoint keeps the rate it found\n");
        return 1;
    }
    if (c->lr_auto) {
        if (app_lr_auto(c, &r->spec, &r->opt, &r->train, &r->pre, &r->opt.learning_rate))
            return 1;
        sdn_model_set_learning_rate(r->model, r->opt.learning_rate);
        app_train_config *fixed = malloc(sizeof *fixed);
        if (!fixed)
            return 1;
        *fixed = *c;
        fixed->lr = r->opt.learning_rate;
        fixed->lr_auto = 0;
        app_train_config_args(fixed, r->args, sizeof r->args);
        free(fixed);
    }
    const size_t steps = (r->train.n + c->batch_size - 1) / c->batch_size;
    return app_train_schedule(c, &r->opt, steps, &r->sched) != 0;
}

static void print_header(const run_ctx *r)
{
    const app_train_config *c = r->c;
    if (sdn_dist_rank() != 0) /* rank 0 speaks for the job */
        return;
    if (sdn_dist_size() > 1)
        fprintf(stderr, "data-parallel over %d MPI ranks: global batch %zu, ~%zu rows per rank\n",
                sdn_dist_size(), c->batch_size, c->batch_size / (size_t)sdn_dist_size());
    /* a convolutional trunk comes first, and its dense hidden layers may be none */
    char shape[1100] = "";
    if (c->conv[0])
        snprintf(shape, sizeof shape, "conv %s%s", c->conv, c->layers > 0 ? " then " : ",");
    if (c->layers > 0 || !c->conv[0])
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%d x %zu", c->layers,
                 c->units);
    fprintf(stderr,
            "simdnn train%s%s: %s %s, %s%s%s; %s lr %g, batch %zu; %s: %zu train, %zu "
            "validation, %zu test; %zu parameters; isa %s, %d threads -> %s\n",
            c->preset[0] ? " --preset " : "", c->preset, shape, sdn_activation_name(c->activation),
            sdn_init_name(c->init), c->batch_norm ? ", batch norm" : "",
            c->alpha_dropout > 0 ? ", alpha dropout"
            : c->dropout > 0     ? ", dropout"
                                 : "",
            sdn_optimizer_name(r->opt.kind), (double)r->opt.learning_rate, c->batch_size,
            c->dataset, r->train.n, r->val.n, r->test.n, sdn_model_param_count(r->model),
            sdn_isa_name(sdn_active_isa()), sdn_num_threads(), c->out);
}

/* fit, then the model file with the weights now in the model (the best with restore_best) */
static int fit_and_save(run_ctx *r)
{
    const app_train_config *c = r->c;
    app_progress_drawer drawer;
    app_progress_drawer_init(&drawer, c->progress, stderr);
    drawer.epoch_rows = r->train.n; /* the job's throughput */
    sdn_fit_options fo = sdn_fit_defaults();
    fo.epochs = c->epochs;
    fo.batch_size = c->batch_size;
    fo.seed = c->seed;
    fo.monitor = c->monitor;
    fo.patience = c->patience;
    fo.min_delta = c->min_delta;
    fo.restore_best = c->restore_best;
    if (c->augment) /* the run's images are HWC (app_load_data) */
        fo.augment = (sdn_augment){(size_t)r->train.height, (size_t)r->train.width,
                                   (size_t)r->train.channels, 4, 1};
    fo.on_progress = app_progress;
    fo.progress_ctx = &drawer;
    fo.interrupt = &app_interrupted;
    fo.on_epoch = on_epoch;
    fo.ctx = r;
    fo.schedule = c->schedule != SDN_SCHEDULE_CONSTANT ? &r->sched : NULL;
    if (sdn_fit(r->model, &r->train, &r->val, &r->pre, &fo, &r->st) ||
        (sdn_dist_rank() == 0 && save(r, 0, r->model_path))) /* rank 0 writes */
        return app_error();
    return 0;
}

/* the figures of the run, once fit is over and the test set evaluated */
static void fill_result(const run_ctx *r, double test_loss, double test_acc, app_train_result *res)
{
    const sdn_fit_state *st = &r->st;
    res->best_val_accuracy = st->best_val_accuracy;
    res->best_val_loss = st->best_val_loss;
    res->best_epoch = st->best_epoch;
    res->epochs_run = st->epochs_done;
    res->test_accuracy = test_acc;
    res->test_loss = test_loss;
    double sum = 0;
    for (int i = 0; i < st->history_len; i++)
        sum += st->history[i].seconds;
    res->seconds_per_epoch = st->history_len ? sum / st->history_len : NAN;
    res->samples_per_second =
        st->train_seconds > 0 ? (double)st->samples_trained / st->train_seconds : NAN;
    res->peak_rss_mb = app_peak_rss_mb();
    res->stop = st->stop;
    /* Training time over every session of a resumed run, not just this process. */
    res->total_seconds = st->train_seconds + st->eval_seconds;
}

static void json_num(FILE *f, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        fprintf(f, "  \"%s\": %.6g%s\n", key, v, sep);
    else
        fprintf(f, "  \"%s\": null%s\n", key, sep);
}

static int write_summary(const run_ctx *r, const app_train_result *res)
{
    const app_train_config *c = r->c;
    char path[1100];
    snprintf(path, sizeof path, "%s/summary.json", c->out);
    FILE *f = sdn_fopen(path, "w");
    if (!f) {
        fprintf(stderr, "simdnn: %s: cannot write: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, "{\n  \"preset\": \"%s\",\n  \"dataset\": \"%s\",\n", c->preset, c->dataset);
    json_num(f, "best_val_accuracy", res->best_val_accuracy, ",");
    json_num(f, "best_val_loss", res->best_val_loss, ",");
    fprintf(f, "  \"best_epoch\": %d,\n  \"epochs_run\": %d,\n", res->best_epoch, res->epochs_run);
    json_num(f, "test_accuracy", res->test_accuracy, ",");
    json_num(f, "test_loss", res->test_loss, ",");
    json_num(f, "seconds_per_epoch", res->seconds_per_epoch, ",");
    json_num(f, "samples_per_second", res->samples_per_second, ",");
    json_num(f, "total_seconds", res->total_seconds, ",");
    json_num(f, "peak_rss_mb", res->peak_rss_mb, ",");
    fprintf(f,
            "  \"isa\": \"%s\",\n  \"threads\": %d,\n  \"stop_reason\": \"%s\",\n  "
            "\"param_count\": %zu,\n  \"train_samples\": %zu,\n  \"val_samples\": %zu,\n  "
            "\"test_samples\": %zu,\n  \"batch_size\": %zu\n}\n",
            sdn_isa_name(sdn_active_isa()), sdn_num_threads(), sdn_stop_reason_name(r->st.stop),
            sdn_model_param_count(r->model), r->train.n, r->val.n, r->test.n, c->batch_size);
    fclose(f);
    return 0;
}

/* test evaluation, summary.json and the closing line */
static int report(run_ctx *r, app_train_result *res)
{
    double test_loss = NAN, test_acc = NAN;
    if (r->test.n && sdn_evaluate_dataset(r->model, &r->test, &r->pre, &test_loss, &test_acc))
        return app_error();
    fill_result(r, test_loss, test_acc, res);
    if (sdn_dist_rank() != 0) /* rank 0 writes the summary */
        return 0;
    if (write_summary(r, res))
        return 1;
    fprintf(stderr,
            "done (%s): best epoch %d of %d, val_accuracy %.4f, val_loss %.4f, test_accuracy "
            "%.4f; %.1f s/epoch, %.0f samples/s, peak RSS %.0f MB -> %s\n",
            sdn_stop_reason_name(r->st.stop), res->best_epoch, res->epochs_run,
            res->best_val_accuracy, res->best_val_loss, test_acc, res->seconds_per_epoch,
            res->samples_per_second, res->peak_rss_mb, r->c->out);
    return 0;
}

static void close_run(run_ctx *r)
{
    sdn_fit_state_free(&r->st);
    sdn_safetensors_close(r->ckpt);
    if (r->model)
        sdn_model_free(r->model);
    sdn_preprocess_free(&r->pre);
    sdn_dataset_free(&r->train);
    sdn_dataset_free(&r->test);
    free(r);
}

int app_train(const app_train_config *c, app_train_result *res)
{
    memset(res, 0, sizeof *res);
    /* Keep the 30 MB CIFAR batches in blocks that go back to the system when freed: a second
     * run in the same process (exercise) would keep them otherwise. */
    sdn_malloc_return_big_blocks();
    if (app_start(c->threads, NULL))
        return 1;
    run_ctx *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "simdnn: out of memory\n");
        return 1;
    }
    int rc = open_run(r, c) || load_data(r) || build_model(r) || choose_rate_and_schedule(r);
    if (!rc) {
        print_header(r);
        rc = fit_and_save(r) || report(r, res);
    }
    if (!rc) {
        /* A numeric stop or an interrupt is reported, but what was saved is still usable. */
        rc = r->st.stop == SDN_STOP_NUMERIC ? 1 : 0;
        res->history = r->st;
        sdn_fit_state_init(&r->st);
    }
    close_run(r);
    return rc;
}
