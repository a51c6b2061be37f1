/* Learning-rate schedules: every schedule's values against hand-computed ones, Keras'
 * ReduceLROnPlateau traced step by step, bad parameters refused, the fit loop applying the rate
 * per step and recording it, a resume in the middle of a schedule bitwise equal to an
 * uninterrupted run, and the learning-rate range test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdnn_fit.h"
#include "testutil.h"

enum { FEAT = 16, CLASSES = 4 };

static void exponential_and_power(void **state)
{
    sdn_schedule e = sdn_schedule_defaults(SDN_SCHEDULE_EXPONENTIAL, 0.1f);
    e.decay_steps = 100;
    e.decay_rate = 0.5f;
    assert_float_equal(sdn_schedule_lr(&e, 0), 0.1, 1e-9);
    assert_float_equal(sdn_schedule_lr(&e, 100), 0.05, 1e-9);
    assert_float_equal(sdn_schedule_lr(&e, 150), 0.1 * pow(0.5, 1.5), 1e-9);
    e.staircase = 1;
    assert_float_equal(sdn_schedule_lr(&e, 150), 0.05, 1e-9);
    assert_float_equal(sdn_schedule_lr(&e, 199), 0.05, 1e-9);
    assert_float_equal(sdn_schedule_lr(&e, 200), 0.025, 1e-9);
    /* Keras' default decay: 0.96 per 10000 steps */
    sdn_schedule k = sdn_schedule_defaults(SDN_SCHEDULE_EXPONENTIAL, 1.0f);
    assert_float_equal(sdn_schedule_lr(&k, 10000), 0.96, 1e-7);

    /* Keras InverseTimeDecay: lr0 / (1 + rate · step / decay_steps) */
    sdn_schedule p = sdn_schedule_defaults(SDN_SCHEDULE_POWER, 0.01f);
    p.decay_steps = 1000;
    p.decay_rate = 0.5f;
    assert_float_equal(sdn_schedule_lr(&p, 0), 0.01, 1e-10);
    assert_float_equal(sdn_schedule_lr(&p, 2000), 0.01 / 2.0, 1e-10);
    assert_float_equal(sdn_schedule_lr(&p, 500), 0.01 / 1.25, 1e-10);
    p.staircase = 1;
    assert_float_equal(sdn_schedule_lr(&p, 1999), 0.01 / 1.5, 1e-10);
    /* Géron's power scheduling: lr0 / (1 + t/s)^c with c = 2 */
    p = sdn_schedule_defaults(SDN_SCHEDULE_POWER, 0.01f);
    p.power = 2;
    assert_float_equal(sdn_schedule_lr(&p, 10000), 0.01 / 4.0, 1e-10);
    assert_float_equal(sdn_schedule_lr(&p, 20000), 0.01 / 9.0, 1e-10);
}

static void piecewise_and_onecycle(void **state)
{
    sdn_schedule s = sdn_schedule_defaults(SDN_SCHEDULE_PIECEWISE, 0);
    s.n_boundaries = 2;
    s.boundaries[0] = 100;
    s.boundaries[1] = 200;
    s.values[0] = 1.0f;
    s.values[1] = 0.5f;
    s.values[2] = 0.1f;
    assert_int_equal(sdn_schedule_check(&s), SDN_OK);
    /* Keras: values[0] while step <= boundaries[0], ... */
    const uint64_t at[] = {0, 100, 101, 200, 201, 100000};
    const float want[] = {1.0f, 1.0f, 0.5f, 0.5f, 0.1f, 0.1f};
    for (int i = 0; i < 6; i++)
        assert_true(sdn_schedule_lr(&s, at[i]) == want[i]);

    /* Géron's 1cycle: up 45%, down to lr0 at 90%, lr0/1000 at the end */
    sdn_schedule c = sdn_schedule_defaults(SDN_SCHEDULE_ONECYCLE, 0.005f);
    c.max_lr = 0.05f;
    c.total_steps = 200;
    assert_int_equal(sdn_schedule_check(&c), SDN_OK);
    assert_float_equal(sdn_schedule_lr(&c, 0), 0.005, 1e-9);
    assert_float_equal(sdn_schedule_lr(&c, 45), 0.005 + 0.045 * 0.5, 1e-8);
    assert_float_equal(sdn_schedule_lr(&c, 90), 0.05, 1e-8);
    assert_float_equal(sdn_schedule_lr(&c, 135), 0.0275, 1e-8);
    assert_float_equal(sdn_schedule_lr(&c, 180), 0.005, 1e-8);
    assert_float_equal(sdn_schedule_lr(&c, 190), (0.005 + 0.000005) / 2, 1e-9);
    assert_float_equal(sdn_schedule_lr(&c, 200), 0.000005, 1e-10);
    assert_int_equal(sdn_schedule_from_name("1cycle"), SDN_SCHEDULE_ONECYCLE);
    assert_string_equal(sdn_schedule_name(SDN_SCHEDULE_PIECEWISE), "piecewise");
    assert_int_equal(sdn_schedule_from_name("cosine"), SDN_SCHEDULE_COUNT);
}

