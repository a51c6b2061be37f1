/* The training loop: shuffled float batches made on the fly from uint8 data, Keras-like progress,
 * early stopping with restore-best-weights, NaN and interrupt handling, history and checkpoint
 * state. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "io/meta_parse.h"
#include "simdnn_fit.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *sdn_stop_reason_name(sdn_stop_reason r)
{
    switch (r) {
    case SDN_STOP_COMPLETED:
        return "completed";
    case SDN_STOP_EARLY:
        return "early_stopping";
    case SDN_STOP_NUMERIC:
        return "numeric";
    case SDN_STOP_INTERRUPTED:
        return "interrupted";
    }
    return "?";
}

sdn_fit_options sdn_fit_defaults(void)
{
    sdn_fit_options o = {0};
    o.epochs = 10;
    o.batch_size = 32;
    o.seed = 42;
    o.monitor = SDN_MONITOR_VAL_LOSS;
    o.restore_best = 1;
    return o;
}

void sdn_fit_state_init(sdn_fit_state *st)
{
    memset(st, 0, sizeof *st);
    st->best_value = NAN;
    st->best_val_loss = NAN;
    st->best_val_accuracy = NAN;
    st->monitor = -1;
}

void sdn_fit_state_free(sdn_fit_state *st)
{
    free(st->history);
    free(st->best_state);
    memset(st, 0, sizeof *st);
}

static sdn_status push_row(sdn_fit_state *st, const sdn_epoch_log *row)
{
    if (st->history_len == st->history_cap) {
        int cap = st->history_cap ? 2 * st->history_cap : 64;
        sdn_epoch_log *h = realloc(st->history, (size_t)cap * sizeof *h);
        if (!h)
            return sdn_fail(SDN_ERR_NOMEM, "out of memory for the history");
        st->history = h;
        st->history_cap = cap;
    }
    st->history[st->history_len++] = *row;
    return SDN_OK;
}

sdn_status sdn_evaluate_dataset(sdn_model *model, const sdn_dataset *d, const sdn_preprocess *pre,
                                double *loss, double *accuracy)
{
    *loss = *accuracy = NAN;
    if (!d || !d->n)
        return SDN_OK;
    const size_t chunk = d->n < 1000 ? d->n : 1000; /* 12 MB of floats for CIFAR-10 */
    float *x = malloc(chunk * d->features * sizeof *x);
    if (!x)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for an evaluation chunk");
    double sl = 0, sa = 0;
    sdn_status status = SDN_OK;
    for (size_t at = 0; at < d->n && !status; at += chunk) {
        size_t n = d->n - at < chunk ? d->n - at : chunk;
        sdn_preprocess_batch(pre, d, NULL, at, n, x);
        float l, a;
        status = sdn_model_evaluate(model, x, d->labels + at, n, &l, &a);
        sl += (double)l * (double)n;
        sa += (double)a * (double)n;
    }
    free(x);
    if (!status) {
        *loss = sl / (double)d->n;
        *accuracy = sa / (double)d->n;
    }
    return status;
}

static void fmt_time(char *buf, size_t size, double s)
{
    if (s >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60),
                 (int)fmod(s, 60));
    else if (s >= 60)
        snprintf(buf, size, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, size, "%ds", (int)(s + 0.5));
}

/* Keras' bar: " 704/1407 [=============>................] - 12s - ETA: 12s - loss: 1.2345 ..." */
static void draw_bar(FILE *out, size_t step, size_t steps, double elapsed, double loss, double acc)
{
    enum { W = 30 };
    char bar[W + 1];
    size_t done = steps ? step * W / steps : W;
    for (size_t i = 0; i < W; i++)
        bar[i] = i < done ? '=' : (i == done ? '>' : '.');
    bar[W] = 0;
    char el[32], eta[32];
    fmt_time(el, sizeof el, elapsed);
    fmt_time(eta, sizeof eta, step ? elapsed * (double)(steps - step) / (double)step : 0);
    int width = snprintf(NULL, 0, "%zu", steps);
    fprintf(out, "\r%*zu/%zu [%s] - %s - ETA: %s - loss: %.4f - accuracy: %.4f\033[K", width, step,
            steps, bar, el, eta, loss, acc);
    fflush(out);
}

static int better(const sdn_fit_options *o, double v, double best)
{
    if (isnan(v))
        return 0;
    if (isnan(best))
        return 1;
    return o->monitor == SDN_MONITOR_VAL_LOSS ? v < best - o->min_delta : v > best + o->min_delta;
}

