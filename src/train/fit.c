/* The training loop: shuffled float batches made on the fly from uint8 data, progress reported to
 * the application, early stopping with restore-best-weights, NaN and interrupt handling, history
 * and checkpoint state. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/batch.h"
#include "dist/dist.h" /* data-parallel training */
#include "error.h"
#include "fit.h"
#include "model.h"
#include "platform/platform.h"
#include "schedule.h"

static double now_s(void)
{
    return 1e-9 * (double)sdn_monotonic_ns();
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
    sdn_schedule_state_init(&st->schedule);
}

void sdn_fit_state_free(sdn_fit_state *st)
{
    free(st->history);
    free(st->best_state);
    memset(st, 0, sizeof *st);
}

sdn_status sdn_fit_state_push(sdn_fit_state *st, const sdn_epoch_log *row)
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
    size_t lo, hi; /* each rank evaluates its slice, the sums are added over ranks */
    sdn_dist_shard(d->n, &lo, &hi);
    for (size_t at = lo; at < hi && !status; at += chunk) {
        size_t n = hi - at < chunk ? hi - at : chunk;
        sdn_preprocess_batch(pre, d, NULL, at, n, x);
        float l, a;
        status = sdn_model_evaluate(model, x, d->labels + at, n, &l, &a);
        sl += (double)l * (double)n;
        sa += (double)a * (double)n;
    }
    free(x);
    double sums[2] = {sl, sa};
    if (!status && !(status = sdn_dist_sum(sums, 2))) {
        sl = sums[0];
        sa = sums[1];
        *loss = sl / (double)d->n;
        *accuracy = sa / (double)d->n;
    }
    return status;
}

/* Hands one progress event to the application, if it asked for them. */
static void report(const sdn_fit_options *o, sdn_fit_progress p)
{
    if (o->on_progress && sdn_dist_rank() == 0) /* rank 0 speaks for the job */
        o->on_progress(o->progress_ctx, &p);
}

static void say(const sdn_fit_options *o, const char *fmt, ...)
    __attribute__((format(SDN_PRINTF_FORMAT, 2, 3)));
static void say(const sdn_fit_options *o, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    report(o, (sdn_fit_progress){.event = SDN_FIT_MESSAGE, .message = line});
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
                            int have_val)
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
    say(o, "monitor changed to %s: best epoch is now %d%s",
        o->monitor == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy", best,
        known ? "" : " (the better earlier epoch's weights were not kept)");
    return SDN_OK;
}

/* One fit call: its inputs and the batch buffers. */
typedef struct fit_run {
    sdn_model *model;
    const sdn_dataset *train, *val;
    const sdn_preprocess *pre;
    const sdn_fit_options *o;
    sdn_fit_state *st;
    float *x;
    int32_t *y;
    size_t *index, steps;
    int have_val;
} fit_run;

/* Rows [start, start + n) of the shuffled order into r->x, each thread forming the columns that
 * the model's first layer reads on it, where it reads them in slices: so the batch does not
 * cross between cores. */
static void prepare_batch(const fit_run *r, size_t start, size_t n)
{
    size_t cut[SDN_DENSE_PIECES + 1];
    const int T = sdn_num_threads();
    const size_t parts = sdn_model_input_cut(r->model, n, T, cut);
    if (parts)
        sdn_preprocess_batch_cut(r->pre, r->train, r->index, start, n, T, cut, parts, r->x);
    else
        sdn_preprocess_batch(r->pre, r->train, r->index, start, n, r->x);
}

/* The value the monitor watches; without validation data the training metrics stand in. */
static double monitored(const fit_run *r, const sdn_epoch_log *row)
{
    return r->o->monitor == SDN_MONITOR_VAL_LOSS
               ? (r->have_val ? row->val_loss : row->loss)
               : (r->have_val ? row->val_accuracy : row->accuracy);
}

/* The batches of one epoch (0-based) in its shuffled order; running means into row. Stops early
 * (st->stop) on a NaN/Inf loss or the interrupt. */
