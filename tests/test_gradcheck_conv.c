/* Finite-difference gradient checks of the image layers (central differences, the loss in
 * double): Conv2D at every stride and padding (and the 1×1 shortcut; stride 1 by Winograd too),
 * MaxPool2D and AvgPool2D valid and same (overlapping windows too), GlobalAveragePooling2D and
 * batch norm over channels (also with the ReLU after it fused in); each behind a Conv2D, so its
 * input gradient is checked through that layer's weights. Also the shape errors compile reports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testhooks.h"
#include "testutil.h"

enum { H = 7, W = 6, C = 3, CLS = 4, MAXN = 11 };

typedef struct net {
    sdn_model *m;
    float x[MAXN * H * W * C];
    int32_t y[MAXN];
    size_t n;
} net;

static double loss_at(net *t, int grads)
{
    double l;
    assert_int_equal(sdn_model_loss_and_grads(t->m, t->x, t->y, t->n, grads, &l), SDN_OK);
    return l;
}

/* Every parameter against central differences; returns how many disagree. */
static int check_each(net *t, double h, double atol, double rtol)
{
    sdn_model *m = t->m;
    const size_t P = m->n_params;
    loss_at(t, 1);
    float *g = malloc(P * sizeof(float));
    memcpy(g, m->grads, P * sizeof(float));
    int bad = 0;
    for (size_t i = 0; i < P; i++) {
        const float w = m->params[i], wp = w + (float)h, wm = w - (float)h;
        m->params[i] = wp;
        const double lp = loss_at(t, 0);
        m->params[i] = wm;
        const double lm = loss_at(t, 0);
        m->params[i] = w;
        const double fd = (lp - lm) / ((double)wp - (double)wm);
        if (fabs(fd - g[i]) > atol + rtol * fabs(fd)) {
            if (!bad)
                print_message("  param %zu of %zu: analytic %.7g, finite difference %.7g\n", i, P,
                              (double)g[i], fd);
            bad++;
        }
    }
    free(g);
    return bad;
}

static sdn_conv2d_options conv(size_t filters, size_t k, size_t stride, sdn_padding pad,
                               sdn_activation act)
{
    sdn_conv2d_options o = sdn_conv2d_defaults(filters, k);
    o.stride_h = o.stride_w = stride;
    o.padding = pad;
    o.activation = act;
    o.kernel_init.kind = SDN_INIT_GLOROT_NORMAL;
    o.bias_init = (sdn_initializer){SDN_INIT_CONSTANT, 0.05f};
    return o;
}

/* input H×W×C → Conv(4, 3×3 same, tanh) → [layer under test, added by `add`] → Flatten →
 * Dense(softmax) over n rows */
