/* Finite-difference gradient checks (central differences, loss accumulated in double): one random
 * direction for a whole network as kann does, and every parameter of small ones, for each
 * activation, dense, BN in training mode, both dropouts with their (fixed per step) masks and a
 * whole network; one test breaks a backward on purpose and shows the checker catches it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"
#include "testhooks.h"
#include "testutil.h"

enum { N_IN = 6, N_HID = 7, N_CLS = 4, BATCH = 5 };

typedef struct net {
    sdn_model *m;
    float x[16 * 64];
    int32_t y[16];
    size_t n;
} net;

static void inputs(net *t, size_t n, size_t d, uint64_t seed)
{
    t->n = n;
    sdn_test_fill(t->x, n * d, seed, -1.5f, 1.5f);
    for (size_t i = 0; i < n; i++)
        t->y[i] = (int32_t)((i * 7 + seed) % N_CLS);
}

static sdn_dense_options dense(size_t units, sdn_activation act)
{
    sdn_dense_options d = sdn_dense_defaults(units);
    d.activation = act;
    d.kernel_init.kind = SDN_INIT_GLOROT_NORMAL;
    d.bias_init = (sdn_initializer){SDN_INIT_CONSTANT, 0.05f}; /* nonzero: away from kinks */
    return d;
}

static void compile(net *t, size_t d)
{
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    assert_int_equal(sdn_model_compile(t->m, d, 16, &o), SDN_OK);
}

static double loss_at(net *t)
{
    double l;
    assert_int_equal(sdn_model_loss_and_grads(t->m, t->x, t->y, t->n, 0, &l), SDN_OK);
    return l;
}

/* Directional check: (L(θ + h·d) − L(θ − h·d)) / 2h against g·(θ₊ − θ₋)/2h (the float steps
 * actually taken). Returns the relative error. */
static double check_direction(net *t, uint64_t seed, double h)
{
    sdn_model *m = t->m;
    const size_t P = m->n_params;
    double l0;
    assert_int_equal(sdn_model_loss_and_grads(m, t->x, t->y, t->n, 1, &l0), SDN_OK);
    float *g = malloc(P * sizeof(float)), *w0 = malloc(P * sizeof(float)),
          *d = malloc(P * sizeof(float));
    memcpy(g, m->grads, P * sizeof(float));
    memcpy(w0, m->params, P * sizeof(float));
    sdn_rng r;
    sdn_rng_init(&r, seed, 7, 0);
    double norm = 0.0;
    for (size_t i = 0; i < P; i++) {
        d[i] = (float)sdn_rng_normal(&r);
        norm += (double)d[i] * d[i];
    }
    double an = 0.0;
    for (size_t i = 0; i < P; i++) {
        const float s = (float)(h * d[i] / sqrt(norm));
        const float wp = w0[i] + s, wm = w0[i] - s;
        an += (double)g[i] * ((double)wp - (double)wm);
        d[i] = s;
    }
    for (size_t i = 0; i < P; i++)
        m->params[i] = w0[i] + d[i];
    const double lp = loss_at(t);
    for (size_t i = 0; i < P; i++)
        m->params[i] = w0[i] - d[i];
    const double lm = loss_at(t);
    memcpy(m->params, w0, P * sizeof(float));
    const double fd = lp - lm;
    free(g);
    free(w0);
    free(d);
    return fabs(fd - an) / fmax(fmax(fabs(fd), fabs(an)), 1e-6);
}

/* Every parameter: returns how many disagree beyond atol + rtol·|g|, printing the first. */
static int check_each(net *t, double h, double atol, double rtol)
{
    sdn_model *m = t->m;
    const size_t P = m->n_params;
    double l0;
    assert_int_equal(sdn_model_loss_and_grads(m, t->x, t->y, t->n, 1, &l0), SDN_OK);
    float *g = malloc(P * sizeof(float));
    memcpy(g, m->grads, P * sizeof(float));
    int bad = 0;
    for (size_t i = 0; i < P; i++) {
        const float w = m->params[i];
        const float wp = w + (float)h, wm = w - (float)h;
        m->params[i] = wp;
        const double lp = loss_at(t);
        m->params[i] = wm;
        const double lm = loss_at(t);
        m->params[i] = w;
        const double fd = (lp - lm) / ((double)wp - (double)wm);
        if (fabs(fd - g[i]) > atol + rtol * fabs(fd)) {
            if (!bad)
                print_message("  param %zu: analytic %.7g, finite difference %.7g\n", i,
                              (double)g[i], fd);
            bad++;
        }
    }
    free(g);
    return bad;
}

