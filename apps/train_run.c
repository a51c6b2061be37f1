/* One training run into an output folder: data, model (fresh or resumed), fit with checkpoints and
 * save-best, then the test evaluation and summary.json. Shared by `train` and `exercise`. */
#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "train.h"

volatile sig_atomic_t sdn_app_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    static const char msg[] =
        "\nsimdnn: stopping after this batch and saving (Ctrl-C again to quit at once)\n";
    sdn_app_interrupted = 1;
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    }
    signal(SIGINT, SIG_DFL);
}

void sdn_app_install_sigint(void)
{
    sdn_app_interrupted = 0;
    signal(SIGINT, on_sigint);
}

int sdn_app_error(void)
{
    fprintf(stderr, "simdnn: %s\n", sdn_last_error());
    return 1;
}

double sdn_app_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

int sdn_app_mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int sdn_app_load_data(const sdn_train_config *c, sdn_dataset *train, sdn_dataset *test)
{
    sdn_status st;
    if (!strcmp(c->dataset, "cifar10")) {
        st = sdn_cifar10_load(sdn_data_locate(c->data), train, test);
    } else {
        const char *dir = sdn_data_locate(c->data);
        char probe[1100];
        snprintf(probe, sizeof probe, "%s/t10k-labels-idx1-ubyte.gz", dir);
        int found = is_file(probe);
        snprintf(probe, sizeof probe, "%s/t10k-labels-idx1-ubyte", dir);
        found = found || is_file(probe);
        /* Debian's dataset-fashion-mnist when nothing else is named. */
        if (!found && !c->data[0] && !strcmp(c->dataset, "fashion-mnist"))
            dir = "/usr/share/datasets/fashion-mnist";
        st = sdn_idx_load_dir(dir, train, test);
    }
    if (st)
        return sdn_app_error();
    if (train && c->train_limit)
        sdn_dataset_truncate(train, c->train_limit);
    if (test && c->test_limit)
        sdn_dataset_truncate(test, c->test_limit);
    return 0;
}

int sdn_app_open_model(const char *path, size_t max_batch, int with_optimizer, sdn_model **model,
                       sdn_preprocess *pre, sdn_safetensors **file_out)
{
    char buf[1100];
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(buf, sizeof buf, "%s/model.safetensors", path);
        path = buf;
    }
    sdn_safetensors *f;
    if (sdn_safetensors_open(path, &f))
        return sdn_app_error();
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    uint64_t seed;
    sdn_status st = sdn_net_from_file(f, &spec, &opt, &seed);
    if (!st)
        st = sdn_net_build(&spec, seed, max_batch, &opt, model);
    if (!st && (st = sdn_model_load(*model, f, with_optimizer))) {
        sdn_model_free(*model);
        *model = NULL;
    }
    if (!st) {
        long m = sdn_safetensors_find(f, "preprocess.mean");
        float *mean = NULL, *sd = NULL;
        size_t shape[1] = {spec.input_size};
        if (m >= 0) {
            mean = malloc(spec.input_size * sizeof *mean);
            sd = malloc(spec.input_size * sizeof *sd);
            st = !mean || !sd ? SDN_ERR_NOMEM
                              : sdn_safetensors_read(f, "preprocess.mean", 1, shape, mean);
            if (!st)
                st = sdn_safetensors_read(f, "preprocess.std", 1, shape, sd);
        }
        if (!st)
            st = sdn_preprocess_set(pre, spec.input_size, mean, sd);
        free(mean);
        free(sd);
        if (st) {
            sdn_model_free(*model);
            *model = NULL;
        }
    }
    if (st) {
        sdn_safetensors_close(f);
        return sdn_app_error();
    }
    if (file_out)
        *file_out = f;
    else
        sdn_safetensors_close(f);
    return 0;
}

/* What the per-epoch callback needs to write files. */
typedef struct run_ctx {
    const sdn_train_config *c;
    const sdn_preprocess *pre;
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    char args[8192];
    char ckpt_path[1100], model_path[1100], csv_path[1100], json_path[1100];
} run_ctx;

/* Model file (with_fit = 0) or checkpoint (with_fit = 1: optimizer slots, fit state, best weights).
 */
