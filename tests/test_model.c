/* The model API: training makes progress, thread-count invariance, NaN steps leave everything as
 * it was, errors as values, BN mode switching, MC Dropout, tensors, state, pruning, schedules.
 * The initializers and the RNG have test_init_rng.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "platform/platform.h"
#include "rng.h"
#include "testhooks.h"
#include "testutil.h"

enum { D = 48, K = 10, NB = 64 };

static int threads_ok = 1; /* 0 under qemu-user 7.2, where a second thread never starts */

typedef struct data {
    float x[4 * NB * D];
    int32_t y[4 * NB];
} data;

/* Separable-ish data: the label picks which block of inputs is shifted. */
static void make_data(data *d, size_t n, uint64_t seed)
{
    sdn_test_fill(d->x, n * D, seed, -1.0f, 1.0f);
    for (size_t i = 0; i < n; i++) {
        d->y[i] = (int32_t)((i * 2654435761u + seed) % K);
        for (size_t j = 0; j < 4; j++)
            d->x[i * D + (size_t)d->y[i] * 4 + j] += 1.5f;
    }
}

static sdn_model *make_model(uint64_t seed, int bn, int drop, sdn_optimizer_options o)
{
    sdn_model *m = sdn_model_new(seed);
    assert_non_null(m);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    for (int i = 0; i < 3; i++) {
        sdn_dense_options d = sdn_dense_defaults(64);
        d.kernel_init.kind = SDN_INIT_HE_NORMAL;
        d.activation = bn ? SDN_ACT_LINEAR : SDN_ACT_ELU;
        d.l2 = i == 0 ? 1e-4f : 0.0f;
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
        if (bn) {
            assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
            assert_int_equal(sdn_model_add_activation(m, SDN_ACT_ELU, 0.0f), SDN_OK);
        }
    }
    if (drop == 1)
        assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
    if (drop == 2)
        assert_int_equal(sdn_model_add_alpha_dropout(m, 0.1f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(K);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_compile(m, D, NB, &o), SDN_OK);
    return m;
}

static void test_training_learns(void **s)
{
    (void)s;
    static data d;
    make_data(&d, 4 * NB, 1);
    sdn_model *m = make_model(1, 0, 0, sdn_optimizer_defaults(SDN_OPT_NADAM));
    float loss0, acc0, loss, acc;
    assert_int_equal(sdn_model_evaluate(m, d.x, d.y, 4 * NB, &loss0, &acc0), SDN_OK);
    for (int e = 0; e < 15; e++)
        for (size_t b = 0; b < 4; b++)
            assert_int_equal(
                sdn_model_train_batch(m, d.x + b * NB * D, d.y + b * NB, NB, &loss, &acc), SDN_OK);
    assert_int_equal(sdn_model_step(m), 60);
    assert_int_equal(sdn_model_evaluate(m, d.x, d.y, 4 * NB, &loss, &acc), SDN_OK);
    print_message("  loss %.3f → %.3f, accuracy %.3f → %.3f\n", loss0, loss, acc0, acc);
    assert_true(loss < 0.5f * loss0);
    assert_true(acc > 0.9f);
    /* predict = evaluate's probabilities; any n (here more than max_batch) */
    float *p = malloc(4 * NB * K * sizeof(float));
    assert_int_equal(sdn_model_predict(m, d.x, 4 * NB, p), SDN_OK);
    double sum = 0.0;
    for (size_t k = 0; k < K; k++)
        sum += p[7 * K + k];
    assert_float_equal(sum, 1.0, 1e-5);
    free(p);
    sdn_model_free(m);
}

/* Same seed ⇒ bitwise identical parameters, BN state and optimizer moments on 1 and 2 threads. */
static void run_threads(int bn, int drop, sdn_optimizer_options o)
{
    if (!threads_ok) {
        print_message("[  SKIP    ] threads do not start on this host (qemu-user?)\n");
        skip();
    }
    sdn_parallel_min_macs = 0.0; /* split these small passes whatever this host's meetings cost */
    static data d;
    make_data(&d, 4 * NB, 2);
    float *p[2];
    size_t count = 0;
    float mc[2][8 * K];
    for (int t = 0; t < 2; t++) {
        sdn_set_num_threads(t + 1);
        sdn_model *m = make_model(7, bn, drop, o);
        for (int e = 0; e < 2; e++)
            for (size_t b = 0; b < 4; b++) {
                const size_t n = b == 3 ? 37 : NB; /* a ragged last batch too */
                assert_int_equal(
                    sdn_model_train_batch(m, d.x + b * NB * D, d.y + b * NB, n, NULL, NULL),
                    SDN_OK);
            }
        count = sdn_model_state_count(m);
        p[t] = malloc((count + m->n_params * 2) * sizeof(float));
        assert_int_equal(sdn_model_get_state(m, p[t], count), SDN_OK);
        memcpy(p[t] + count, m->opt_m ? m->opt_m : m->params, m->n_params * sizeof(float));
        memcpy(p[t] + count + m->n_params, m->opt_v ? m->opt_v : m->params,
               m->n_params * sizeof(float));
        assert_int_equal(sdn_model_predict_mc(m, d.x, 8, 3, mc[t], NULL), SDN_OK);
        count += 2 * m->n_params;
        sdn_model_free(m);
    }
    sdn_set_num_threads(threads_ok ? 0 : 1);
    sdn_parallel_min_macs = -1.0;
    assert_memory_equal(p[0], p[1], count * sizeof(float));
    assert_memory_equal(mc[0], mc[1], sizeof mc[0]);
    free(p[0]);
    free(p[1]);
}

static void test_threads_plain(void **s)
{
    (void)s;
    run_threads(0, 0, sdn_optimizer_defaults(SDN_OPT_NADAM));
}
static void test_threads_bn_dropout(void **s)
{
    (void)s;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    o.momentum = 0.9f;
    o.nesterov = 1;
    o.clip_norm = 0.5f;
    run_threads(1, 1, o);
}
static void test_threads_alpha_dropout(void **s)
{
    (void)s;
    run_threads(0, 2, sdn_optimizer_defaults(SDN_OPT_RMSPROP));
}

static void test_nan_leaves_weights(void **s)
{
    (void)s;
    static data d;
    make_data(&d, NB, 3);
    sdn_model *m = make_model(3, 1, 1, sdn_optimizer_defaults(SDN_OPT_ADAM));
    assert_int_equal(sdn_model_train_batch(m, d.x, d.y, NB, NULL, NULL), SDN_OK);
    const size_t n = sdn_model_state_count(m), P = m->n_params;
    float *before = malloc((n + 2 * P) * sizeof(float)),
          *after = malloc((n + 2 * P) * sizeof(float));
    sdn_model_get_state(m, before, n);
    memcpy(before + n, m->opt_m, P * sizeof(float));
    memcpy(before + n + P, m->opt_v, P * sizeof(float));
    d.x[5 * D + 17] = NAN;
    float loss;
    assert_int_equal(sdn_model_train_batch(m, d.x, d.y, NB, &loss, NULL), SDN_ERR_NUMERIC);
    assert_true(isnan(loss));
    print_message("  %s\n", sdn_last_error());
    assert_non_null(strstr(sdn_last_error(), "row 5, column 17"));
    sdn_model_get_state(m, after, n);
    memcpy(after + n, m->opt_m, P * sizeof(float));
    memcpy(after + n + P, m->opt_v, P * sizeof(float));
    assert_memory_equal(before, after, (n + 2 * P) * sizeof(float));
    assert_int_equal(sdn_model_step(m), 1);
    free(before);
    free(after);
    sdn_model_free(m);
}

static void test_errors(void **s)
{
    (void)s;
    static data d;
    make_data(&d, NB, 4);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    sdn_model *m = sdn_model_new(1);
    float p[4];
    assert_int_equal(sdn_model_train_batch(m, d.x, d.y, 4, NULL, NULL), SDN_ERR_STATE);
    assert_int_equal(sdn_model_add_dropout(m, 1.0f), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_add_alpha_dropout(m, -0.1f), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 0.0f), SDN_ERR_INVALID_ARG);
    sdn_dense_options dn = sdn_dense_defaults(0);
    assert_int_equal(sdn_model_add_dense(m, &dn), SDN_ERR_INVALID_ARG);
    dn = sdn_dense_defaults(8);
    dn.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &dn), SDN_OK);
    dn = sdn_dense_defaults(K);
    assert_int_equal(sdn_model_add_dense(m, &dn), SDN_OK);
    /* no softmax at the end, softmax inside */
    assert_int_equal(sdn_model_compile(m, D, NB, &o), SDN_ERR_INVALID_ARG);
    sdn_model_free(m);

    m = make_model(1, 0, 0, o);
    assert_int_equal(sdn_model_compile(m, D, NB, &o), SDN_ERR_STATE);
    assert_int_equal(sdn_model_add_flatten(m), SDN_ERR_STATE);
    assert_int_equal(sdn_model_train_batch(m, d.x, d.y, NB + 1, NULL, NULL), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_train_batch(m, d.x, d.y, 0, NULL, NULL), SDN_ERR_INVALID_ARG);
    d.y[3] = K;
    assert_int_equal(sdn_model_train_batch(m, d.x, d.y, NB, NULL, NULL), SDN_ERR_INVALID_ARG);
    assert_non_null(strstr(sdn_last_error(), "label 10 at index 3"));
    d.y[3] = -1;
    assert_int_equal(sdn_model_evaluate(m, d.x, d.y, NB, NULL, NULL), SDN_ERR_INVALID_ARG);
    d.y[3] = 0;
    assert_int_equal(sdn_model_get_params(m, p, 4), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_predict_mc(m, d.x, 4, 0, p, NULL), SDN_ERR_INVALID_ARG);
    sdn_tensor t;
    assert_int_equal(sdn_model_tensor(m, 1000, &t), SDN_ERR_INVALID_ARG);
    assert_int_equal(sdn_model_prune(m, 1.5), SDN_ERR_INVALID_ARG);
    d.x[0] = INFINITY;
    assert_int_equal(sdn_model_predict(m, d.x, 1, p), SDN_ERR_NUMERIC);
    sdn_model_free(m);
    o.learning_rate = -1.0f;
    m = sdn_model_new(1);
    dn = sdn_dense_defaults(K);
    dn.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &dn), SDN_OK);
    assert_int_equal(sdn_model_compile(m, D, NB, &o), SDN_ERR_INVALID_ARG);
    sdn_model_free(m);
}