static sdn_status train_epoch(fit_run *r, int epoch, sdn_epoch_log *row, size_t *seen)
{
    const sdn_fit_options *o = r->o;
    sdn_fit_state *st = r->st;
    const size_t n = r->train->n, bs = o->batch_size;
    sdn_shuffle_indices(r->index, n, o->seed, (uint64_t)epoch);
    report(o, (sdn_fit_progress){.event = SDN_FIT_EPOCH_BEGIN,
                                 .epoch = epoch + 1,
                                 .epochs = o->epochs,
                                 .steps = r->steps});
    const double t0 = now_s();
    double sum_loss = 0, sum_acc = 0;
    for (size_t s = 0; s < r->steps; s++) {
        size_t nb = n - s * bs < bs ? n - s * bs : bs;
        size_t lo, hi; /* this rank's rows of the global batch */
        sdn_dist_shard(nb, &lo, &hi);
        prepare_batch(r, s * bs + lo, hi - lo);
        sdn_augment_batch(&o->augment, r->x, hi - lo, o->seed, (uint64_t)epoch, s * bs + lo);
        for (size_t i = lo; i < hi; i++)
            r->y[i - lo] = r->train->labels[r->index[s * bs + i]];
        float loss = 0, acc = 0;
        sdn_schedule_apply(o->schedule, &st->schedule, r->model);
        sdn_status bst = sdn_dist_train_batch(r->model, r->x, r->y, hi - lo, nb, lo, &loss, &acc);
        if (bst == SDN_ERR_NUMERIC) {
            st->stop = SDN_STOP_NUMERIC;
            snprintf(st->message, sizeof st->message,
                     "the loss became NaN or Inf at epoch %d, batch %zu/%zu: training stopped, "
                     "keeping the weights from before that step",
                     epoch + 1, s + 1, r->steps);
            break;
        }
        if (bst)
            return bst;
        sum_loss += (double)loss * (double)nb;
        sum_acc += (double)acc * (double)nb;
        *seen += nb;
        report(o, (sdn_fit_progress){.event = SDN_FIT_STEP,
                                     .epoch = epoch + 1,
                                     .epochs = o->epochs,
                                     .step = s + 1,
                                     .steps = r->steps,
                                     .seconds = now_s() - t0,
                                     .loss = sum_loss / (double)*seen,
                                     .accuracy = sum_acc / (double)*seen});
        if (sdn_dist_any(o->interrupt && *o->interrupt)) { /* all ranks stop */
            st->stop = SDN_STOP_INTERRUPTED;
            snprintf(st->message, sizeof st->message,
                     "interrupted at epoch %d, batch %zu/%zu: stopped after that batch", epoch + 1,
                     s + 1, r->steps);
            break;
        }
    }
    row->loss = sum_loss / (double)*seen;
    row->accuracy = sum_acc / (double)*seen;
    return SDN_OK;
}

/* A whole epoch's row: validation, history, the best so far, the application's callbacks, and
 * whether patience or the interrupt ends training here. */
static sdn_status end_epoch(fit_run *r, int epoch, sdn_epoch_log *row, double t0, double t1)
{
    const sdn_fit_options *o = r->o;
    sdn_fit_state *st = r->st;
    sdn_status status;
    row->epoch = epoch + 1;
    row->val_loss = NAN;
    row->val_accuracy = NAN;
    row->learning_rate = sdn_model_learning_rate(r->model);
    if ((status = sdn_dist_epoch_end(r->model))) /* BN stats, optimizer slots */
        return status;
    if (r->have_val && (status = sdn_evaluate_dataset(r->model, r->val, r->pre, &row->val_loss,
                                                      &row->val_accuracy)))
        return status;
    double t2 = now_s();
    st->eval_seconds += t2 - t1;
    row->seconds = t2 - t0;
    if ((status = sdn_fit_state_push(st, row)))
        return status;
    st->epochs_done = epoch + 1;
    const double mv = monitored(r, row);
    const int improved = better(o, mv, st->best_value);
    sdn_schedule_epoch_end(o->schedule, &st->schedule, mv, o->monitor == SDN_MONITOR_VAL_ACCURACY);
    if (improved) {
        st->best_value = mv;
        st->best_epoch = epoch + 1;
        st->best_val_loss = row->val_loss;
        st->best_val_accuracy = row->val_accuracy;
        st->wait = 0;
        if (st->best_state &&
            (status = sdn_model_get_state(r->model, st->best_state, st->state_count)))
            return status;
    } else {
        st->wait++;
    }
    report(o, (sdn_fit_progress){.event = SDN_FIT_EPOCH_END,
                                 .epoch = epoch + 1,
                                 .epochs = o->epochs,
                                 .step = r->steps,
                                 .steps = r->steps,
                                 .seconds = row->seconds,
                                 .loss = row->loss,
                                 .accuracy = row->accuracy,
                                 .row = row,
                                 .improved = improved,
                                 .have_val = r->have_val});
    if (o->on_epoch && (status = o->on_epoch(o->ctx, r->model, st, improved, 1)))
        return status;
    if (o->patience > 0 && st->wait >= o->patience) {
        st->stop = SDN_STOP_EARLY;
        snprintf(st->message, sizeof st->message,
                 "early stopping: no improvement of %s for %d epochs; best epoch %d",
                 o->monitor == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy", o->patience,
                 st->best_epoch);
    }
    if (sdn_dist_any(o->interrupt && *o->interrupt)) { /* all ranks stop */
        st->stop = SDN_STOP_INTERRUPTED;
        snprintf(st->message, sizeof st->message, "interrupted after epoch %d", epoch + 1);
    }
    return SDN_OK;
}