/* A resumed run monitored differently before: the best epoch is chosen again from the history.
 * Its weights are known only if it is the old best or the last epoch; otherwise the best restarts
 * from the last epoch (said so), since those weights were never kept. */
static sdn_status remonitor(sdn_model *model, const sdn_fit_options *o, sdn_fit_state *st,
                            int have_val, FILE *out, int quiet)
{
    int old_best = st->best_epoch, best = 0;
    double bv = NAN;
    for (int i = 0; i < st->history_len; i++) {
        const sdn_epoch_log *r = &st->history[i];
        double v = o->monitor == SDN_MONITOR_VAL_LOSS ? (have_val ? r->val_loss : r->loss)
                                                      : (have_val ? r->val_accuracy : r->accuracy);
        if (better(o, v, bv)) {
            bv = v;
            best = r->epoch;
        }
    }
    if (!best)
        return SDN_OK;
    int known = best == old_best || best == st->epochs_done;
    if (!known)
        best = st->epochs_done;
    const sdn_epoch_log *r = &st->history[best - 1];
    st->best_epoch = best;
    st->best_value = o->monitor == SDN_MONITOR_VAL_LOSS
                         ? (have_val ? r->val_loss : r->loss)
                         : (have_val ? r->val_accuracy : r->accuracy);
    st->best_val_loss = r->val_loss;
    st->best_val_accuracy = r->val_accuracy;
    st->wait = st->epochs_done - best;
    if (st->best_state && best != old_best) {
        sdn_status s = sdn_model_get_state(model, st->best_state, st->state_count);
        if (s)
            return s;
    }
    if (!quiet)
        fprintf(out, "monitor changed to %s: best epoch is now %d%s\n",
                o->monitor == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy", best,
                known ? "" : " (the better earlier epoch's weights were not kept)");
    return SDN_OK;
}