/* BN: batch statistics in training, the moving ones (Keras' update, biased variance) in inference
 */
static void test_batch_norm_modes(void **s)
{
    (void)s;
    enum { N = 16, F = 3 };
    float x[N * F];
    int32_t y[N] = {0};
    sdn_test_fill(x, N * F, 9, -2.0f, 3.0f);
    sdn_model *m = sdn_model_new(2);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.9f, 1e-3f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(2);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    o.learning_rate = 1e-6f;
    assert_int_equal(sdn_model_compile(m, F, N, &o), SDN_OK);
    assert_int_equal(sdn_model_train_batch(m, x, y, N, NULL, NULL), SDN_OK);
    sdn_tensor mm, mv, g;
    assert_int_equal(sdn_model_tensor(m, 2, &mm), SDN_OK);
    assert_int_equal(sdn_model_tensor(m, 3, &mv), SDN_OK);
    assert_string_equal(mm.name, "batch_norm_0.moving_mean");
    assert_string_equal(mv.name, "batch_norm_0.moving_variance");
    assert_int_equal(mm.role, SDN_TENSOR_STATE);
    for (size_t j = 0; j < F; j++) {
        double s1 = 0, s2 = 0;
        for (size_t r = 0; r < N; r++)
            s1 += x[r * F + j];
        for (size_t r = 0; r < N; r++)
            s2 += (x[r * F + j] - s1 / N) * (x[r * F + j] - s1 / N);
        assert_float_equal(mm.data[j], 0.1 * s1 / N, 1e-5);
        assert_float_equal(mv.data[j], 0.9 + 0.1 * s2 / N, 1e-5); /* biased, as Keras */
    }
    /* inference output follows the moving statistics: change them, the prediction changes */
    float p1[2 * N], p2[2 * N], p3[2 * N];
    assert_int_equal(sdn_model_predict(m, x, N, p1), SDN_OK);
    assert_int_equal(sdn_model_predict(m, x, N, p2), SDN_OK);
    assert_memory_equal(p1, p2, sizeof p1); /* inference changes no state */
    /* with moving stats equal to the batch statistics, inference equals the training pass */
    assert_int_equal(sdn_model_tensor(m, 0, &g), SDN_OK);
    double ltrain;
    assert_int_equal(sdn_model_loss_and_grads(m, x, y, N, 0, &ltrain), SDN_OK);
    const sdn_acts *bn = &m->ws.acts[0];
    for (size_t j = 0; j < F; j++) {
        mm.data[j] = bn->stats[0].mean[j];
        mv.data[j] = bn->stats[0].var[j];
    }
    assert_int_equal(sdn_model_predict(m, x, N, p3), SDN_OK);
    float leval;
    assert_int_equal(sdn_model_evaluate(m, x, y, N, &leval, NULL), SDN_OK);
    assert_float_equal(leval, ltrain, 1e-5);
    assert_true(memcmp(p1, p3, sizeof p1) != 0);
    sdn_model_free(m);
}

