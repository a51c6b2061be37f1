/* The fit loop on a small generated problem: early stopping with restored best weights, save and
 * reload with the same accuracy, resume equal to an uninterrupted run, NaN and interrupt stops,
 * history files, network spec metadata round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "simdnn_fit.h"
#include "testutil.h"

enum { FEAT = 24, CLASSES = 10 };

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("fit");
    assert_non_null(d);
    return d;
}

/* Labels from a fixed linear teacher on the pixels: learnable, not trivially. */
static sdn_dataset make_set(size_t n, uint64_t seed)
{
    sdn_dataset d = {.n = n, .features = FEAT, .classes = CLASSES, .owns = 1};
    d.pixels = malloc(n * FEAT);
    d.labels = malloc(n * sizeof *d.labels);
    float w[CLASSES][FEAT];
    sdn_test_fill(&w[0][0], CLASSES * FEAT, 7, -1, 1);
    uint64_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < FEAT; j++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            d.pixels[i * FEAT + j] = (uint8_t)(s >> 24);
        }
        int best = 0;
        double bv = -1e30;
        for (int c = 0; c < CLASSES; c++) {
            double v = 0;
            for (size_t j = 0; j < FEAT; j++)
                v += w[c][j] * (d.pixels[i * FEAT + j] / 255.0 - 0.5);
            if (v > bv) {
                bv = v;
                best = c;
            }
        }
        d.labels[i] = best;
    }
    return d;
}

static sdn_net_spec small_spec(void)
{
    sdn_net_spec s = {0};
    s.activation = SDN_ACT_ELU;
    s.init = SDN_INIT_HE_NORMAL;
    s.input_size = FEAT;
    s.classes = CLASSES;
    s.hidden_layers = 2;
    s.units = 32;
    return s;
}

static sdn_model *build(const sdn_net_spec *s, float lr)
{
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    o.learning_rate = lr;
    sdn_model *m;
    assert_int_equal(sdn_net_build(s, 3, 32, &o, &m), SDN_OK);
    return m;
}

typedef struct world {
    sdn_dataset train, val;
    sdn_preprocess pre;
} world;

static void make_world(world *w)
{
    w->train = make_set(640, 1);
    assert_int_equal(sdn_dataset_split(&w->train, 0.25, &w->val), SDN_OK);
    assert_int_equal(sdn_preprocess_fit(&w->pre, &w->train, 1), SDN_OK);
}

static void free_world(world *w)
{
    sdn_preprocess_free(&w->pre);
    sdn_dataset_free(&w->train);
}

static sdn_fit_options quiet(int epochs)
{
    sdn_fit_options o = sdn_fit_defaults();
    o.epochs = epochs;
    o.batch_size = 32;
    return o;
}

/* Twelve epochs lower the loss and beat chance on the validation part. */
static void check_learns(world *w, const sdn_net_spec *spec)
{
    sdn_model *m = build(spec, 3e-3f);
    sdn_fit_state st;
    sdn_fit_state_init(&st);
    sdn_fit_options o = quiet(12);
    assert_int_equal(sdn_fit(m, &w->train, &w->val, &w->pre, &o, &st), SDN_OK);
    assert_int_equal(st.epochs_done, 12);
    assert_int_equal(st.history_len, 12);
    assert_true(st.history[11].val_accuracy > 0.3); /* chance is 0.1 */
    assert_true(st.history[11].loss < st.history[0].loss);
    sdn_fit_state_free(&st);
    sdn_model_free(m);
}

/* min_delta too large to ever beat: stops after 1 + patience epochs, best = epoch 1, and the
 * model ends with epoch 1's weights (its validation loss and accuracy into loss, acc). */
static sdn_model *early_stop(world *w, const sdn_net_spec *spec, sdn_fit_state *st, double *loss,
                             double *acc)
{
    sdn_model *m = build(spec, 3e-3f);
    sdn_fit_state_init(st);
    sdn_fit_options o = quiet(30);
    o.patience = 3;
    o.min_delta = 100;
    assert_int_equal(sdn_fit(m, &w->train, &w->val, &w->pre, &o, st), SDN_OK);
    assert_int_equal(st->stop, SDN_STOP_EARLY);
    assert_int_equal(st->epochs_done, 4);
    assert_int_equal(st->best_epoch, 1);
    assert_non_null(strstr(st->message, "early stopping"));
    assert_int_equal(sdn_evaluate_dataset(m, &w->val, &w->pre, loss, acc), SDN_OK);
    assert_float_equal(*loss, st->history[0].val_loss, 1e-5);
    assert_float_equal(*acc, st->history[0].val_accuracy, 1e-9);
    return m;
}