sdn_status sdn_fit(sdn_model *model, const sdn_dataset *train, const sdn_dataset *val,
                   const sdn_preprocess *pre, const sdn_fit_options *o, sdn_fit_state *st)
{
    if (!model || !train || !train->n || !o || !st || !o->batch_size)
        return sdn_fail(SDN_ERR_INVALID_ARG, "sdn_fit: no model, data, options or batch size");
    if (train->features != sdn_model_input_size(model))
        return sdn_fail(SDN_ERR_INVALID_ARG, "sdn_fit: data has %zu features, the model takes %zu",
                        train->features, sdn_model_input_size(model));
    FILE *out = o->out ? o->out : stderr;
    int bar = o->progress == SDN_PROGRESS_BAR ||
              (o->progress == SDN_PROGRESS_AUTO && isatty(fileno(out)));
    int quiet = o->progress == SDN_PROGRESS_QUIET;
    const size_t n = train->n, f = train->features, bs = o->batch_size;
    const size_t steps = (n + bs - 1) / bs;
    float *x = malloc(bs * f * sizeof *x);
    int32_t *y = malloc(bs * sizeof *y);
    size_t *index = malloc(n * sizeof *index);
    sdn_status status = SDN_OK;
    if (!x || !y || !index) {
        status = sdn_fail(SDN_ERR_NOMEM, "out of memory for batches");
        goto done;
    }
    if (o->restore_best && !st->best_state) {
        st->state_count = sdn_model_state_count(model);
        st->best_state = malloc(st->state_count * sizeof *st->best_state);
        if (!st->best_state) {
            status = sdn_fail(SDN_ERR_NOMEM, "out of memory for the best weights");
            goto done;
        }
    }
    st->stop = SDN_STOP_COMPLETED;
    st->message[0] = 0;
    int have_val = val && val->n;
    if (st->epochs_done > 0 && st->monitor != (int)o->monitor &&
        (status = remonitor(model, o, st, have_val, out, quiet)))
        goto done;
    st->monitor = (int)o->monitor;
    /* A resumed run that had already stopped early stays stopped. */
    if (o->patience > 0 && st->wait >= o->patience && st->epochs_done > 0) {
        st->stop = SDN_STOP_EARLY;
        snprintf(st->message, sizeof st->message,
                 "already stopped early after epoch %d (best epoch %d): nothing to do",
                 st->epochs_done, st->best_epoch);
    } else if (st->epochs_done >= o->epochs && !quiet)
        fprintf(out, "already trained for %d epochs (asked for %d): nothing to do\n",
                st->epochs_done, o->epochs);

    for (int epoch = st->epochs_done; epoch < o->epochs && st->stop == SDN_STOP_COMPLETED;
         epoch++) {
        sdn_shuffle_indices(index, n, o->seed, (uint64_t)epoch);
        if (bar)
            fprintf(out, "Epoch %d/%d\n", epoch + 1, o->epochs);
        double t0 = now_s(), last_draw = 0, sum_loss = 0, sum_acc = 0;
        size_t seen = 0;
        for (size_t s = 0; s < steps; s++) {
            size_t nb = n - s * bs < bs ? n - s * bs : bs;
            sdn_preprocess_batch(pre, train, index, s * bs, nb, x);
            for (size_t i = 0; i < nb; i++)
                y[i] = train->labels[index[s * bs + i]];
            float loss = 0, acc = 0;
            sdn_status bst = sdn_model_train_batch(model, x, y, nb, &loss, &acc);
            if (bst == SDN_ERR_NUMERIC) {
                st->stop = SDN_STOP_NUMERIC;
                snprintf(st->message, sizeof st->message,
                         "the loss became NaN or Inf at epoch %d, batch %zu/%zu: training stopped, "
                         "keeping the weights from before that step (try a lower --lr or "
                         "--clip-norm)",
                         epoch + 1, s + 1, steps);
                break;
            }
            if (bst) {
                status = bst;
                goto done;
            }
            sum_loss += (double)loss * (double)nb;
            sum_acc += (double)acc * (double)nb;
            seen += nb;
            double t = now_s();
            if (bar && (t - last_draw > 0.1 || s + 1 == steps)) {
                draw_bar(out, s + 1, steps, t - t0, sum_loss / (double)seen,
                         sum_acc / (double)seen);
                last_draw = t;
            }
            if (o->interrupt && *o->interrupt) {
                st->stop = SDN_STOP_INTERRUPTED;
                snprintf(st->message, sizeof st->message,
                         "interrupted at epoch %d, batch %zu/%zu: stopped after that batch",
                         epoch + 1, s + 1, steps);
                break;
            }
        }
        double t1 = now_s();
        st->train_seconds += t1 - t0;
        st->samples_trained += seen;
        if (st->stop != SDN_STOP_COMPLETED) {
            if (bar)
                fprintf(out, "\n");
            break; /* a partial epoch is not a history row */
        }
        sdn_epoch_log row = {.epoch = epoch + 1,
                             .loss = sum_loss / (double)seen,
                             .accuracy = sum_acc / (double)seen,
                             .val_loss = NAN,
                             .val_accuracy = NAN,
                             .learning_rate = sdn_model_learning_rate(model)};
        if (have_val &&
            (status = sdn_evaluate_dataset(model, val, pre, &row.val_loss, &row.val_accuracy)))
            goto done;
        double t2 = now_s();
        st->eval_seconds += t2 - t1;
        row.seconds = t2 - t0;
        if ((status = push_row(st, &row)))
            goto done;
        st->epochs_done = epoch + 1;

        /* Without validation data the training metrics stand in for it. */
        double mv = o->monitor == SDN_MONITOR_VAL_LOSS
                        ? (have_val ? row.val_loss : row.loss)
                        : (have_val ? row.val_accuracy : row.accuracy);
        int improved = better(o, mv, st->best_value);
        if (improved) {
            st->best_value = mv;
            st->best_epoch = epoch + 1;
            st->best_val_loss = row.val_loss;
            st->best_val_accuracy = row.val_accuracy;
            st->wait = 0;
            if (st->best_state &&
                (status = sdn_model_get_state(model, st->best_state, st->state_count)))
                goto done;
        } else {
            st->wait++;
        }
        if (!quiet) {
            if (bar)
                fprintf(out, "\r%zu/%zu - %.1fs - loss: %.4f - accuracy: %.4f", steps, steps,
                        row.seconds, row.loss, row.accuracy);
            else
                fprintf(out, "epoch %d/%d - loss: %.4f - accuracy: %.4f", epoch + 1, o->epochs,
                        row.loss, row.accuracy);
            if (have_val)
                fprintf(out, " - val_loss: %.4f - val_accuracy: %.4f", row.val_loss,
                        row.val_accuracy);
            if (!bar)
                fprintf(out, " - %.1fs", row.seconds);
            fprintf(out, "%s%s\n", improved ? " (best)" : "", bar ? "\033[K" : "");
            fflush(out);
        }
        if (o->on_epoch && (status = o->on_epoch(o->ctx, model, st, improved, 1)))
            goto done;
        if (o->patience > 0 && st->wait >= o->patience) {
            st->stop = SDN_STOP_EARLY;
            snprintf(st->message, sizeof st->message,
                     "early stopping: no improvement of %s for %d epochs; best epoch %d",
                     o->monitor == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy", o->patience,
                     st->best_epoch);
        }
        if (o->interrupt && *o->interrupt) {
            st->stop = SDN_STOP_INTERRUPTED;
            snprintf(st->message, sizeof st->message, "interrupted after epoch %d", epoch + 1);
        }
    }
    if (st->message[0] && !quiet)
        fprintf(out, "%s\n", st->message);
    /* The final callback sees the last weights (the resume checkpoint); the best come after. */
    if (o->on_epoch && (status = o->on_epoch(o->ctx, model, st, 0, 0)))
        goto done;
    if (st->best_state && st->best_epoch > 0 &&
        (status = sdn_model_set_state(model, st->best_state, st->state_count)))
        goto done;
done:
    free(x);
    free(y);
    free(index);
    return status;
}

