/* What every lab shares: report output (Markdown, flat JSON, figure paths), the exercise's network
 * at the lab's scale, quiet training runs, a per-step training loop, and looking inside a model
 * (distinct units, per-layer activation statistics). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "platform.h"
#include "svg.h"

double lab_now(void)
{
    return 1e-9 * (double)sdn_monotonic_ns();
}

double lab_pct(double fraction)
{
    return 100.0 * fraction;
}

const char *lab_verdict(lab_ctx *ctx, int held, int of)
{
    const char *v = held == of ? "confirmed" : held ? "partly" : "refuted";
    lab_str(ctx, "verdict", v);
    return v;
}

void lab_md(lab_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ctx->md, fmt, ap);
    va_end(ap);
}

static void json_key(lab_ctx *ctx, const char *key)
{
    fprintf(ctx->json, "%s\n  \"%s\": ", ctx->json_count++ ? "," : "", key);
}

int lab_timing_key(const char *key)
{
    const size_t n = strlen(key);
    return strstr(key, "seconds") || (n > 3 && !strcmp(key + n - 3, "_ns")) ||
           !strncmp(key, "load", 4);
}

/* FNV-1a over the text the JSON holds, so the hash is of the numbers as written. */
static void hash_text(lab_ctx *ctx, const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        ctx->hash = (ctx->hash ^ *c) * 0x100000001b3ull;
}

static void json_value(lab_ctx *ctx, const char *key, double v)
{
    char text[40];
    if (isfinite(v))
        snprintf(text, sizeof text, "%.9g", v);
    else
        snprintf(text, sizeof text, "null");
    fputs(text, ctx->json);
    if (!lab_timing_key(key)) {
        hash_text(ctx, key);
        hash_text(ctx, text);
    }
}

void lab_num(lab_ctx *ctx, const char *key, double v)
{
    json_key(ctx, key);
    json_value(ctx, key, v);
}

void lab_nums(lab_ctx *ctx, const char *key, const double *v, int n)
{
    json_key(ctx, key);
    fprintf(ctx->json, "[");
    for (int i = 0; i < n; i++) {
        if (i)
            fprintf(ctx->json, ", ");
        json_value(ctx, key, v[i]);
    }
    fprintf(ctx->json, "]");
}

void lab_str(lab_ctx *ctx, const char *key, const char *v)
{
    json_key(ctx, key);
    fprintf(ctx->json, "\"%s\"", v); /* labs write plain words: nothing to escape */
}

void lab_figure_path(const lab_ctx *ctx, const char *what, char *path, size_t size)
{
    snprintf(path, size, "%s/%s-%s.svg", ctx->out, ctx->name, what);
}

void lab_md_figure(lab_ctx *ctx, const char *what, const char *caption)
{
    if (ctx->print_hash)
        return;
    lab_md(ctx, "\n![%s](%s-%s.svg)\n\n", caption, ctx->name, what);
}

void lab_accuracy_figure(lab_ctx *ctx, const char *what, const lab_result *const *runs,
                         const char *const *labels, int n)
{
    enum { MAX_RUNS = 8, MAX_EPOCHS = 512 };
    static double acc[MAX_RUNS][2][MAX_EPOCHS];
    app_svg_series s[MAX_RUNS];
    n = n < MAX_RUNS ? n : MAX_RUNS;
    if (ctx->print_hash)
        return;
    for (int k = 0; k < n; k++) {
        const sdn_fit_state *h = &runs[k]->fit;
        const int len = h->history_len < MAX_EPOCHS ? h->history_len : MAX_EPOCHS;
        for (int e = 0; e < len; e++) {
            acc[k][0][e] = h->history[e].accuracy;
            acc[k][1][e] = h->history[e].val_accuracy;
        }
        s[k] = (app_svg_series){labels[k], acc[k][0], acc[k][1], len};
    }
    char path[1100];
    lab_figure_path(ctx, what, path, sizeof path);
    if (app_svg_curves(path, "Accuracy per epoch (solid: validation, dashed: training)", "accuracy",
                       s, n))
        fprintf(stderr, "simdnn: cannot write %s\n", path);
    lab_md_figure(ctx, what, "accuracy per epoch");
}

void lab_xy_figure(lab_ctx *ctx, const char *what, const char *caption, const app_xy_plot *plot,
                   const app_xy_series *series, int count)
{
    char path[1100];
    if (ctx->print_hash)
        return;
    lab_figure_path(ctx, what, path, sizeof path);
    if (app_svg_xy(path, plot, series, count))
        fprintf(stderr, "simdnn: cannot write %s\n", path);
    lab_md_figure(ctx, what, caption);
}

sdn_net_spec lab_spec(const lab_ctx *ctx, sdn_activation act, sdn_init_kind init)
{
    sdn_net_spec s = {0};
    s.input_size = ctx->train.features;
    s.classes = ctx->train.classes;
    s.hidden_layers = ctx->layers;
    s.units = ctx->units;
    s.activation = act;
    s.init = init;
    return s;
}