/* Before the first epoch: the best weights' buffer, a changed monitor, a run already over. */
static sdn_status fit_begin(fit_run *r)
{
    const sdn_fit_options *o = r->o;
    sdn_fit_state *st = r->st;
    sdn_status status;
    if (o->restore_best && !st->best_state) {
        st->state_count = sdn_model_state_count(r->model);
        st->best_state = malloc(st->state_count * sizeof *st->best_state);
        if (!st->best_state)
            return sdn_fail(SDN_ERR_NOMEM, "out of memory for the best weights");
    }
    st->stop = SDN_STOP_COMPLETED;
    st->message[0] = 0;
    if (st->epochs_done > 0 && st->monitor != (int)o->monitor &&
        (status = remonitor(r->model, o, st, r->have_val)))
        return status;
    st->monitor = (int)o->monitor;
    if ((status = sdn_dist_sync_model(r->model, st->epochs_done))) /* rank 0's weights */
        return status;
    /* A resumed run that had already stopped early stays stopped. */
    if (o->patience > 0 && st->wait >= o->patience && st->epochs_done > 0) {
        st->stop = SDN_STOP_EARLY;
        snprintf(st->message, sizeof st->message,
                 "already stopped early after epoch %d (best epoch %d): nothing to do",
                 st->epochs_done, st->best_epoch);
    } else if (st->epochs_done >= o->epochs) {
        say(o, "already trained for %d epochs (asked for %d): nothing to do", st->epochs_done,
            o->epochs);
    }
    return SDN_OK;
}

static sdn_status fit_epochs(fit_run *r)
{
    const sdn_fit_options *o = r->o;
    sdn_fit_state *st = r->st;
    sdn_status status;
    for (int epoch = st->epochs_done; epoch < o->epochs && st->stop == SDN_STOP_COMPLETED;
         epoch++) {
        sdn_epoch_log row = {0};
        size_t seen = 0;
        const double t0 = now_s();
        if ((status = train_epoch(r, epoch, &row, &seen)))
            return status;
        const double t1 = now_s();
        st->train_seconds += t1 - t0;
        st->samples_trained += seen;
        if (st->stop != SDN_STOP_COMPLETED) { /* a partial epoch is not a history row */
            report(o, (sdn_fit_progress){.event = SDN_FIT_PARTIAL,
                                         .epoch = epoch + 1,
                                         .epochs = o->epochs,
                                         .steps = r->steps});
            break;
        }
        if ((status = end_epoch(r, epoch, &row, t0, t1)))
            return status;
    }
    if (st->message[0])
        report(o, (sdn_fit_progress){
                      .event = SDN_FIT_STOPPED, .stop = (int)st->stop, .message = st->message});
    /* The final callback sees the last weights (the resume checkpoint); the best come after. */
    if ((status = sdn_dist_gather_slots(r->model))) /* every rank's optimizer shard */
        return status;
    if (o->on_epoch && (status = o->on_epoch(o->ctx, r->model, st, 0, 0)))
        return status;
    if (st->best_state && st->best_epoch > 0 &&
        (status = sdn_model_set_state(r->model, st->best_state, st->state_count)))
        return status;
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
    const size_t n = train->n, bs = o->batch_size;
    fit_run r = {model, train, val, pre, o, st, NULL, NULL, NULL, (n + bs - 1) / bs, val && val->n};
    r.x = malloc(bs * train->features * sizeof *r.x);
    r.y = malloc(bs * sizeof *r.y);
    r.index = malloc(n * sizeof *r.index);
    sdn_status status;
    sdn_schedule_resume(o->schedule, model);
    if (!r.x || !r.y || !r.index)
        status = sdn_fail(SDN_ERR_NOMEM, "out of memory for batches");
    else if (!(status = fit_begin(&r)))
        status = fit_epochs(&r);
    free(r.x);
    free(r.y);
    free(r.index);
    return status;
}