static void finish(net *t, double h, double dir_tol)
{
    const double e = check_direction(t, 11, h * 10);
    print_message("  directional relative error %.2g\n", e);
    if (e > dir_tol)
        fail_msg("directional derivative off by %.3g (relative)", e);
    assert_int_equal(check_each(t, h, 2e-4, 2e-2), 0);
    sdn_model_free(t->m);
}

/* input → Dense(act) → Dense(softmax) */
static void dense_with(sdn_activation act)
{
    net t;
    t.m = sdn_model_new(3);
    sdn_dense_options d = dense(N_HID, act);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    d = dense(N_CLS, SDN_ACT_SOFTMAX);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    compile(&t, N_IN);
    inputs(&t, BATCH, N_IN, 5);
    finish(&t, 1e-3, 2e-3);
}

/* input → Dense → Activation(act) → Dense(softmax): the activation layer's dx path */
static void layer_with(sdn_activation act)
{
    net t;
    t.m = sdn_model_new(4);
    sdn_dense_options d = dense(N_HID, SDN_ACT_LINEAR);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_activation(t.m, act, 0.0f), SDN_OK);
    d = dense(N_CLS, SDN_ACT_SOFTMAX);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    compile(&t, N_IN);
    inputs(&t, BATCH, N_IN, 6);
    finish(&t, 1e-3, 2e-3);
}

static void test_dense_linear(void **s)
{
    (void)s;
    dense_with(SDN_ACT_LINEAR);
}
static void test_dense_elu(void **s)
{
    (void)s;
    dense_with(SDN_ACT_ELU);
}
static void test_dense_selu(void **s)
{
    (void)s;
    dense_with(SDN_ACT_SELU);
}
static void test_dense_relu(void **s)
{
    (void)s;
    dense_with(SDN_ACT_RELU);
}
static void test_dense_leaky_relu(void **s)
{
    (void)s;
    dense_with(SDN_ACT_LEAKY_RELU);
}
static void test_dense_tanh(void **s)
{
    (void)s;
    dense_with(SDN_ACT_TANH);
}
static void test_dense_sigmoid(void **s)
{
    (void)s;
    dense_with(SDN_ACT_SIGMOID);
}
static void test_layer_elu(void **s)
{
    (void)s;
    layer_with(SDN_ACT_ELU);
}
static void test_layer_selu(void **s)
{
    (void)s;
    layer_with(SDN_ACT_SELU);
}
static void test_layer_tanh(void **s)
{
    (void)s;
    layer_with(SDN_ACT_TANH);
}
static void test_layer_sigmoid(void **s)
{
    (void)s;
    layer_with(SDN_ACT_SIGMOID);
}
static void test_layer_leaky_relu(void **s)
{
    (void)s;
    layer_with(SDN_ACT_LEAKY_RELU);
}

/* Dense(linear) → Activation(softmax) as the output */
static void test_softmax_layer_output(void **s)
{
    (void)s;
    net t;
    t.m = sdn_model_new(5);
    sdn_dense_options d = dense(N_HID, SDN_ACT_TANH);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    d = dense(N_CLS, SDN_ACT_LINEAR);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_activation(t.m, SDN_ACT_SOFTMAX, 0.0f), SDN_OK);
    compile(&t, N_IN);
    inputs(&t, BATCH, N_IN, 7);
    finish(&t, 1e-3, 2e-3);
}

/* BN in training mode: batch statistics couple the rows */
static void test_batch_norm(void **s)
{
    (void)s;
    net t;
    t.m = sdn_model_new(6);
    sdn_dense_options d = dense(N_HID, SDN_ACT_LINEAR);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(t.m, 0.99f, 1e-3f), SDN_OK);
    assert_int_equal(sdn_model_add_activation(t.m, SDN_ACT_ELU, 0.0f), SDN_OK);
    d = dense(N_CLS, SDN_ACT_SOFTMAX);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    compile(&t, N_IN);
    inputs(&t, 11, N_IN, 8); /* two chunks: the cross-chunk reduction */
    /* gamma and beta away from 1 and 0 */
    for (size_t j = 0; j < N_HID; j++) {
        t.m->params[t.m->layers[1].w_off + j] = 0.7f + 0.1f * (float)j;
        t.m->params[t.m->layers[1].b_off + j] = -0.2f + 0.05f * (float)j;
    }
    finish(&t, 1e-3, 2e-3);
}