/* Smith's momentum cycle against the rate: 0.95 at the start, 0.85 at the peak (45%), 0.95 again
 * at 90% and through the end; off (0, 0) and other schedules give NaN. */
static void onecycle_momentum(void **state)
{
    sdn_schedule c = sdn_schedule_defaults(SDN_SCHEDULE_ONECYCLE, 0.005f);
    c.max_lr = 0.05f;
    c.total_steps = 200;
    assert_float_equal(c.max_momentum, 0.95, 1e-7);
    assert_float_equal(c.min_momentum, 0.85, 1e-7);
    const uint64_t at[] = {0, 45, 90, 135, 180, 190, 200, 1000};
    const double want[] = {0.95, 0.90, 0.85, 0.90, 0.95, 0.95, 0.95, 0.95};
    for (int i = 0; i < 8; i++)
        assert_float_equal(sdn_schedule_momentum(&c, at[i]), want[i], 1e-6);
    /* the rate and the momentum move against each other on both ramps */
    for (uint64_t t = 1; t <= 180; t++) {
        const double dl = sdn_schedule_lr(&c, t) - sdn_schedule_lr(&c, t - 1);
        const double dm = sdn_schedule_momentum(&c, t) - sdn_schedule_momentum(&c, t - 1);
        assert_true(dl * dm <= 0.0);
    }
    c.max_momentum = c.min_momentum = 0.0f;
    assert_int_equal(sdn_schedule_check(&c), SDN_OK);
    assert_true(isnan(sdn_schedule_momentum(&c, 90)));
    c.max_momentum = 0.8f;
    c.min_momentum = 0.9f; /* the peak's momentum above the ends' */
    assert_int_equal(sdn_schedule_check(&c), SDN_ERR_INVALID_ARG);
    c.min_momentum = 0.5f;
    c.max_momentum = 1.0f;
    assert_int_equal(sdn_schedule_check(&c), SDN_ERR_INVALID_ARG);
    sdn_schedule e = sdn_schedule_defaults(SDN_SCHEDULE_EXPONENTIAL, 0.1f);
    assert_true(isnan(sdn_schedule_momentum(&e, 0)));
}

/* Keras' ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.3, mode min), traced by
 * hand: the epoch values and the rate after each. */
static void plateau_follows_keras(void **state)
{
    sdn_schedule s = sdn_schedule_defaults(SDN_SCHEDULE_PLATEAU, 1.0f);
    s.factor = 0.5f;
    s.patience = 2;
    s.cooldown = 1;
    s.min_lr = 0.3f;
    s.min_delta = 0.01;
    sdn_schedule_state st;
    sdn_schedule_state_init(&st);
    const double v[] = {1.0, 0.9, 0.895, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9};
    /* 1.0 best; 0.9 best; 0.895 not (min_delta) wait 1; 0.9 wait 2 -> 0.5, cooldown 1, wait 0;
     * 0.95: cooldown 1->0, wait 0, then not cooling: wait 1; 0.96 wait 2 -> 0.3 (floor 0.3 > 0.25),
     * cooldown 1; 0.97: cooldown -> 0, wait 1; 0.5 best; 0.6 wait 1; 0.7 wait 2 but lr 0.3 is not
     * above min_lr: stays; 0.8, 0.9 stay. */
    const float lr[] = {1, 1, 1, 0.5f, 0.5f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f};
    const int reduced[] = {0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 12; i++) {
        assert_int_equal(sdn_schedule_epoch_end(&s, &st, v[i], 0), reduced[i]);
        assert_true(st.lr == lr[i]);
    }
    /* mode max (accuracy) */
    sdn_schedule_state_init(&st);
    s.cooldown = 0;
    s.min_lr = 0;
    assert_int_equal(sdn_schedule_epoch_end(&s, &st, 0.5, 1), 0);
    assert_int_equal(sdn_schedule_epoch_end(&s, &st, 0.6, 1), 0);
    assert_int_equal(sdn_schedule_epoch_end(&s, &st, 0.605, 1), 0);
    assert_int_equal(sdn_schedule_epoch_end(&s, &st, 0.55, 1), 1);
    assert_true(st.lr == 0.5f);
}

