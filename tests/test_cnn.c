/* A small CNN end to end: trained a few steps on 1, 2 and 3 threads it ends with the same weights
 * to the last bit (conv tiles, Winograd's, channel BN chunks and pooling all fixed by the shape);
 * inference after training uses the channel BN's moving statistics; the network spec's conv trunk
 * builds the layers it names and refuses malformed items; the augmentation is deterministic; a
 * batch norm with its ReLU fused gives the bits of the two kept apart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "simdnn_fit.h"
#include "simdnn_profile.h"
#include "testhooks.h"
#include "testutil.h"

enum { IH = 12, IW = 10, IC = 3, CLS = 10, NB = 40, STEPS = 4 };

/* split: a linear Activation between the first batch norm and its ReLU, which keeps them apart */
static sdn_model *build(int split)
{
    sdn_model *m = sdn_model_new(11);
    assert_int_equal(sdn_model_set_input_shape(m, IH, IW, IC), SDN_OK);
    sdn_conv2d_options c = sdn_conv2d_defaults(8, 3);
    c.padding = SDN_PAD_SAME;
    c.use_bias = 0;
    c.kernel_init.kind = SDN_INIT_HE_NORMAL;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.9f, 1e-3f), SDN_OK);
    if (split)
        assert_int_equal(sdn_model_add_activation(m, SDN_ACT_LINEAR, 0.0f), SDN_OK);
    assert_int_equal(sdn_model_add_activation(m, SDN_ACT_RELU, 0.0f), SDN_OK);
    assert_int_equal(sdn_model_add_max_pool2d(m, 2, 0, SDN_PAD_VALID), SDN_OK);
    c = sdn_conv2d_defaults(16, 3);
    c.stride_h = c.stride_w = 2;
    c.padding = SDN_PAD_SAME;
    c.activation = SDN_ACT_ELU;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    c = sdn_conv2d_defaults(16, 3); /* 16 → 16 channels, stride 1: Winograd, on a 3×3 image */
    c.padding = SDN_PAD_SAME;
    c.activation = SDN_ACT_TANH;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_avg_pool2d(m, 2, 1, SDN_PAD_SAME), SDN_OK);
    assert_int_equal(sdn_model_add_global_avg_pool2d(m), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(CLS);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    assert_int_equal(sdn_model_compile(m, IH * IW * IC, NB, &o), SDN_OK);
    assert_int_equal(m->layers[1].relu_fused, !split); /* batch norm + ReLU: one pass */
    assert_int_equal(m->layers[m->n_layers - 4].winograd, 1);
    assert_int_equal(m->layers[0].winograd + m->layers[m->n_layers - 5].winograd, 0);
    return m;
}

/* the flat parameters and state after STEPS steps on `threads` threads */
static float *train_model(int threads, int split, size_t *count)
{
    sdn_set_num_threads(threads);
    sdn_model *m = build(split);
    if (split) { /* the extra layer moves the later layers' seeds: start from the fused weights */
        sdn_model *fused = build(0);
        assert_int_equal(m->n_params, fused->n_params);
        memcpy(m->params, fused->params, m->n_params * sizeof(float));
        sdn_model_free(fused);
    }
    float *x = malloc(NB * IH * IW * IC * sizeof(float));
    int32_t y[NB];
    sdn_test_fill(x, NB * IH * IW * IC, 5, -1, 1);
    for (int i = 0; i < NB; i++)
        y[i] = (int32_t)(i * 3 % CLS);
    for (int s = 0; s < STEPS; s++)
        assert_int_equal(sdn_model_train_batch(m, x, y, NB - (size_t)s, NULL, NULL), SDN_OK);
    float loss, acc, probs[NB * CLS];
    assert_int_equal(sdn_model_evaluate(m, x, y, NB, &loss, &acc), SDN_OK);
    assert_true(isfinite(loss));
    assert_int_equal(sdn_model_predict(m, x, 7, probs), SDN_OK);
    const size_t n = sdn_model_tensor_count(m);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        sdn_tensor t;
        assert_int_equal(sdn_model_tensor(m, i, &t), SDN_OK);
        total += t.size;
    }
    float *all = malloc(total * sizeof(float)), *at = all;
    for (size_t i = 0; i < n; i++) {
        sdn_tensor t;
        sdn_model_tensor(m, i, &t);
        memcpy(at, t.data, t.size * sizeof(float));
        at += t.size;
    }
    *count = total;
    free(x);
    sdn_model_free(m);
    return all;
}

static float *train(int threads, size_t *count)
{
    return train_model(threads, 0, count);
}

/* a few steps on one thread (the aarch64 suite's CNN under qemu): finite, and not all zero */
static void test_cnn_trains(void **state)
{
    (void)state;
    size_t n;
    float *w = train(1, &n);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        assert_true(isfinite(w[i]));
        sum += fabs((double)w[i]);
    }
    assert_true(sum > 0.0);
    free(w);
}

/* the batch norm with its ReLU fused gives the bits of the two layers kept apart */
static void test_fused_relu_same_weights(void **state)
{
    (void)state;
    size_t n1, n2;
    float *fused = train_model(1, 0, &n1), *apart = train_model(1, 1, &n2);
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++)
        if (memcmp(&fused[i], &apart[i], sizeof(float)))
            fail_msg("value %zu is %.9g fused, %.9g apart", i, fused[i], apart[i]);
    free(fused);
    free(apart);
}