static void test_mc_dropout(void **s)
{
    (void)s;
    static data d;
    make_data(&d, NB, 5);
    sdn_model *m = make_model(5, 1, 1, sdn_optimizer_defaults(SDN_OPT_NADAM));
    for (int i = 0; i < 3; i++)
        assert_int_equal(sdn_model_train_batch(m, d.x, d.y, NB, NULL, NULL), SDN_OK);
    enum { N = 100 }; /* more than max_batch: chunked */
    static float mean[N * K], sd[N * K], p[N * K];
    static data big;
    make_data(&big, 2 * NB, 6);
    assert_int_equal(sdn_model_predict_mc(m, big.x, N, 20, mean, sd), SDN_OK);
    assert_int_equal(sdn_model_predict(m, big.x, N, p), SDN_OK);
    double sum = 0, sd_max = 0, diff = 0;
    for (size_t k = 0; k < K; k++)
        sum += mean[42 * K + k];
    for (size_t i = 0; i < N * K; i++) { /* plain compares: fmax here crashes aarch64 gcc 12 */
        const double e = fabs((double)mean[i] - p[i]);
        if (sd[i] > sd_max)
            sd_max = sd[i];
        if (e > diff)
            diff = e;
    }
    print_message("  MC: max std %.4f, max |mean − deterministic| %.4f\n", sd_max, diff);
    assert_float_equal(sum, 1.0, 1e-5);
    assert_true(sd_max > 1e-3);
    assert_true(diff > 0.0 && diff < 0.5);
    sdn_model_free(m);
    /* no dropout layer: every pass is the deterministic one */
    m = make_model(5, 1, 0, sdn_optimizer_defaults(SDN_OPT_NADAM));
    assert_int_equal(sdn_model_predict_mc(m, big.x, N, 3, mean, sd), SDN_OK);
    assert_int_equal(sdn_model_predict(m, big.x, N, p), SDN_OK);
    for (size_t i = 0; i < N * K; i++) {
        assert_float_equal(mean[i], p[i], 1e-6);
        assert_float_equal(sd[i], 0.0, 1e-3);
    }
    sdn_model_free(m);
}