static void bad_parameters_refused(void **state)
{
    sdn_schedule s = sdn_schedule_defaults(SDN_SCHEDULE_EXPONENTIAL, 0.1f);
    s.decay_steps = 0;
    assert_int_equal(sdn_schedule_check(&s), SDN_ERR_INVALID_ARG);
    assert_non_null(strstr(sdn_last_error(), "decay_steps"));
    s = sdn_schedule_defaults(SDN_SCHEDULE_ONECYCLE, 0.1f);
    assert_int_equal(sdn_schedule_check(&s), SDN_ERR_INVALID_ARG); /* no total_steps */
    assert_non_null(strstr(sdn_last_error(), "total_steps"));
    s = sdn_schedule_defaults(SDN_SCHEDULE_PIECEWISE, 0);
    assert_int_equal(sdn_schedule_check(&s), SDN_ERR_INVALID_ARG);
    s.n_boundaries = 2;
    s.boundaries[0] = 5;
    s.boundaries[1] = 5;
    s.values[0] = s.values[1] = s.values[2] = 0.1f;
    assert_int_equal(sdn_schedule_check(&s), SDN_ERR_INVALID_ARG);
    assert_non_null(strstr(sdn_last_error(), "increase"));
    s = sdn_schedule_defaults(SDN_SCHEDULE_PLATEAU, 0.1f);
    s.factor = 1.0f;
    assert_int_equal(sdn_schedule_check(&s), SDN_ERR_INVALID_ARG);
    s = sdn_schedule_defaults(SDN_SCHEDULE_CONSTANT, -1.0f);
    assert_int_equal(sdn_schedule_check(&s), SDN_ERR_INVALID_ARG);
}

/* ---- the fit loop */

static sdn_dataset make_set(size_t n, uint64_t seed)
{
    sdn_dataset d = {.n = n, .features = FEAT, .classes = CLASSES, .owns = 1};
    d.pixels = malloc(n * FEAT);
    d.labels = malloc(n * sizeof *d.labels);
    uint64_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        int sum = 0;
        for (size_t j = 0; j < FEAT; j++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            d.pixels[i * FEAT + j] = (uint8_t)(s >> 24);
            sum += j < 4 ? d.pixels[i * FEAT + j] : 0;
        }
        d.labels[i] = (sum / 256) % CLASSES;
    }
    return d;
}

static sdn_model *build(void)
{
    sdn_net_spec spec = {0};
    spec.input_size = FEAT;
    spec.classes = CLASSES;
    spec.hidden_layers = 2;
    spec.units = 16;
    spec.alpha_dropout = 0.1f;
    spec.activation = SDN_ACT_SELU;
    spec.init = SDN_INIT_LECUN_NORMAL;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    sdn_model *m;
    assert_int_equal(sdn_net_build(&spec, 5, 16, &o, &m), SDN_OK);
    return m;
}

typedef struct world {
    sdn_dataset train, val;
    sdn_preprocess pre;
} world;

static void make_world(world *w)
{
    w->train = make_set(200, 1);
    assert_int_equal(sdn_dataset_split(&w->train, 0.2, &w->val), SDN_OK);
    assert_int_equal(sdn_preprocess_fit(&w->pre, &w->train, 1), SDN_OK);
}

static sdn_fit_options fit_opts(int epochs, const sdn_schedule *s)
{
    sdn_fit_options o = sdn_fit_defaults();
    o.epochs = epochs;
    o.batch_size = 16;
    o.restore_best = 0;
    o.schedule = s;
    return o;
}

/* 160 samples / 16 = 10 steps per epoch; the history's rate is the last step's. */
static void fit_applies_per_step(void **state)
{
    world w;
    make_world(&w);
    sdn_schedule s = sdn_schedule_defaults(SDN_SCHEDULE_PIECEWISE, 0);
    s.n_boundaries = 2;
    s.boundaries[0] = 14; /* epoch 2's 5th step (step index 14) still at values[0] */
    s.boundaries[1] = 25;
    s.values[0] = 0.01f;
    s.values[1] = 0.002f;
    s.values[2] = 0.0005f;
    sdn_model *m = build();
    sdn_fit_state st;
    sdn_fit_state_init(&st);
    sdn_fit_options o = fit_opts(4, &s);
    assert_int_equal(sdn_fit(m, &w.train, &w.val, &w.pre, &o, &st), SDN_OK);
    assert_int_equal(sdn_model_step(m), 40);
    /* last steps of epochs 1..4: indices 9, 19, 29, 39 */
    assert_true(st.history[0].learning_rate == (double)0.01f);
    assert_true(st.history[1].learning_rate == (double)0.002f);
    assert_true(st.history[2].learning_rate == (double)0.0005f);
    assert_true(st.history[3].learning_rate == (double)0.0005f);
    sdn_fit_state_free(&st);
    sdn_model_free(m);
    sdn_preprocess_free(&w.pre);
    sdn_dataset_free(&w.train);
}