/* m saved with its spec as metadata; the file opened again into *f. */
static void save_with_meta(world *w, const sdn_net_spec *spec, sdn_model *m, sdn_safetensors **f)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/m.safetensors", tmpdir());
    sdn_st_meta meta[SDN_NET_META_COUNT];
    char store[SDN_NET_META_STORE];
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_NADAM);
    size_t nm = sdn_net_to_meta(spec, &opt, 3, meta, store);
    sdn_st_tensor extra[2] = {{"preprocess.mean", 1, {FEAT}, w->pre.mean},
                              {"preprocess.std", 1, {FEAT}, w->pre.std}};
    assert_int_equal(sdn_model_save(m, path, 0, extra, 2, meta, nm), SDN_OK);
    assert_int_equal(sdn_safetensors_open(path, f), SDN_OK);
}

/* A fresh model built from the file's metadata alone evaluates to the same numbers; its
 * optimizer slots, never saved, are refused clearly. */
static void check_reload(world *w, sdn_safetensors *f, double loss, double acc)
{
    sdn_net_spec spec2;
    sdn_optimizer_options opt2;
    uint64_t seed2;
    assert_int_equal(sdn_net_from_file(f, &spec2, &opt2, &seed2), SDN_OK);
    assert_int_equal(spec2.hidden_layers, 2);
    assert_int_equal(spec2.units, 32);
    assert_int_equal(spec2.activation, SDN_ACT_ELU);
    assert_int_equal(seed2, 3);
    sdn_model *m2;
    assert_int_equal(sdn_net_build(&spec2, 99, 64, &opt2, &m2), SDN_OK);
    assert_int_equal(sdn_model_load(m2, f, 0), SDN_OK);
    double loss2, acc2;
    assert_int_equal(sdn_evaluate_dataset(m2, &w->val, &w->pre, &loss2, &acc2), SDN_OK);
    assert_float_equal(loss2, loss, 1e-6);
    assert_float_equal(acc2, acc, 1e-12);
    assert_int_equal(sdn_model_load(m2, f, 1), SDN_ERR_FORMAT);
    assert_non_null(strstr(sdn_last_error(), "optimizer"));
    sdn_model_free(m2);
}

/* Another architecture is refused before any weight changes. */
static void check_other_shapes_refused(const sdn_net_spec *spec, sdn_safetensors *f)
{
    sdn_net_spec other = *spec;
    other.units = 16;
    sdn_model *m2 = build(&other, 1e-3f);
    assert_int_equal(sdn_model_load(m2, f, 0), SDN_ERR_FORMAT);
    assert_non_null(strstr(sdn_last_error(), "shape"));
    sdn_model_free(m2);
    other = *spec;
    other.hidden_layers = 1;
    m2 = build(&other, 1e-3f);
    assert_int_equal(sdn_model_load(m2, f, 0), SDN_ERR_FORMAT);
    sdn_model_free(m2);
}

/* The history as CSV (a header and one line per epoch) and as JSON. */
static void check_history_files(const sdn_fit_state *st)
{
    char csv[1100], json[1100];
    snprintf(csv, sizeof csv, "%s/h.csv", tmpdir());
    snprintf(json, sizeof json, "%s/h.json", tmpdir());
    assert_int_equal(sdn_history_write_csv(st, csv), SDN_OK);
    assert_int_equal(sdn_history_write_json(st, json), SDN_OK);
    FILE *h = fopen(csv, "r");
    char line[512];
    int lines = 0;
    assert_non_null(fgets(line, sizeof line, h));
    assert_string_equal(line, "epoch,loss,accuracy,val_loss,val_accuracy,seconds,learning_rate\n");
    while (fgets(line, sizeof line, h))
        lines++;
    fclose(h);
    assert_int_equal(lines, st->epochs_done);
}