static sdn_status save(run_ctx *r, sdn_model *model, const sdn_fit_state *st, int with_fit,
                       const char *path)
{
    sdn_st_meta meta[SDN_NET_META_COUNT + SDN_FIT_META_COUNT + 8];
    char store[SDN_NET_META_STORE], step[32], *fit_store = NULL;
    size_t n = sdn_net_to_meta(&r->spec, &r->opt, r->c->seed, meta, store);
    if (!n) /* reliability (issue 13): a spec the writer refuses is an error, not a bare file */
        return SDN_ERR_INVALID_ARG;
    meta[n++] = (sdn_st_meta){"simdnn.dataset", r->c->dataset};
    meta[n++] = (sdn_st_meta){"simdnn.preset", r->c->preset};
    meta[n++] = (sdn_st_meta){"simdnn.args", r->args};
    meta[n++] = (sdn_st_meta){"simdnn.preprocess", r->pre->standardize
                                                       ? "x/255 then (x - preprocess.mean) / "
                                                         "preprocess.std, per feature"
                                                       : "x/255"};
    snprintf(step, sizeof step, "%llu", (unsigned long long)sdn_model_step(model));
    meta[n++] = (sdn_st_meta){"fit.step", step};
    char epoch[32];
    snprintf(epoch, sizeof epoch, "%d", st->epochs_done);
    meta[n++] = (sdn_st_meta){"simdnn.epoch", epoch};
    if (with_fit) {
        n += sdn_fit_state_to_meta(st, meta + n, &fit_store);
        if (!fit_store)
            return SDN_ERR_NOMEM;
    }
    sdn_st_tensor extra[3];
    size_t ne = 0;
    if (r->pre->standardize) {
        extra[ne++] = (sdn_st_tensor){"preprocess.mean", 1, {r->pre->features}, r->pre->mean};
        extra[ne++] = (sdn_st_tensor){"preprocess.std", 1, {r->pre->features}, r->pre->std};
    }
    if (with_fit && st->best_state && st->best_epoch > 0)
        extra[ne++] = (sdn_st_tensor){"fit.best_state", 1, {st->state_count}, st->best_state};
    sdn_status s = sdn_model_save(model, path, with_fit, extra, ne, meta, n);
    free(fit_store);
    return s;
}

static sdn_status on_epoch(void *ctx, sdn_model *model, const sdn_fit_state *st, int improved,
                           int epoch_end)
{
    run_ctx *r = ctx;
    sdn_status s = sdn_history_write_csv(st, r->csv_path);
    if (!s)
        s = sdn_history_write_json(st, r->json_path);
    if (!s && improved && r->c->save_best)
        s = save(r, model, st, 0, r->model_path);
    if (!s)
        s = save(r, model, st, 1, r->ckpt_path);
    return s;
}

static void json_num(FILE *f, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        fprintf(f, "  \"%s\": %.6g%s\n", key, v, sep);
    else
        fprintf(f, "  \"%s\": null%s\n", key, sep);
}