static void save_ckpt(sdn_model *m, const sdn_fit_state *st, const char *path)
{
    sdn_st_meta meta[SDN_FIT_META_COUNT + 1];
    char *store, step[32];
    size_t n = sdn_fit_state_to_meta(st, meta, &store);
    snprintf(step, sizeof step, "%llu", (unsigned long long)sdn_model_step(m));
    meta[n++] = (sdn_st_meta){"fit.step", step};
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, meta, n), SDN_OK);
    free(store);
}

/* Stopped after epoch 3 of 6 and resumed from the file: the same bits as never stopping, with
 * 1cycle (a function of the step) and plateau (state carried in the checkpoint). */
static void resume_mid_schedule_bitwise(void **state)
{
    world w;
    make_world(&w);
    const char *dir = sdn_test_tmpdir("schedule");
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/ckpt.safetensors", dir);
    sdn_schedule cyc = sdn_schedule_defaults(SDN_SCHEDULE_ONECYCLE, 0.001f);
    cyc.max_lr = 0.01f;
    cyc.total_steps = 60;
    sdn_schedule pl = sdn_schedule_defaults(SDN_SCHEDULE_PLATEAU, 0.01f);
    pl.patience = 1;
    pl.factor = 0.5f;
    pl.min_delta = 0.5; /* nothing improves enough: the rate halves every other epoch */
    const sdn_schedule *kinds[2] = {&cyc, &pl};
    for (int k = 0; k < 2; k++) {
        sdn_model *a = build(), *b = build();
        sdn_fit_state sa, sb;
        sdn_fit_state_init(&sa);
        sdn_fit_state_init(&sb);
        sdn_fit_options o = fit_opts(6, kinds[k]);
        assert_int_equal(sdn_fit(a, &w.train, &w.val, &w.pre, &o, &sa), SDN_OK);
        o.epochs = 3;
        assert_int_equal(sdn_fit(b, &w.train, &w.val, &w.pre, &o, &sb), SDN_OK);
        save_ckpt(b, &sb, path);
        sdn_model_free(b);
        sdn_fit_state_free(&sb);

        sdn_safetensors *f;
        assert_int_equal(sdn_safetensors_open(path, &f), SDN_OK);
        b = build();
        assert_int_equal(sdn_model_load(b, f, 1), SDN_OK);
        assert_int_equal(sdn_fit_state_from_file(f, &sb, 0), SDN_OK);
        sdn_model_set_step(b, strtoull(sdn_safetensors_meta(f, "fit.step"), NULL, 10));
        sdn_safetensors_close(f);
        o.epochs = 6;
        assert_int_equal(sdn_fit(b, &w.train, &w.val, &w.pre, &o, &sb), SDN_OK);
        const size_t n = sdn_model_state_count(a);
        float *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
        assert_int_equal(sdn_model_get_state(a, pa, n), SDN_OK);
        assert_int_equal(sdn_model_get_state(b, pb, n), SDN_OK);
        assert_memory_equal(pa, pb, n * sizeof *pa);
        for (int e = 0; e < 6; e++)
            assert_true((float)sa.history[e].learning_rate == (float)sb.history[e].learning_rate);
        assert_true(sa.schedule.lr == sb.schedule.lr ||
                    (isnan(sa.schedule.lr) && isnan(sb.schedule.lr)));
        assert_int_equal(sa.schedule.wait, sb.schedule.wait);
        if (k == 1) /* the plateau did reduce, more than once */
            assert_true(sa.history[5].learning_rate < 0.01 * 0.5 * 0.5 + 1e-9);
        free(pa);
        free(pb);
        sdn_fit_state_free(&sa);
        sdn_fit_state_free(&sb);
        sdn_model_free(a);
        sdn_model_free(b);
    }
    sdn_preprocess_free(&w.pre);
    sdn_dataset_free(&w.train);
}

static sdn_model *build_with(sdn_optimizer_kind kind, float momentum)
{
    sdn_net_spec spec = {0};
    spec.input_size = FEAT;
    spec.classes = CLASSES;
    spec.hidden_layers = 1;
    spec.units = 8;
    sdn_optimizer_options o = sdn_optimizer_defaults(kind);
    o.momentum = momentum;
    sdn_model *m;
    assert_int_equal(sdn_net_build(&spec, 5, 16, &o, &m), SDN_OK);
    return m;
}