static void learns_and_early_stops(void **state)
{
    world w;
    make_world(&w);
    sdn_net_spec spec = small_spec();
    check_learns(&w, &spec);
    sdn_fit_state st;
    double loss, acc;
    sdn_model *m = early_stop(&w, &spec, &st, &loss, &acc);
    sdn_safetensors *f;
    save_with_meta(&w, &spec, m, &f);
    check_reload(&w, f, loss, acc);
    check_other_shapes_refused(&spec, f);
    sdn_safetensors_close(f);
    check_history_files(&st);
    sdn_fit_state_free(&st);
    sdn_model_free(m);
    free_world(&w);
}

/* Checkpoint callback: saves model + optimizer + fit state after every epoch. */
typedef struct ckpt {
    char path[1024];
    const sdn_net_spec *spec;
} ckpt;

static sdn_status save_ckpt(void *ctx, sdn_model *m, const sdn_fit_state *st, int improved,
                            int epoch_end)
{
    ckpt *c = ctx;
    sdn_st_meta meta[SDN_NET_META_COUNT + SDN_FIT_META_COUNT + 1];
    char store[SDN_NET_META_STORE], *fit_store, step[32];
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_NADAM);
    size_t n = sdn_net_to_meta(c->spec, &opt, 3, meta, store);
    n += sdn_fit_state_to_meta(st, meta + n, &fit_store);
    snprintf(step, sizeof step, "%llu", (unsigned long long)sdn_model_step(m));
    meta[n++] = (sdn_st_meta){"fit.step", step};
    sdn_st_tensor best = {"fit.best_state", 1, {st->state_count}, st->best_state};
    sdn_status s =
        sdn_model_save(m, c->path, 1, &best, st->best_state && st->best_epoch > 0, meta, n);
    free(fit_store);
    return s;
}

static void resume_continues(void **state)
{
    world w;
    make_world(&w);
    sdn_net_spec spec = small_spec();
    /* Uninterrupted: 5 epochs. */
    sdn_model *a = build(&spec, 2e-3f);
    sdn_fit_state sa;
    sdn_fit_state_init(&sa);
    sdn_fit_options o = quiet(5);
    o.restore_best = 0;
    assert_int_equal(sdn_fit(a, &w.train, &w.val, &w.pre, &o, &sa), SDN_OK);

    /* 2 epochs with checkpoints, then a new process's worth of state from the file, 3 more. */
    ckpt c = {.spec = &spec};
    snprintf(c.path, sizeof c.path, "%s/ckpt.safetensors", tmpdir());
    sdn_model *b = build(&spec, 2e-3f);
    sdn_fit_state sb;
    sdn_fit_state_init(&sb);
    o = quiet(2);
    o.restore_best = 0;
    o.on_epoch = save_ckpt;
    o.ctx = &c;
    assert_int_equal(sdn_fit(b, &w.train, &w.val, &w.pre, &o, &sb), SDN_OK);
    sdn_model_free(b);
    sdn_fit_state_free(&sb);

    sdn_safetensors *f;
    assert_int_equal(sdn_safetensors_open(c.path, &f), SDN_OK);
    b = build(&spec, 2e-3f);
    assert_int_equal(sdn_model_load(b, f, 1), SDN_OK);
    assert_int_equal(sdn_fit_state_from_file(f, &sb, sdn_model_state_count(b)), SDN_OK);
    sdn_model_set_step(b, strtoull(sdn_safetensors_meta(f, "fit.step"), NULL, 10));
    sdn_safetensors_close(f);
    assert_int_equal(sb.epochs_done, 2);
    assert_int_equal(sb.history_len, 2);
    o = quiet(5);
    o.restore_best = 0;
    assert_int_equal(sdn_fit(b, &w.train, &w.val, &w.pre, &o, &sb), SDN_OK);
    assert_int_equal(sb.epochs_done, 5);
    assert_int_equal(sb.history_len, 5);
    assert_int_equal(sdn_model_step(b), sdn_model_step(a));
    /* Bitwise, not within a tolerance: a resumed run is the same computation. */
    for (int e = 0; e < 5; e++) {
        assert_int_equal(sb.history[e].epoch, e + 1);
        assert_memory_equal(&sb.history[e].loss, &sa.history[e].loss, sizeof(double));
        assert_memory_equal(&sb.history[e].accuracy, &sa.history[e].accuracy, sizeof(double));
        assert_memory_equal(&sb.history[e].val_loss, &sa.history[e].val_loss, sizeof(double));
    }
    assert_int_equal(sb.best_epoch, sa.best_epoch);
    size_t ns = sdn_model_state_count(a);
    float *wa = malloc(ns * sizeof *wa), *wb = malloc(ns * sizeof *wb);
    assert_int_equal(sdn_model_get_state(a, wa, ns), SDN_OK);
    assert_int_equal(sdn_model_get_state(b, wb, ns), SDN_OK);
    assert_memory_equal(wa, wb, ns * sizeof *wa);
    free(wa);
    free(wb);

    /* Resumed under another monitor: the best epoch is chosen again from the history (its
     * weights are known when it is the old best or the last epoch, else the last stands in). */
    int old_best = sb.best_epoch, argmax = 1;
    for (int e = 1; e < 5; e++)
        if (sb.history[e].val_accuracy > sb.history[argmax - 1].val_accuracy)
            argmax = e + 1;
    o = quiet(5);
    o.restore_best = 0;
    o.monitor = SDN_MONITOR_VAL_ACCURACY;
    assert_int_equal(sdn_fit(b, &w.train, &w.val, &w.pre, &o, &sb), SDN_OK);
    int want = argmax == old_best || argmax == 5 ? argmax : 5;
    assert_int_equal(sb.best_epoch, want);
    assert_int_equal(sb.monitor, SDN_MONITOR_VAL_ACCURACY);
    assert_int_equal(sb.wait, 5 - want);
    assert_float_equal(sb.best_val_accuracy, sb.history[want - 1].val_accuracy, 0);
    sdn_fit_state_free(&sa);
    sdn_fit_state_free(&sb);
    sdn_model_free(a);
    sdn_model_free(b);
    free_world(&w);
}