static void check_net(void (*add)(sdn_model *m), size_t n)
{
    net t;
    t.m = sdn_model_new(3);
    assert_int_equal(sdn_model_set_input_shape(t.m, H, W, C), SDN_OK);
    sdn_conv2d_options c = conv(4, 3, 1, SDN_PAD_SAME, SDN_ACT_TANH);
    assert_int_equal(sdn_model_add_conv2d(t.m, &c), SDN_OK);
    add(t.m);
    assert_int_equal(sdn_model_add_flatten(t.m), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(CLS);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    assert_int_equal(sdn_model_compile(t.m, H * W * C, MAXN, &o), SDN_OK);
    assert_int_equal(t.m->layers[0].winograd, sdn_debug_winograd > 0);
    t.n = n;
    sdn_test_fill(t.x, n * H * W * C, 5, -1.5f, 1.5f);
    for (size_t i = 0; i < n; i++)
        t.y[i] = (int32_t)((i * 7 + 3) % CLS);
    assert_int_equal(check_each(&t, 1e-3, 2e-4, 2e-2), 0);
    sdn_model_free(t.m);
}

#define CONV_CASE(name, f, k, s, pad, act)                                                         \
    static void add_##name(sdn_model *m)                                                           \
    {                                                                                              \
        sdn_conv2d_options c = conv(f, k, s, pad, act);                                            \
        assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);                                     \
    }                                                                                              \
    static void test_##name(void **st)                                                             \
    {                                                                                              \
        (void)st;                                                                                  \
        check_net(add_##name, 5);                                                                  \
    }
CONV_CASE(conv_valid_s1, 5, 3, 1, SDN_PAD_VALID, SDN_ACT_ELU)
CONV_CASE(conv_same_s1, 5, 3, 1, SDN_PAD_SAME, SDN_ACT_TANH)
CONV_CASE(conv_valid_s2, 3, 3, 2, SDN_PAD_VALID, SDN_ACT_LINEAR)
CONV_CASE(conv_same_s2, 3, 3, 2, SDN_PAD_SAME, SDN_ACT_SIGMOID)
CONV_CASE(conv_same_k4_s3, 2, 4, 3, SDN_PAD_SAME, SDN_ACT_TANH)
CONV_CASE(conv_1x1, 6, 1, 1, SDN_PAD_VALID, SDN_ACT_TANH)

/* The stride-1 3×3 cases by Winograd (the test hook: it takes any channel count), the first
 * Conv2D's too, so the input gradient through the Winograd path is checked as well. */
#define WINO_CASE(name, base)                                                                      \
    static void test_##name(void **st)                                                             \
    {                                                                                              \
        (void)st;                                                                                  \
        sdn_debug_winograd = 1;                                                                    \
        check_net(add_##base, 5);                                                                  \
        check_net(add_##base, 1);                                                                  \
        sdn_debug_winograd = 0;                                                                    \
    }
WINO_CASE(conv_valid_s1_winograd, conv_valid_s1)
WINO_CASE(conv_same_s1_winograd, conv_same_s1)

#define POOL_CASE(name, fn, k, s, pad)                                                             \
    static void add_##name(sdn_model *m)                                                           \
    {                                                                                              \
        assert_int_equal(fn(m, k, s, pad), SDN_OK);                                                \
    }                                                                                              \
    static void test_##name(void **st)                                                             \
    {                                                                                              \
        (void)st;                                                                                  \
        check_net(add_##name, 5);                                                                  \
    }
POOL_CASE(max_valid_2, sdn_model_add_max_pool2d, 2, 0, SDN_PAD_VALID)
POOL_CASE(max_same_2, sdn_model_add_max_pool2d, 2, 0, SDN_PAD_SAME)
POOL_CASE(max_same_3_s2, sdn_model_add_max_pool2d, 3, 2, SDN_PAD_SAME)
POOL_CASE(max_valid_3_s1, sdn_model_add_max_pool2d, 3, 1, SDN_PAD_VALID)
POOL_CASE(avg_valid_2, sdn_model_add_avg_pool2d, 2, 0, SDN_PAD_VALID)
POOL_CASE(avg_same_2, sdn_model_add_avg_pool2d, 2, 0, SDN_PAD_SAME)
POOL_CASE(avg_same_3_s2, sdn_model_add_avg_pool2d, 3, 2, SDN_PAD_SAME)
POOL_CASE(avg_valid_3_s1, sdn_model_add_avg_pool2d, 3, 1, SDN_PAD_VALID)

static void add_gap(sdn_model *m)
{
    assert_int_equal(sdn_model_add_global_avg_pool2d(m), SDN_OK);
}
static void test_global_avg_pool(void **st)
{
    (void)st;
    check_net(add_gap, 5);
}

/* batch norm over channels, two chunks of rows (the cross-chunk merge), gamma and beta moved */
static void add_bn(sdn_model *m)
{
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    assert_int_equal(sdn_model_add_activation(m, SDN_ACT_ELU, 0.0f), SDN_OK);
}
static void test_batch_norm_channels(void **st)
{
    (void)st;
    check_net(add_bn, 11);
}

/* Batch norm with the ReLU after it fused into its kernels (relu_fused), behind a 1×1 Conv2D that
 * starts as the identity: every input value is −1, 0.3 or 2, so each channel's normalized values
 * sit in three clusters at least 0.1 from the ReLU's kink (two cut, one passed), and no step of
 * the central difference crosses it. Checks the masked gradient of gamma, beta, the conv and the
 * dense layer. */
static void test_batch_norm_relu_fused(void **st)
{
    (void)st;
    static const float levels[3] = {-1.0f, 0.3f, 2.0f};
    net t;
    t.m = sdn_model_new(3);
    assert_int_equal(sdn_model_set_input_shape(t.m, H, W, C), SDN_OK);
    sdn_conv2d_options c = conv(C, 1, 1, SDN_PAD_VALID, SDN_ACT_LINEAR);
    c.use_bias = 0;
    assert_int_equal(sdn_model_add_conv2d(t.m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(t.m, 0.99f, 1e-3f), SDN_OK);
    assert_int_equal(sdn_model_add_activation(t.m, SDN_ACT_RELU, 0.0f), SDN_OK);
    assert_int_equal(sdn_model_add_flatten(t.m), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(CLS);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(t.m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    assert_int_equal(sdn_model_compile(t.m, H * W * C, MAXN, &o), SDN_OK);
    assert_true(t.m->layers[1].relu_fused && t.m->layers[2].relu_fused);
    float *k = t.m->params + t.m->layers[0].w_off; /* [C × C] */
    for (size_t i = 0; i < C * C; i++)
        k[i] = i % (C + 1) == 0 ? 1.0f : 0.0f;
    t.n = MAXN;
    for (size_t i = 0; i < MAXN * H * W * C; i++)
        t.x[i] = levels[(i * 7 + i / C) % 3];
    for (size_t i = 0; i < MAXN; i++)
        t.y[i] = (int32_t)((i * 7 + 3) % CLS);
    assert_int_equal(check_each(&t, 1e-3, 2e-4, 2e-2), 0);
    sdn_model_free(t.m);
}

/* A CNN as the preset's, small: conv, BN, relu, pool, conv, GAP, dense */
static void add_stack(sdn_model *m)
{
    sdn_conv2d_options c = conv(4, 3, 1, SDN_PAD_SAME, SDN_ACT_LINEAR);
    c.use_bias = 0;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    assert_int_equal(sdn_model_add_activation(m, SDN_ACT_TANH, 0.0f), SDN_OK);
    assert_int_equal(sdn_model_add_max_pool2d(m, 2, 0, SDN_PAD_SAME), SDN_OK);
    c = conv(5, 3, 1, SDN_PAD_SAME, SDN_ACT_ELU);
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_global_avg_pool2d(m), SDN_OK);
}
static void test_cnn_stack(void **st)
{
    (void)st;
    check_net(add_stack, 9);
}

/* compile's shape errors: a kernel larger than its valid input, an image layer on a flat row,
 * an input size that is not the shape */
static sdn_status compile_with(size_t h, size_t w, size_t in, size_t k, sdn_padding pad)
{
    sdn_model *m = sdn_model_new(1);
    if (h)
        assert_int_equal(sdn_model_set_input_shape(m, h, w, 2), SDN_OK);
    sdn_conv2d_options c = conv(3, k, 1, pad, SDN_ACT_RELU);
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(CLS);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    const sdn_status st = sdn_model_compile(m, in, 4, &o);
    print_message("  %s\n", st ? sdn_last_error() : "ok");
    sdn_model_free(m);
    return st;
}
static void test_shape_errors(void **st)
{
    (void)st;
    assert_int_equal(compile_with(4, 4, 32, 5, SDN_PAD_VALID), SDN_ERR_INVALID_ARG);
    assert_int_equal(compile_with(4, 4, 32, 5, SDN_PAD_SAME), SDN_OK);
    assert_int_equal(compile_with(0, 0, 32, 3, SDN_PAD_SAME), SDN_ERR_INVALID_ARG);
    assert_int_equal(compile_with(4, 4, 30, 3, SDN_PAD_SAME), SDN_ERR_INVALID_ARG);
    sdn_model *m = sdn_model_new(1);
    assert_int_equal(sdn_model_add_max_pool2d(m, 17, 0, SDN_PAD_VALID), SDN_ERR_INVALID_ARG);
    sdn_conv2d_options c = conv(3, 3, 0, SDN_PAD_VALID, SDN_ACT_RELU);
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_ERR_INVALID_ARG);
    sdn_model_free(m);
}

int main(void)
{
    if (sdn_test_threads_start())
        sdn_parallel_min_macs = 0.0;
    else
        sdn_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_valid_s1),
        cmocka_unit_test(test_conv_same_s1),
        cmocka_unit_test(test_conv_valid_s2),
        cmocka_unit_test(test_conv_same_s2),
        cmocka_unit_test(test_conv_same_k4_s3),
        cmocka_unit_test(test_conv_1x1),
        cmocka_unit_test(test_conv_valid_s1_winograd),
        cmocka_unit_test(test_conv_same_s1_winograd),
        cmocka_unit_test(test_max_valid_2),
        cmocka_unit_test(test_max_same_2),
        cmocka_unit_test(test_max_same_3_s2),
        cmocka_unit_test(test_max_valid_3_s1),
        cmocka_unit_test(test_avg_valid_2),
        cmocka_unit_test(test_avg_same_2),
        cmocka_unit_test(test_avg_same_3_s2),
        cmocka_unit_test(test_avg_valid_3_s1),
        cmocka_unit_test(test_global_avg_pool),
        cmocka_unit_test(test_batch_norm_channels),
        cmocka_unit_test(test_batch_norm_relu_fused),
        cmocka_unit_test(test_cnn_stack),
        cmocka_unit_test(test_shape_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