/* ------------------------------------------------------------------ history files */

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fprintf(f, "null");
}

sdn_status sdn_history_write_csv(const sdn_fit_state *st, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return sdn_fail(SDN_ERR_IO, "%s: cannot write", path);
    fprintf(f, "epoch,loss,accuracy,val_loss,val_accuracy,seconds,learning_rate\n");
    for (int i = 0; i < st->history_len; i++) {
        const sdn_epoch_log *r = &st->history[i];
        fprintf(f, "%d,%.9g,%.9g,%.9g,%.9g,%.6g,%.9g\n", r->epoch, r->loss, r->accuracy,
                r->val_loss, r->val_accuracy, r->seconds, r->learning_rate);
    }
    if (fclose(f) != 0)
        return sdn_fail(SDN_ERR_IO, "%s: write failed", path);
    return SDN_OK;
}

sdn_status sdn_history_write_json(const sdn_fit_state *st, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return sdn_fail(SDN_ERR_IO, "%s: cannot write", path);
    static const char *keys[] = {"epoch",        "loss",    "accuracy",     "val_loss",
                                 "val_accuracy", "seconds", "learning_rate"};
    fprintf(f, "{");
    for (int k = 0; k < 7; k++) {
        fprintf(f, "%s\n  \"%s\": [", k ? "," : "", keys[k]);
        for (int i = 0; i < st->history_len; i++) {
            const sdn_epoch_log *r = &st->history[i];
            double v[7] = {r->epoch,        r->loss,    r->accuracy,     r->val_loss,
                           r->val_accuracy, r->seconds, r->learning_rate};
            if (i)
                fprintf(f, ", ");
            json_num(f, v[k]);
        }
        fprintf(f, "]");
    }
    fprintf(f, ",\n  \"best_epoch\": %d, \"stop\": \"%s\"\n}\n", st->best_epoch,
            sdn_stop_reason_name(st->stop));
    if (fclose(f) != 0)
        return sdn_fail(SDN_ERR_IO, "%s: write failed", path);
    return SDN_OK;
}

/* ------------------------------------------------------------------ checkpoint state */

size_t sdn_fit_state_to_meta(const sdn_fit_state *st, sdn_st_meta *meta, char **store)
{
    /* Fixed fields first, then the history rows "epoch,loss,acc,vl,va,sec,lr;..." */
    size_t cap = 1024 + (size_t)st->history_len * 200;
    char *s = malloc(cap), *at = s;
    *store = s;
    if (!s)
        return 0;
    size_t n = 0;
#define PUT(name, ...)                                                                             \
    do {                                                                                           \
        meta[n].key = name;                                                                        \
        meta[n++].value = at;                                                                      \
        at += snprintf(at, cap - (size_t)(at - s), __VA_ARGS__) + 1;                               \
    } while (0)
    PUT("fit.epochs_done", "%d", st->epochs_done);
    PUT("fit.best_epoch", "%d", st->best_epoch);
    PUT("fit.best_value", "%.17g", st->best_value);
    PUT("fit.best_val_loss", "%.17g", st->best_val_loss);
    PUT("fit.best_val_accuracy", "%.17g", st->best_val_accuracy);
    PUT("fit.wait", "%d", st->wait);
    PUT("fit.monitor", "%s", st->monitor == SDN_MONITOR_VAL_ACCURACY ? "val_accuracy" : "val_loss");
    PUT("fit.train_seconds", "%.6f %.6f %llu", st->train_seconds, st->eval_seconds,
        (unsigned long long)st->samples_trained);
#undef PUT
    meta[n].key = "fit.history";
    meta[n++].value = at;
    *at = 0;
    for (int i = 0; i < st->history_len; i++) {
        const sdn_epoch_log *r = &st->history[i];
        at += snprintf(at, cap - (size_t)(at - s), "%d,%.17g,%.17g,%.17g,%.17g,%.9g,%.9g;",
                       r->epoch, r->loss, r->accuracy, r->val_loss, r->val_accuracy, r->seconds,
                       r->learning_rate);
    }
    return n;
}