static void test_tensors_state_summary(void **s)
{
    (void)s;
    sdn_model *m = make_model(8, 1, 0, sdn_optimizer_defaults(SDN_OPT_NADAM));
    const size_t P = sdn_model_param_count(m);
    assert_int_equal(P, (D * 64 + 64) + 2 * (64 * 64 + 64) + 3 * 2 * 64 + 64 * K + K);
    size_t total = 0, n_opt = 0;
    int saw = 0;
    for (size_t i = 0; i < sdn_model_tensor_count(m); i++) {
        sdn_tensor t;
        assert_int_equal(sdn_model_tensor(m, i, &t), SDN_OK);
        if (t.role == SDN_TENSOR_PARAM)
            total += t.size;
        if (t.role == SDN_TENSOR_OPTIMIZER)
            n_opt += t.size;
        if (!strcmp(t.name, "dense_0.kernel")) {
            assert_int_equal(t.rank, 2);
            assert_int_equal(t.shape[0], D);
            assert_int_equal(t.shape[1], 64);
            saw |= 1;
        }
        saw |= !strcmp(t.name, "batch_norm_2.gamma") << 1;
        saw |= !strcmp(t.name, "optimizer.m.dense_3.bias") << 2;
        saw |= !strcmp(t.name, "optimizer.v.batch_norm_0.beta") << 3;
    }
    assert_int_equal(saw, 15);
    assert_int_equal(total, P);
    assert_int_equal(n_opt, 2 * P);
    /* get/set params and state round-trip */
    const size_t n = sdn_model_state_count(m);
    assert_int_equal(n, P + 3 * 2 * 64);
    float *st = malloc(n * sizeof(float));
    assert_int_equal(sdn_model_get_state(m, st, n), SDN_OK);
    st[0] = 123.0f;
    st[n - 1] = 4.0f;
    assert_int_equal(sdn_model_set_state(m, st, n), SDN_OK);
    assert_float_equal(m->params[0], 123.0, 0);
    assert_float_equal(m->state[m->n_state - 1], 4.0, 0);
    free(st);
    /* summary */
    sdn_memfile mf;
    assert_int_equal(sdn_memfile_open(&mf), 0);
    assert_int_equal(sdn_model_summary(m, mf.f), SDN_OK);
    assert_int_equal(sdn_memfile_close(&mf), 0);
    assert_non_null(strstr(mf.buf, "dense_0 (Dense)"));
    assert_non_null(strstr(mf.buf, "(None, 64)"));
    assert_non_null(strstr(mf.buf, "Non-trainable params: 384"));
    free(mf.buf);
    /* learning rate and step */
    sdn_model_set_learning_rate(m, 0.5f);
    assert_float_equal(sdn_model_learning_rate(m), 0.5, 0);
    sdn_model_set_step(m, 3);
    assert_int_equal(sdn_model_step(m), 3);
    double prod = 1;
    for (int t = 1; t <= 3; t++)
        prod *= sdn_nadam_mu(0.9f, (uint64_t)t);
    assert_float_equal(m->nadam_mu_product, prod, 1e-15);
    sdn_model_free(m);
}