lab_run lab_run_defaults(const lab_ctx *ctx, sdn_net_spec spec, sdn_optimizer_kind opt, float lr)
{
    lab_run r;
    memset(&r, 0, sizeof r);
    r.spec = spec;
    r.opt = sdn_optimizer_defaults(opt);
    r.opt.learning_rate = lr;
    r.epochs = ctx->epochs;
    r.batch_size = 32;
    r.monitor = SDN_MONITOR_VAL_ACCURACY;
    return r;
}

void lab_result_free(lab_result *res)
{
    sdn_model_free(res->model);
    sdn_fit_state_free(&res->fit);
    memset(res, 0, sizeof *res);
}

double lab_accuracy(lab_ctx *ctx, sdn_model *m, const sdn_dataset *d, const sdn_preprocess *pre)
{
    double loss, acc;
    if (sdn_evaluate_dataset(m, d, pre ? pre : &ctx->pre_std, &loss, &acc))
        return NAN;
    return acc;
}

int lab_train(lab_ctx *ctx, const char *label, const lab_run *run, lab_result *res)
{
    memset(res, 0, sizeof *res);
    sdn_fit_state_init(&res->fit);
    const uint64_t seed = run->seed ? run->seed : ctx->seed;
    const size_t bs = run->batch_size ? run->batch_size : 32;
    const sdn_preprocess *pre = run->pre ? run->pre : &ctx->pre_std;
    if (sdn_net_build(&run->spec, seed, bs, &run->opt, &res->model))
        return app_error();
    if (run->prepare)
        run->prepare(res->model, run->arg);
    sdn_fit_options o = sdn_fit_defaults();
    o.epochs = run->epochs;
    o.batch_size = bs;
    o.seed = seed;
    o.monitor = run->monitor;
    o.patience = run->patience;
    o.interrupt = &app_interrupted;
    o.schedule = run->schedule;
    if (sdn_fit(res->model, run->train ? run->train : &ctx->train, run->val ? run->val : &ctx->val,
                pre, &o, &res->fit)) {
        app_error();
        lab_result_free(res);
        return 1;
    }
    double sec = 0;
    for (int i = 0; i < res->fit.history_len; i++)
        sec += res->fit.history[i].seconds;
    res->seconds_per_epoch = res->fit.history_len ? sec / res->fit.history_len : NAN;
    res->val_accuracy = res->fit.best_val_accuracy;
    res->test_accuracy = lab_accuracy(ctx, res->model, &ctx->test, pre);
    if (!ctx->print_hash)
        fprintf(stderr, "  %-28s %2d epochs (best %2d, %s), val %.4f, test %.4f, %.2f s/epoch\n",
                label, res->fit.epochs_done, res->fit.best_epoch,
                sdn_stop_reason_name(res->fit.stop), res->val_accuracy, res->test_accuracy,
                res->seconds_per_epoch);
    return 0;
}

long lab_fit_steps(lab_ctx *ctx, sdn_model *m, const sdn_dataset *d, int epochs, size_t batch,
                   lab_step_fn after_step, void *arg, double *losses, size_t max_losses)
{
    float *x = malloc(batch * d->features * sizeof *x);
    int32_t *y = malloc(batch * sizeof *y);
    size_t *index = malloc(d->n * sizeof *index);
    long step = 0;
    int stop = 0;
    if (!x || !y || !index) {
        fprintf(stderr, "simdnn: out of memory\n");
        step = -1;
    }
    for (int e = 0; e < epochs && step >= 0 && !stop && !app_interrupted; e++) {
        sdn_shuffle_indices(index, d->n, ctx->seed, (uint64_t)e);
        for (size_t at = 0; at < d->n && !stop; at += batch) {
            const size_t nb = d->n - at < batch ? d->n - at : batch;
            sdn_preprocess_batch(&ctx->pre_std, d, index, at, nb, x);
            for (size_t i = 0; i < nb; i++)
                y[i] = d->labels[index[at + i]];
            float loss = NAN;
            sdn_status st = sdn_model_train_batch(m, x, y, nb, &loss, NULL);
            if (st && st != SDN_ERR_NUMERIC) {
                app_error();
                step = -1;
                break;
            }
            if (st)
                loss = NAN;
            if (losses && (size_t)step < max_losses)
                losses[step] = loss;
            step++;
            stop = !isfinite(loss) || (after_step && after_step(m, (size_t)step, loss, arg));
        }
    }
    free(x);
    free(y);
    free(index);
    return step;
}

int lab_params(const sdn_model *m, const char *suffix, sdn_tensor *out, int max)
{
    const size_t ls = strlen(suffix);
    int n = 0;
    for (size_t t = 0; t < sdn_model_tensor_count(m) && n < max; t++) {
        sdn_tensor k;
        if (!sdn_model_tensor(m, t, &k) && k.role == SDN_TENSOR_PARAM &&
            !strncmp(k.name, "dense", 5) && strlen(k.name) > ls &&
            !strcmp(k.name + strlen(k.name) - ls, suffix))
            out[n++] = k;
    }
    return n;
}