sdn_status sdn_fit_state_from_file(const sdn_safetensors *file, sdn_fit_state *st,
                                   size_t state_count)
{
    sdn_fit_state_init(st);
    const char *path = sdn_safetensors_path(file);
    const char *keys[] = {
        "fit.epochs_done",       "fit.best_epoch", "fit.best_value",    "fit.best_val_loss",
        "fit.best_val_accuracy", "fit.wait",       "fit.train_seconds", "fit.history"};
    const char *v[8];
    for (int i = 0; i < 8; i++)
        if (!(v[i] = sdn_safetensors_meta(file, keys[i])))
            return sdn_fail(SDN_ERR_FORMAT,
                            "%s: no training state ('%s'): not a checkpoint, cannot resume", path,
                            keys[i]);
    /* Strictly: a checkpoint's numbers steer the resumed run (reliability, issue 13). */
    unsigned long long samples = 0;
    int end = 0, ok = sdn_meta_int(v[0], 0, 1 << 30, &st->epochs_done) &&
                       sdn_meta_int(v[1], 0, st->epochs_done, &st->best_epoch) &&
                       sdn_meta_double(v[2], &st->best_value) &&
                       sdn_meta_double(v[3], &st->best_val_loss) &&
                       sdn_meta_double(v[4], &st->best_val_accuracy) &&
                       sdn_meta_int(v[5], 0, st->epochs_done, &st->wait);
    if (!ok || sscanf(v[6], "%lf %lf %llu%n", &st->train_seconds, &st->eval_seconds, &samples,
                      &end) != 3 || v[6][end]) {
        sdn_fit_state_init(st);
        return sdn_fail(SDN_ERR_FORMAT, "%s: corrupt training state in the fit.* metadata", path);
    }
    st->samples_trained = samples;
    for (const char *p = v[7]; *p;) {
        sdn_epoch_log r;
        int used = 0;
        if (sscanf(p, "%d,%lf,%lf,%lf,%lf,%lf,%lf;%n", &r.epoch, &r.loss, &r.accuracy, &r.val_loss,
                   &r.val_accuracy, &r.seconds, &r.learning_rate, &used) != 7 ||
            !used || r.epoch != st->history_len + 1) { /* rows are epochs 1, 2, ... in order */
            sdn_fit_state_free(st);
            return sdn_fail(SDN_ERR_FORMAT, "%s: corrupt fit.history metadata", path);
        }
        sdn_status s = push_row(st, &r);
        if (s) {
            sdn_fit_state_free(st);
            return s;
        }
        p += used;
    }
    if (st->history_len != st->epochs_done) {
        sdn_fit_state_free(st);
        return sdn_fail(SDN_ERR_FORMAT, "%s: fit.history has %d rows for %d epochs", path,
                        st->history_len, st->epochs_done);
    }
    const char *mon = sdn_safetensors_meta(file, "fit.monitor");
    st->monitor = !mon                           ? -1
                  : !strcmp(mon, "val_accuracy") ? SDN_MONITOR_VAL_ACCURACY
                                                 : SDN_MONITOR_VAL_LOSS;
    long k = sdn_safetensors_find(file, "fit.best_state");
    if (k >= 0 && state_count) {
        st->state_count = state_count;
        st->best_state = malloc(state_count * sizeof *st->best_state);
        size_t shape[1] = {state_count};
        sdn_status s = st->best_state
                           ? sdn_safetensors_read(file, "fit.best_state", 1, shape, st->best_state)
                           : sdn_fail(SDN_ERR_NOMEM, "out of memory");
        if (s) {
            sdn_fit_state_free(st);
            return s;
        }
    }
    return SDN_OK;
}