/* Self-normalization: a deep SELU/LeCun-normal stack keeps activations near mean 0, variance 1,
 * and AlphaDropout (training mode) keeps them there. */
static void test_selu_alpha_dropout_stats(void **s)
{
    (void)s;
    enum { W = 100, N = 64, DEPTH = 8 };
    sdn_model *m = sdn_model_new(12);
    for (int i = 0; i < DEPTH; i++) {
        sdn_dense_options d = sdn_dense_defaults(W);
        d.activation = SDN_ACT_SELU;
        d.kernel_init.kind = SDN_INIT_LECUN_NORMAL;
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    }
    assert_int_equal(sdn_model_add_alpha_dropout(m, 0.2f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(K);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(
        sdn_model_compile(m, W, N,
                          &(sdn_optimizer_options){.kind = SDN_OPT_SGD, .learning_rate = 0.01f}),
        SDN_OK);
    static float x[N * W];
    int32_t y[N] = {0};
    sdn_rng r;
    sdn_rng_init(&r, 3, 3, 3);
    for (size_t i = 0; i < N * W; i++)
        x[i] = (float)sdn_rng_normal(&r);
    double loss;
    assert_int_equal(sdn_model_loss_and_grads(m, x, y, N, 0, &loss), SDN_OK);
    for (int i = DEPTH - 1; i <= DEPTH; i++) {
        const float *a = m->ws.acts[i].y;
        double s1 = 0, s2 = 0;
        for (size_t j = 0; j < N * W; j++) {
            s1 += a[j];
            s2 += (double)a[j] * a[j];
        }
        const double mean = s1 / (N * W), var = s2 / (N * W) - mean * mean;
        print_message("  %s: mean %+.3f var %.3f\n", m->layers[i].name, mean, var);
        assert_true(fabs(mean) < 0.15);
        assert_true(fabs(var - 1.0) < 0.2);
    }
    sdn_model_free(m);
}

static void test_sparsity_prune(void **s)
{
    (void)s;
    sdn_model *m = make_model(9, 0, 0, sdn_optimizer_defaults(SDN_OPT_SGD));
    assert_true(sdn_model_sparsity(m, 0.0f) < 0.01);
    assert_int_equal(sdn_model_prune(m, 0.3), SDN_OK);
    const double sp = sdn_model_sparsity(m, 0.0f);
    print_message("  sparsity after pruning 30%%: %.4f\n", sp);
    assert_float_equal(sp, 0.3, 0.01);
    sdn_model_free(m);
}

static void test_schedules(void **s)
{
    (void)s;
    sdn_schedule e = {
        .kind = SDN_SCHEDULE_EXPONENTIAL, .lr0 = 0.01f, .decay_rate = 0.1f, .decay_steps = 100.0};
    assert_float_equal(sdn_schedule_lr(&e, 0), 0.01, 1e-9);
    assert_float_equal(sdn_schedule_lr(&e, 100), 0.001, 1e-8);
    assert_float_equal(sdn_schedule_lr(&e, 50), 0.01 * sqrt(0.1), 1e-8);
    sdn_schedule c = {
        .kind = SDN_SCHEDULE_ONECYCLE, .lr0 = 0.001f, .max_lr = 0.01f, .total_steps = 1000};
    assert_float_equal(sdn_schedule_lr(&c, 0), 0.001, 1e-9);
    assert_float_equal(sdn_schedule_lr(&c, 450), 0.01, 1e-8);
    assert_float_equal(sdn_schedule_lr(&c, 900), 0.001, 1e-8);
    assert_float_equal(sdn_schedule_lr(&c, 1000), 1e-6, 1e-10);
    assert_true(sdn_schedule_lr(&c, 200) > 0.001f && sdn_schedule_lr(&c, 200) < 0.01f);
    sdn_schedule k = {.kind = SDN_SCHEDULE_CONSTANT, .lr0 = 0.1f};
    assert_float_equal(sdn_schedule_lr(&k, 12345), 0.1, 1e-9);
}

int main(void)
{
    if (sdn_dispatch_init())
        return 1;
    threads_ok = sdn_test_threads_start();
    if (!threads_ok)
        sdn_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_training_learns),
        cmocka_unit_test(test_threads_plain),
        cmocka_unit_test(test_threads_bn_dropout),
        cmocka_unit_test(test_threads_alpha_dropout),
        cmocka_unit_test(test_nan_leaves_weights),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_batch_norm_modes),
        cmocka_unit_test(test_mc_dropout),
        cmocka_unit_test(test_tensors_state_summary),
        cmocka_unit_test(test_selu_alpha_dropout_stats),
        cmocka_unit_test(test_sparsity_prune),
        cmocka_unit_test(test_schedules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