/* SGD's momentum needs its velocity slot; Adam's and Nadam's beta1 is always there; RMSProp has
 * none; values outside [0, 1) refused. A cycled SGD run differs from one with the cycle off. */
static void momentum_setter(void **state)
{
    sdn_model *plain = build_with(SDN_OPT_SGD, 0.0f), *sgd = build_with(SDN_OPT_SGD, 0.9f);
    sdn_model *nadam = build_with(SDN_OPT_NADAM, 0.0f), *rms = build_with(SDN_OPT_RMSPROP, 0.0f);
    assert_int_equal(sdn_model_set_momentum(plain, 0.9f), SDN_ERR_INVALID_ARG);
    assert_non_null(strstr(sdn_last_error(), "compiled with momentum 0"));
    assert_int_equal(sdn_model_set_momentum(sgd, 0.85f), SDN_OK);
    assert_int_equal(sdn_model_set_momentum(sgd, 1.0f), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_set_momentum(sgd, -0.1f), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_set_momentum(nadam, 0.85f), SDN_OK);
    assert_int_equal(sdn_model_set_momentum(rms, 0.85f), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_set_momentum(NULL, 0.85f), SDN_ERR_INVALID_ARG);
    sdn_model_free(plain);
    sdn_model_free(sgd);
    sdn_model_free(nadam);
    sdn_model_free(rms);

    world w;
    make_world(&w);
    sdn_schedule cyc = sdn_schedule_defaults(SDN_SCHEDULE_ONECYCLE, 0.001f);
    cyc.max_lr = 0.01f;
    cyc.total_steps = 30;
    float out[2][8];
    for (int k = 0; k < 2; k++) {
        if (k)
            cyc.max_momentum = cyc.min_momentum = 0.0f;
        sdn_model *m = build_with(SDN_OPT_SGD, 0.95f);
        sdn_fit_state st;
        sdn_fit_state_init(&st);
        sdn_fit_options o = fit_opts(3, &cyc);
        assert_int_equal(sdn_fit(m, &w.train, &w.val, &w.pre, &o, &st), SDN_OK);
        const size_t n = sdn_model_state_count(m);
        float *p = malloc(n * sizeof *p);
        assert_int_equal(sdn_model_get_state(m, p, n), SDN_OK);
        memcpy(out[k], p, sizeof out[k]);
        free(p);
        sdn_fit_state_free(&st);
        sdn_model_free(m);
    }
    assert_true(memcmp(out[0], out[1], sizeof out[0]) != 0);
    sdn_preprocess_free(&w.pre);
    sdn_dataset_free(&w.train);
}

static void range_test(void **state)
{
    world w;
    make_world(&w);
    sdn_model *m = build();
    sdn_lr_find_options o = sdn_lr_find_defaults();
    o.batch_size = 8;
    o.min_lr = 1e-5;
    o.max_lr = 100;
    sdn_lr_find_result r;
    assert_int_equal(sdn_lr_find(m, &w.train, &w.pre, &o, &r), SDN_OK);
    assert_true(r.n >= 2 && r.n <= 20);
    assert_float_equal(r.lr[0], 1e-5, 1e-12);
    for (size_t i = 1; i < r.n; i++) /* exponential: a constant ratio */
        assert_float_equal(r.lr[i] / r.lr[i - 1], pow(1e7, 1.0 / 19), 1e-9);
    double lo = INFINITY;
    for (size_t i = 0; i < r.n; i++)
        lo = fmin(lo, r.loss[i]);
    assert_true(lo == r.min_loss);
    assert_true(r.suggested == r.min_loss_lr / 10);
    assert_true(r.diverged); /* lr 100 blows any net up */
    sdn_lr_find_result_free(&r);
    o.min_lr = 1;
    o.max_lr = 0.5;
    assert_int_equal(sdn_lr_find(m, &w.train, &w.pre, &o, &r), SDN_ERR_INVALID_ARG);
    sdn_model_free(m);
    sdn_preprocess_free(&w.pre);
    sdn_dataset_free(&w.train);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exponential_and_power),
        cmocka_unit_test(piecewise_and_onecycle),
        cmocka_unit_test(onecycle_momentum),
        cmocka_unit_test(momentum_setter),
        cmocka_unit_test(plateau_follows_keras),
        cmocka_unit_test(bad_parameters_refused),
        cmocka_unit_test(fit_applies_per_step),
        cmocka_unit_test(resume_mid_schedule_bitwise),
        cmocka_unit_test(range_test),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