static void test_same_weights_any_threads(void **state)
{
    (void)state;
    size_t n1, n2;
    float *one = train(1, &n1);
    if (!sdn_test_threads_start()) {
        free(one);
        skip();
    }
    sdn_parallel_min_macs = 0.0;
    for (int T = 2; T <= 3; T++) {
        float *many = train(T, &n2);
        assert_int_equal(n1, n2);
        for (size_t i = 0; i < n1; i++)
            if (memcmp(&one[i], &many[i], sizeof(float)))
                fail_msg("%d threads: value %zu is %.9g, one thread %.9g", T, i, many[i], one[i]);
        free(many);
    }
    free(one);
    sdn_set_num_threads(1);
}

static void test_spec_trunk(void **state)
{
    (void)state;
    sdn_net_spec s = {0};
    s.input_size = IH * IW * IC, s.classes = CLS, s.units = 1;
    s.image_h = IH, s.image_w = IW, s.image_c = IC;
    s.activation = SDN_ACT_RELU, s.init = SDN_INIT_HE_NORMAL, s.batch_norm = 1;
    snprintf(s.conv, sizeof s.conv, "c8,m2,c16k3s2v,a2,g");
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    sdn_model *m = NULL;
    assert_int_equal(sdn_net_build(&s, 1, 16, &o, &m), SDN_OK);
    /* conv BN act pool conv BN act pool gap dense */
    assert_int_equal(m->n_layers, 10);
    sdn_model_summary(m, stdout);
    sdn_model_free(m);
    const char *bad[] = {"c0", "x3", "c8,m17", "c8,g,c8", "c8k", "c8q2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(s.conv, sizeof s.conv, "%s", bad[i]);
        assert_int_equal(sdn_net_build(&s, 1, 16, &o, &m), SDN_ERR_INVALID_ARG);
        print_message("  %s: %s\n", bad[i], sdn_last_error());
    }
    snprintf(s.conv, sizeof s.conv, "c8k13v"); /* larger than the valid 12 x 10 image */
    assert_int_equal(sdn_net_build(&s, 1, 16, &o, &m), SDN_ERR_INVALID_ARG);
    print_message("  c8k13v: %s\n", sdn_last_error());
}

static void test_augment_deterministic(void **state)
{
    (void)state;
    enum { N = 6, S = IH * IW * IC };
    float a[N * S], b[N * S], x[N * S];
    sdn_test_fill(x, N * S, 3, 0, 1);
    memcpy(a, x, sizeof x);
    memcpy(b, x, sizeof x);
    const sdn_augment aug = {IH, IW, IC, 4, 1};
    sdn_augment_batch(&aug, a, N, 9, 2, 100);
    sdn_augment_batch(&aug, b, 3, 9, 2, 100); /* the same rows in two calls */
    sdn_augment_batch(&aug, b + 3 * S, 3, 9, 2, 103);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, x, sizeof a);
    /* a shift keeps the values it keeps: every output is an input value or zero */
    for (size_t i = 0; i < S; i++) {
        int found = a[i] == 0.0f;
        for (size_t j = 0; j < S && !found; j++)
            found = a[i] == x[j];
        assert_true(found);
    }
}

/* A profiled step of the network times every kernel a convolutional step calls, each under its
 * own kind: the products, the Winograd transforms, pooling, and batch norm fused with its ReLU. */
static void test_profiler_times_every_conv_kernel(void **state)
{
    (void)state;
    static const sdn_kernel_kind want[] = {
        SDN_KK_GEMM,         SDN_KK_WINO_INPUT,       SDN_KK_WINO_FILTER,
        SDN_KK_WINO_OUTPUT,  SDN_KK_WINO_OUTPUT_GRAD, SDN_KK_WINO_FILTER_GRAD,
        SDN_KK_MAXPOOL,      SDN_KK_MAXPOOL_GRAD,     SDN_KK_AVGPOOL,
        SDN_KK_AVGPOOL_GRAD, SDN_KK_BN_FORWARD_RELU,  SDN_KK_BN_BACKWARD_REDUCE_RELU};
    sdn_set_num_threads(1);
    sdn_model *m = build(0);
    float *x = malloc(sizeof(float) * NB * IH * IW * IC);
    int32_t y[NB];
    sdn_test_fill(x, NB * IH * IW * IC, 3, -1, 1);
    for (int i = 0; i < NB; i++)
        y[i] = i % CLS;
    /* counters per kernel call: every call is a record of its own, none folded into its scope
     * for being short (which depends on the host's clock) */
    sdn_profile_options opts = {NULL, 0, 0, 1, SDN_TRACE_AUTO, SDN_COUNTERS_KERNEL};
    assert_int_equal(sdn_profile_begin(&opts), SDN_OK);
    assert_int_equal(sdn_model_train_batch(m, x, y, NB, NULL, NULL), SDN_OK);
    assert_int_equal(sdn_profile_end(), SDN_OK);
    const sdn_prof_data *d = sdn_profile_records();
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        size_t calls = 0;
        for (int t = 0; t < d->n_threads; t++)
            for (size_t j = 0; j < d->threads[t]->n; j++) {
                const sdn_prof_event *e = &d->threads[t]->ev[j];
                if (e->type == SDN_EV_KERNEL && e->kind == want[w] && e->flops > 0.0)
                    calls += e->calls;
            }
        if (!calls)
            fail_msg("a profiled step recorded no %s call", sdn_kernel_kind_name(want[w]));
    }
    sdn_model_free(m);
    free(x);
    sdn_set_num_threads(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cnn_trains),
        cmocka_unit_test(test_profiler_times_every_conv_kernel),
        cmocka_unit_test(test_fused_relu_same_weights),
        cmocka_unit_test(test_same_weights_any_threads),
        cmocka_unit_test(test_spec_trunk),
        cmocka_unit_test(test_augment_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