double lab_normal(uint64_t *s)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
        u[i] = ((double)((*s * 0x2545f4914f6cdd1dull) >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* Columns i and j of a [rows × cols] kernel equal within tol. */
static int same_column(const float *w, size_t rows, size_t cols, size_t i, size_t j, double tol)
{
    for (size_t r = 0; r < rows; r++)
        if (fabs((double)w[r * cols + i] - (double)w[r * cols + j]) > tol)
            return 0;
    return 1;
}

int lab_distinct_units(const sdn_model *m, double tol, int *distinct, int max_layers)
{
    sdn_tensor k[64];
    int n = lab_params(m, ".kernel", k, 64) - 1; /* the output layer is not a hidden layer */
    for (int l = 0; l < n && l < max_layers; l++) {
        const size_t rows = k[l].shape[0], cols = k[l].shape[1];
        float scale = 0; /* a float max: gcc 12's aarch64 vectorizer crashes on the double fmax */
        for (size_t i = 0; i < k[l].size; i++)
            scale = fabsf(k[l].data[i]) > scale ? fabsf(k[l].data[i]) : scale;
        int count = 0;
        for (size_t j = 0; j < cols; j++) {
            int seen = 0;
            for (size_t i = 0; i < j && !seen; i++)
                seen = same_column(k[l].data, rows, cols, i, j, tol * scale);
            count += !seen;
        }
        distinct[l] = count;
    }
    return n < max_layers ? n : max_layers;
}

/* Statistics of one layer's outputs y[n × units]; dead (may be NULL) gets a flag per unit. */
static lab_layer_stats stats_of(const float *y, size_t n, size_t units, unsigned char *dead_units)
{
    double s = 0, s2 = 0;
    size_t dead = 0;
    for (size_t j = 0; j < units; j++) {
        int alive = 0;
        for (size_t i = 0; i < n; i++) {
            const double v = y[i * units + j];
            s += v;
            s2 += v * v;
            alive |= v != 0.0;
        }
        dead += !alive;
        if (dead_units)
            dead_units[j] = !alive;
    }
    const double cnt = (double)(n * units), mean = s / cnt;
    return (lab_layer_stats){mean, sqrt(fmax(s2 / cnt - mean * mean, 0)), (double)dead / units};
}

int lab_hidden_stats(const sdn_model *m, const sdn_net_spec *spec, const sdn_dataset *d,
                     const sdn_preprocess *pre, size_t n, lab_layer_stats *out, int max_layers,
                     unsigned char *dead_units)
{
    sdn_tensor k[64], b[64];
    const int nk = lab_params(m, ".kernel", k, 64);
    if (lab_params(m, ".bias", b, 64) != nk)
        return 0;
    n = n < d->n ? n : d->n;
    size_t width = d->features;
    float *h = malloc(n * width * sizeof *h), *y = NULL;
    if (!h || spec->batch_norm)
        return free(h), 0;
    sdn_preprocess_batch(pre, d, NULL, 0, n, h);
    int layers = 0;
    for (int l = 0; l + 1 < nk && layers < max_layers; l++) {
        const size_t units = k[l].shape[1];
        if (!(y = malloc(n * units * sizeof *y)))
            break;
        for (size_t i = 0; i < n; i++)
            memcpy(y + i * units, b[l].data, units * sizeof *y);
        sdn_sgemm(SDN_NO_TRANS, SDN_NO_TRANS, n, units, width, 1.0f, h, width, k[l].data, units,
                  1.0f, y, units);
        sdn_activation_forward_n(spec->activation, spec->activation_alpha, n * units, y, y);
        out[layers++] = stats_of(y, n, units, dead_units);
        dead_units = dead_units ? dead_units + units : NULL;
        free(h);
        h = y;
        y = NULL;
        width = units;
    }
    free(h);
    free(y);
    return layers;
}

uint64_t lab_seed(const lab_ctx *ctx, int i)
{
    return ctx->cfg->seed + (uint64_t)i;
}

int lab_seed_count(const lab_ctx *ctx, int deciding)
{
    return deciding ? ctx->seeds_deciding : ctx->seeds;
}

int lab_train_seeds(lab_ctx *ctx, const char *label, const lab_run *run, int n, lab_result *keep,
                    double *val, double *test, lab_inspect_fn inspect, void *arg)
{
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        ctx->seed = lab_seed(ctx, i);
        lab_run r = *run;
        r.seed = 0;
        char line[96];
        snprintf(line, sizeof line, "%s, seed %llu", label, (unsigned long long)ctx->seed);
        lab_result res;
        if ((rc = lab_train(ctx, line, &r, &res))) {
            if (keep && i)
                lab_result_free(keep);
            break;
        }
        val[i] = res.val_accuracy;
        if (test)
            test[i] = res.test_accuracy;
        if (inspect)
            inspect(ctx, &res, i, arg);
        if (!i && keep)
            *keep = res;
        else
            lab_result_free(&res);
    }
    ctx->seed = ctx->cfg->seed;
    return rc;
}