static void dropout_net(int alpha)
{
    net t;
    t.m = sdn_model_new(7);
    sdn_dense_options d = dense(N_HID, alpha ? SDN_ACT_SELU : SDN_ACT_ELU);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    if (alpha)
        assert_int_equal(sdn_model_add_alpha_dropout(t.m, 0.3f), SDN_OK);
    else
        assert_int_equal(sdn_model_add_dropout(t.m, 0.3f), SDN_OK);
    d = dense(N_CLS, SDN_ACT_SOFTMAX);
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    compile(&t, N_IN);
    inputs(&t, 9, N_IN, 9);
    /* the mask depends on (seed, layer, step, position) only: fixed while the step stands still */
    size_t dropped = 0;
    double l0 = loss_at(&t);
    for (size_t i = 0; i < 9 * N_HID; i++)
        dropped += !t.m->ws.acts[1].keep[i];
    assert_true(dropped > 0 && dropped < 9 * N_HID);
    assert_true(loss_at(&t) == l0);
    finish(&t, 1e-3, 2e-3);
}
static void test_dropout(void **s)
{
    (void)s;
    dropout_net(0);
}
static void test_alpha_dropout(void **s)
{
    (void)s;
    dropout_net(1);
}

/* A whole small network with every layer kind, batch over several chunks */
static sdn_model *whole_net(void)
{
    sdn_model *m = sdn_model_new(8);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    sdn_dense_options d = dense(8, SDN_ACT_ELU);
    d.kernel_init.kind = SDN_INIT_HE_NORMAL;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    assert_int_equal(sdn_model_add_activation(m, SDN_ACT_SELU, 0.0f), SDN_OK);
    assert_int_equal(sdn_model_add_alpha_dropout(m, 0.1f), SDN_OK);
    d = dense(6, SDN_ACT_TANH);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
    d = dense(5, SDN_ACT_SIGMOID);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    d = dense(N_CLS, SDN_ACT_SOFTMAX);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    return m;
}

static void test_whole_network(void **s)
{
    (void)s;
    net t;
    t.m = whole_net();
    compile(&t, N_IN);
    inputs(&t, 16, N_IN, 10);
    finish(&t, 1e-3, 2e-3);
}

/* The checker must catch a wrong backward: a test hook scales the first layer's dW by 1.1. */
static void test_checker_catches_broken_backward(void **s)
{
    (void)s;
    net t;
    t.m = whole_net();
    compile(&t, N_IN);
    inputs(&t, 16, N_IN, 10);
    sdn_debug_break_backward = 1;
    const double e = check_direction(&t, 11, 1e-2);
    const int bad = check_each(&t, 1e-3, 2e-4, 2e-2);
    sdn_debug_break_backward = 0;
    print_message("  broken backward: directional error %.3g, %d parameters flagged\n", e, bad);
    assert_true(e > 2e-3);
    assert_true(bad > 0);
    assert_true(check_direction(&t, 11, 1e-2) < 2e-3); /* and healthy again */
    sdn_model_free(t.m);
}

int main(void)
{
    /* Where threads start, even these tiny nets split their batches (two chunks of 8 rows at
     * most), so the checks cover the threaded pass and its chunk reductions too. */
    if (sdn_test_threads_start())
        sdn_parallel_min_macs = 0.0;
    else
        sdn_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_linear),
        cmocka_unit_test(test_dense_elu),
        cmocka_unit_test(test_dense_selu),
        cmocka_unit_test(test_dense_relu),
        cmocka_unit_test(test_dense_leaky_relu),
        cmocka_unit_test(test_dense_tanh),
        cmocka_unit_test(test_dense_sigmoid),
        cmocka_unit_test(test_layer_elu),
        cmocka_unit_test(test_layer_selu),
        cmocka_unit_test(test_layer_tanh),
        cmocka_unit_test(test_layer_sigmoid),
        cmocka_unit_test(test_layer_leaky_relu),
        cmocka_unit_test(test_softmax_layer_output),
        cmocka_unit_test(test_batch_norm),
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_alpha_dropout),
        cmocka_unit_test(test_whole_network),
        cmocka_unit_test(test_checker_catches_broken_backward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
