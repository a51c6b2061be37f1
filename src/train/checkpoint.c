/* What a run saves besides the weights: the history files (CSV and Keras-style JSON), the fit
 * state as checkpoint metadata, and the one place that writes and resumes checkpoints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fit.h"
#include "io/atomic_file.h"
#include "io/meta_parse.h"
#include "platform/platform.h"

/* ------------------------------------------------------------------ history files (atomic) */

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fprintf(f, "null");
}

/* A text built in memory and then written atomically. */
typedef sdn_memfile text;

static sdn_status text_open(text *t, const char *path)
{
    return sdn_memfile_open(t) == 0 ? SDN_OK : sdn_fail(SDN_ERR_NOMEM, "%s: out of memory", path);
}

static sdn_status text_commit(text *t, const char *path)
{
    sdn_status st = sdn_memfile_close(t) != 0 ? sdn_fail(SDN_ERR_NOMEM, "%s: out of memory", path)
                                              : sdn_write_file_atomic(path, t->buf, t->len);
    free(t->buf);
    return st;
}

sdn_status sdn_history_write_csv(const sdn_fit_state *st, const char *path)
{
    text t;
    sdn_status status = text_open(&t, path);
    if (status)
        return status;
    FILE *f = t.f;
    fprintf(f, "epoch,loss,accuracy,val_loss,val_accuracy,seconds,learning_rate\n");
    for (int i = 0; i < st->history_len; i++) {
        const sdn_epoch_log *r = &st->history[i];
        fprintf(f, "%d,%.9g,%.9g,%.9g,%.9g,%.6g,%.9g\n", r->epoch, r->loss, r->accuracy,
                r->val_loss, r->val_accuracy, r->seconds, r->learning_rate);
    }
    return text_commit(&t, path);
}

sdn_status sdn_history_write_json(const sdn_fit_state *st, const char *path)
{
    text t;
    sdn_status status = text_open(&t, path);
    if (status)
        return status;
    FILE *f = t.f;
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
    return text_commit(&t, path);
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
    if (!isnan(st->schedule.lr)) /* A plateau's state; nothing without one */
        PUT("fit.schedule", "%.9g %.17g %d %d", (double)st->schedule.lr, st->schedule.best,
            st->schedule.wait, st->schedule.cooldown);
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
    /* Strictly: a checkpoint's numbers steer the resumed run. */
    unsigned long long samples = 0;
    int end = 0, ok = sdn_meta_int(v[0], 0, 1 << 30, &st->epochs_done) &&
                      sdn_meta_int(v[1], 0, st->epochs_done, &st->best_epoch) &&
                      sdn_meta_double(v[2], &st->best_value) &&
                      sdn_meta_double(v[3], &st->best_val_loss) &&
                      sdn_meta_double(v[4], &st->best_val_accuracy) &&
                      sdn_meta_int(v[5], 0, st->epochs_done, &st->wait);
    if (!ok ||
        sscanf(v[6], "%lf %lf %llu%n", &st->train_seconds, &st->eval_seconds, &samples, &end) !=
            3 ||
        v[6][end]) {
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
        sdn_status s = sdn_fit_state_push(st, &r);
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
    const char *sch = sdn_safetensors_meta(file, "fit.schedule");
    if (sch && sscanf(sch, "%g %lf %d %d", &st->schedule.lr, &st->schedule.best, &st->schedule.wait,
                      &st->schedule.cooldown) != 4) {
        sdn_fit_state_free(st);
        return sdn_fail(SDN_ERR_FORMAT, "%s: corrupt fit.schedule metadata", path);
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

/* ------------------------------------------------------------------ save and resume */

sdn_status sdn_checkpoint_save(const char *path, const sdn_model *model, const sdn_fit_state *st,
                               int with_fit, const sdn_preprocess *pre, const sdn_st_meta *app_meta,
                               size_t app_meta_count)
{
    if (app_meta_count > SDN_CHECKPOINT_APP_META)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: %zu metadata entries, at most %d", path,
                        app_meta_count, SDN_CHECKPOINT_APP_META);
    sdn_st_meta meta[SDN_CHECKPOINT_APP_META + SDN_FIT_META_COUNT + 3];
    char step[32], epoch[32], *fit_store = NULL;
    size_t n = app_meta_count;
    memcpy(meta, app_meta, n * sizeof *meta);
    meta[n++] =
        (sdn_st_meta){"simdnn.preprocess", pre->standardize ? "x/255 then (x - preprocess.mean) / "
                                                              "preprocess.std, per feature"
                                                            : "x/255"};
    snprintf(step, sizeof step, "%llu", (unsigned long long)sdn_model_step(model));
    meta[n++] = (sdn_st_meta){"fit.step", step};
    snprintf(epoch, sizeof epoch, "%d", st->epochs_done);
    meta[n++] = (sdn_st_meta){"simdnn.epoch", epoch};
    if (with_fit) {
        n += sdn_fit_state_to_meta(st, meta + n, &fit_store);
        if (!fit_store)
            return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory", path);
    }
    sdn_st_tensor extra[3];
    size_t ne = 0;
    if (pre->standardize) {
        extra[ne++] = (sdn_st_tensor){"preprocess.mean", 1, {pre->features}, pre->mean};
        extra[ne++] = (sdn_st_tensor){"preprocess.std", 1, {pre->features}, pre->std};
    }
    if (with_fit && st->best_state && st->best_epoch > 0)
        extra[ne++] = (sdn_st_tensor){"fit.best_state", 1, {st->state_count}, st->best_state};
    sdn_status s = sdn_model_save(model, path, with_fit, extra, ne, meta, n);
    free(fit_store);
    return s;
}

sdn_status sdn_checkpoint_read_preprocess(const sdn_safetensors *file, size_t features,
                                          sdn_preprocess *pre)
{
    float *mean = NULL, *sd = NULL;
    sdn_status st = SDN_OK;
    if (sdn_safetensors_find(file, "preprocess.mean") >= 0) {
        size_t shape[1] = {features};
        mean = malloc(features * sizeof *mean);
        sd = malloc(features * sizeof *sd);
        st = !mean || !sd ? sdn_fail(SDN_ERR_NOMEM, "out of memory")
                          : sdn_safetensors_read(file, "preprocess.mean", 1, shape, mean);
        if (!st)
            st = sdn_safetensors_read(file, "preprocess.std", 1, shape, sd);
    }
    if (!st)
        st = sdn_preprocess_set(pre, features, mean, sd);
    free(mean);
    free(sd);
    return st;
}

sdn_status sdn_checkpoint_resume(const sdn_safetensors *ckpt, sdn_model *model, sdn_fit_state *st,
                                 sdn_preprocess *pre, const sdn_dataset *train, int standardize)
{
    /* The checkpoint's statistics, not recomputed ones: the weights were trained on them. */
    sdn_status s = sdn_safetensors_find(ckpt, "preprocess.mean") >= 0 && standardize
                       ? sdn_checkpoint_read_preprocess(ckpt, train->features, pre)
                       : sdn_preprocess_fit(pre, train, standardize);
    if (!s)
        s = sdn_model_load(model, ckpt, 1);
    if (!s)
        s = sdn_fit_state_from_file(ckpt, st, sdn_model_state_count(model));
    if (s)
        return s;
    const char *step = sdn_safetensors_meta(ckpt, "fit.step");
    if (step)
        sdn_model_set_step(model, strtoull(step, NULL, 10));
    return SDN_OK;
}