int sdn_app_train(const sdn_train_config *c, sdn_train_result *res)
{
    memset(res, 0, sizeof *res);
    double t_start = now_s();
#if defined(__GLIBC__)
    /* Keep the 30 MB CIFAR batches in mmap'd blocks that go back to the system when freed: with
     * glibc's adaptive threshold a second run in the same process (exercise) would keep them. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    if (sdn_init())
        return sdn_app_error();
    if (c->threads > 0)
        sdn_set_num_threads(c->threads);
    if (sdn_app_mkdirs(c->out)) {
        fprintf(stderr, "simdnn: cannot create the output folder %s: %s\n", c->out,
                strerror(errno));
        return 1;
    }
    run_ctx *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "simdnn: out of memory\n");
        return 1;
    }
    r->c = c;
    snprintf(r->ckpt_path, sizeof r->ckpt_path, "%s/checkpoint.safetensors", c->out);
    snprintf(r->model_path, sizeof r->model_path, "%s/model.safetensors", c->out);
    snprintf(r->csv_path, sizeof r->csv_path, "%s/history.csv", c->out);
    snprintf(r->json_path, sizeof r->json_path, "%s/history.json", c->out);
    sdn_train_config_args(c, r->args, sizeof r->args);

    int rc = 1;
    sdn_dataset train = {0}, val = {0}, test = {0};
    sdn_preprocess pre = {0};
    sdn_model *model = NULL;
    sdn_safetensors *ckpt = NULL;
    sdn_fit_state st;
    sdn_fit_state_init(&st);
    sdn_status s;

    if (c->resume[0]) {
        char path[1100];
        struct stat sb;
        snprintf(path, sizeof path, "%s", c->resume);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            snprintf(path, sizeof path, "%s/checkpoint.safetensors", c->resume);
        if (sdn_safetensors_open(path, &ckpt)) {
            sdn_app_error();
            goto done;
        }
    }
    if (sdn_app_load_data(c, &train, &test))
        goto done;
    if ((s = sdn_dataset_split(&train, c->validation_split, &val))) {
        sdn_app_error();
        goto done;
    }
    r->spec = sdn_train_net_spec(c, train.features, train.classes);
    r->opt = sdn_train_optimizer(c);
    if ((s = sdn_net_build(&r->spec, c->seed, c->batch_size, &r->opt, &model))) {
        sdn_app_error();
        goto done;
    }
    if (ckpt) {
        /* The checkpoint's statistics, not recomputed ones: the weights were trained on them. */
        long m = sdn_safetensors_find(ckpt, "preprocess.mean");
        if (m >= 0 && c->standardize) {
            size_t shape[1] = {train.features};
            float *mean = malloc(train.features * sizeof *mean), *sd = malloc(train.features * 4);
            s = !mean || !sd ? SDN_ERR_NOMEM
                             : sdn_safetensors_read(ckpt, "preprocess.mean", 1, shape, mean);
            if (!s)
                s = sdn_safetensors_read(ckpt, "preprocess.std", 1, shape, sd);
            if (!s)
                s = sdn_preprocess_set(&pre, train.features, mean, sd);
            free(mean);
            free(sd);
        } else {
            s = sdn_preprocess_fit(&pre, &train, c->standardize);
        }
        if (!s)
            s = sdn_model_load(model, ckpt, 1);
        if (!s)
            s = sdn_fit_state_from_file(ckpt, &st, sdn_model_state_count(model));
        if (s) {
            sdn_app_error();
            goto done;
        }
        const char *step = sdn_safetensors_meta(ckpt, "fit.step");
        if (step)
            sdn_model_set_step(model, strtoull(step, NULL, 10));
        fprintf(stderr, "resuming from %s after epoch %d (step %llu)\n", sdn_safetensors_path(ckpt),
                st.epochs_done, (unsigned long long)sdn_model_step(model));
    } else if ((s = sdn_preprocess_fit(&pre, &train, c->standardize))) {
        sdn_app_error();
        goto done;
    }
    r->pre = &pre;
    fprintf(stderr,
            "simdnn train%s%s: %d x %zu %s, %s%s%s; %s lr %g, batch %zu; %s: %zu train, %zu "
            "validation, %zu test; %zu parameters; isa %s, %d threads -> %s\n",
            c->preset[0] ? " --preset " : "", c->preset, c->layers, c->units,
            sdn_activation_name(c->activation), sdn_init_name(c->init),
            c->batch_norm ? ", batch norm" : "",
            c->alpha_dropout > 0 ? ", alpha dropout"
            : c->dropout > 0     ? ", dropout"
                                 : "",
            sdn_optimizer_name(r->opt.kind), (double)r->opt.learning_rate, c->batch_size,
            c->dataset, train.n, val.n, test.n, sdn_model_param_count(model),
            sdn_isa_name(sdn_active_isa()), sdn_num_threads(), c->out);

    sdn_fit_options fo = sdn_fit_defaults();
    fo.epochs = c->epochs;
    fo.batch_size = c->batch_size;
    fo.seed = c->seed;
    fo.monitor = c->monitor;
    fo.patience = c->patience;
    fo.min_delta = c->min_delta;
    fo.restore_best = c->restore_best;
    fo.progress = c->progress;
    fo.out = stderr;
    fo.interrupt = &sdn_app_interrupted;
    fo.on_epoch = on_epoch;
    fo.ctx = r;
    if ((s = sdn_fit(model, &train, &val, &pre, &fo, &st))) {
        sdn_app_error();
        goto done;
    }
    /* The weights now in the model are the best ones (restore_best) or the last: the model file. */
    if ((s = save(r, model, &st, 0, r->model_path))) {
        sdn_app_error();
        goto done;
    }
    double test_loss = NAN, test_acc = NAN;
    if (test.n && (s = sdn_evaluate_dataset(model, &test, &pre, &test_loss, &test_acc))) {
        sdn_app_error();
        goto done;
    }
    res->best_val_accuracy = st.best_val_accuracy;
    res->best_val_loss = st.best_val_loss;
    res->best_epoch = st.best_epoch;
    res->epochs_run = st.epochs_done;
    res->test_accuracy = test_acc;
    res->test_loss = test_loss;
    double sum = 0;
    for (int i = 0; i < st.history_len; i++)
        sum += st.history[i].seconds;
    res->seconds_per_epoch = st.history_len ? sum / st.history_len : NAN;
    res->samples_per_second =
        st.train_seconds > 0 ? (double)st.samples_trained / st.train_seconds : NAN;
    res->peak_rss_mb = sdn_app_peak_rss_mb();
    res->stop = st.stop;
    /* Training time over every session of a resumed run, not just this process. */
    res->total_seconds = st.train_seconds + st.eval_seconds;
    (void)t_start;

    char path[1100];
    snprintf(path, sizeof path, "%s/summary.json", c->out);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "simdnn: %s: cannot write: %s\n", path, strerror(errno));
        goto done;
    }
    fprintf(f, "{\n  \"preset\": \"%s\",\n  \"dataset\": \"%s\",\n", c->preset, c->dataset);
    json_num(f, "best_val_accuracy", res->best_val_accuracy, ",");
    json_num(f, "best_val_loss", res->best_val_loss, ",");
    fprintf(f, "  \"best_epoch\": %d,\n  \"epochs_run\": %d,\n", res->best_epoch, res->epochs_run);
    json_num(f, "test_accuracy", test_acc, ",");
    json_num(f, "test_loss", test_loss, ",");
    json_num(f, "seconds_per_epoch", res->seconds_per_epoch, ",");
    json_num(f, "samples_per_second", res->samples_per_second, ",");
    json_num(f, "total_seconds", res->total_seconds, ",");
    json_num(f, "peak_rss_mb", res->peak_rss_mb, ",");
    fprintf(f,
            "  \"isa\": \"%s\",\n  \"threads\": %d,\n  \"stop_reason\": \"%s\",\n  "
            "\"param_count\": %zu,\n  \"train_samples\": %zu,\n  \"val_samples\": %zu,\n  "
            "\"test_samples\": %zu,\n  \"batch_size\": %zu\n}\n",
            sdn_isa_name(sdn_active_isa()), sdn_num_threads(), sdn_stop_reason_name(st.stop),
            sdn_model_param_count(model), train.n, val.n, test.n, c->batch_size);
    fclose(f);
    fprintf(stderr,
            "done (%s): best epoch %d of %d, val_accuracy %.4f, val_loss %.4f, test_accuracy "
            "%.4f; %.1f s/epoch, %.0f samples/s, peak RSS %.0f MB -> %s\n",
            sdn_stop_reason_name(st.stop), res->best_epoch, res->epochs_run, res->best_val_accuracy,
            res->best_val_loss, test_acc, res->seconds_per_epoch, res->samples_per_second,
            res->peak_rss_mb, c->out);
    /* A numeric stop or an interrupt is reported, but what was saved is still usable. */
    rc = st.stop == SDN_STOP_NUMERIC ? 1 : 0;
    res->history = st;
    sdn_fit_state_init(&st);
done:
    sdn_fit_state_free(&st);
    sdn_safetensors_close(ckpt);
    if (model)
        sdn_model_free(model);
    sdn_preprocess_free(&pre);
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
    free(r);
    return rc;
}