static void nan_and_interrupt_stop(void **state)
{
    world w;
    make_world(&w);
    sdn_net_spec spec = small_spec();
    sdn_model *m = build(&spec, 1e-3f);
    size_t np = sdn_model_param_count(m);
    float *before = malloc(np * sizeof *before), *after = malloc(np * sizeof *after);
    assert_int_equal(sdn_model_get_params(m, before, np), SDN_OK);

    /* NaN statistics make every input NaN: the first step fails, the weights stay. */
    sdn_preprocess bad;
    assert_int_equal(sdn_preprocess_fit(&bad, &w.train, 1), SDN_OK);
    bad.shift[3] = NAN; /* what the batches are made from */
    sdn_fit_state st;
    sdn_fit_state_init(&st);
    sdn_fit_options o = quiet(3);
    assert_int_equal(sdn_fit(m, &w.train, &w.val, &bad, &o, &st), SDN_OK);
    assert_int_equal(st.stop, SDN_STOP_NUMERIC);
    assert_non_null(strstr(st.message, "NaN"));
    assert_int_equal(st.history_len, 0);
    assert_int_equal(sdn_model_get_params(m, after, np), SDN_OK);
    assert_memory_equal(before, after, np * sizeof *before);
    sdn_fit_state_free(&st);
    sdn_preprocess_free(&bad);

    /* The interrupt flag stops after one batch; the final callback still runs (to save). */
    volatile sig_atomic_t flag = 1;
    int calls = 0;
    sdn_fit_state_init(&st);
    o = quiet(3);
    o.interrupt = &flag;
    ckpt c = {.spec = &spec};
    snprintf(c.path, sizeof c.path, "%s/int.safetensors", tmpdir());
    o.on_epoch = save_ckpt;
    o.ctx = &c;
    assert_int_equal(sdn_fit(m, &w.train, &w.val, &w.pre, &o, &st), SDN_OK);
    (void)calls;
    assert_int_equal(st.stop, SDN_STOP_INTERRUPTED);
    assert_int_equal(st.history_len, 0);
    assert_int_equal(sdn_model_step(m), 1);
    struct stat sb;
    assert_int_equal(stat(c.path, &sb), 0);
    sdn_fit_state_free(&st);
    free(before);
    free(after);
    sdn_model_free(m);
    free_world(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(learns_and_early_stops),
        cmocka_unit_test(resume_continues),
        cmocka_unit_test(nan_and_interrupt_stop),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
