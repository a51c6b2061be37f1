/* The training core against PyTorch (tests/golden/make_golden.py → golden/golden_values.h):
 * ELU/SELU values and gradients, BatchNorm in training and inference mode, AlphaDropout's
 * constants and output statistics, and several steps of SGD-Nesterov, Adam, NAdam, RMSprop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "golden/golden_values.h"
#include "model.h"
#include "rng.h"
#include "testutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void to_float(float *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (float)src[i];
}

static void act_vs_torch(sdn_activation act, const double *want_y, const double *want_dx)
{
    const sdn_kernels *k = sdn_kernels_active();
    enum { N = COUNT(golden_act_x) };
    float x[N], y[N], one[N], dx[N];
    to_float(x, golden_act_x, N);
    for (size_t i = 0; i < N; i++)
        one[i] = 1.0f;
    k->act[act](N, x, y, 1.0f);
    k->act_grad[act](N, x, y, one, dx, 1.0f);
    sdn_test_assert_close("y", y, want_y, N, 1e-6, 2e-6);
    sdn_test_assert_close("dx", dx, want_dx, N, 1e-6, 2e-6);
}

static void test_elu(void **s)
{
    (void)s;
    act_vs_torch(SDN_ACT_ELU, golden_elu_y, golden_elu_dx);
}
static void test_selu(void **s)
{
    (void)s;
    act_vs_torch(SDN_ACT_SELU, golden_selu_y, golden_selu_dx);
}

/* One BN layer driven directly: N = 12 rows (two chunks), C = 5 features. */
enum { BN_N = 12, BN_C = 5, BN_CHUNKS = (BN_N + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS };
typedef struct bn_fixture {
    sdn_layer l;
    sdn_acts a;
    sdn_bn_stats stats;
    float params[2 * BN_C], grads[2 * BN_C], state[2 * BN_C];
    float x[BN_N * BN_C], y[BN_N * BN_C], xhat[BN_N * BN_C], dy[BN_N * BN_C], dx[BN_N * BN_C];
    float parts[4][BN_CHUNKS * BN_C], st[5][BN_C], inf_inv_std[BN_C];
    sdn_pass p;
} bn_fixture;

static void bn_setup(bn_fixture *f, int training)
{
    memset(f, 0, sizeof *f);
    sdn_layer *l = &f->l;
    l->ops = &sdn_batch_norm_ops;
    l->n_in = l->n_out = BN_C;
    l->w_off = 0; /* gamma, then beta */
    l->s_off = 0;
    l->momentum = 0.99f;
    l->epsilon = 1e-3f;
    l->need_dx = 1;
    sdn_acts *a = &f->a;
    a->x = f->x;
    a->y = f->y;
    a->xhat = f->xhat;
    a->dy = f->dy;
    a->dx = f->dx;
    a->part_a = f->parts[0];
    a->part_b = f->parts[1];
    a->part_c = f->parts[2];
    a->part_d = f->parts[3];
    f->stats = (sdn_bn_stats){f->st[0], f->st[1], f->st[2], f->st[3], f->st[4]};
    a->stats = &f->stats;
    a->inf_inv_std = f->inf_inv_std;
    to_float(f->x, golden_bn_x, BN_N * BN_C);
    to_float(f->dy, golden_bn_dy, BN_N * BN_C);
    to_float(f->params, golden_bn_gamma, BN_C);
    to_float(f->params + BN_C, golden_bn_beta, BN_C);
    for (size_t j = 0; j < BN_C; j++) {
        f->state[j] = 0.0f;
        f->state[BN_C + j] = 1.0f;
    }
    f->p = (sdn_pass){.k = sdn_kernels_active(),
                      .params = f->params,
                      .grads = f->grads,
                      .state = f->state,
                      .acts = &f->a,
                      .n = BN_N,
                      .r0 = 0,
                      .r1 = BN_N,
                      .c0 = 0,
                      .c1 = BN_CHUNKS,
                      .t = 0,
                      .nthreads = 1,
                      .bn_training = training};
}

static void test_batch_norm_training(void **s)
{
    (void)s;
    bn_fixture *f = malloc(sizeof *f);
    bn_setup(f, 1);
    f->l.ops->forward(&f->l, &f->p);
    sdn_test_assert_close("y", f->y, golden_bn_train_y, BN_N * BN_C, 1e-5, 1e-5);
    f->l.ops->backward(&f->l, &f->p);
    sdn_test_assert_close("dx", f->dx, golden_bn_train_dx, BN_N * BN_C, 1e-5, 1e-4);
    f->l.ops->weight_grads(&f->l, &f->p, 0, 1, 1);
    sdn_test_assert_close("dgamma", f->grads, golden_bn_train_dgamma, BN_C, 1e-5, 1e-5);
    sdn_test_assert_close("dbeta", f->grads + BN_C, golden_bn_train_dbeta, BN_C, 1e-5, 1e-5);
    f->l.ops->update_state(&f->l, &f->a, f->state);
    sdn_test_assert_close("moving_mean", f->state, golden_bn_moving_mean, BN_C, 1e-6, 1e-5);
    /* Keras' biased variance (PyTorch's running_var, unbiased, differs on purpose) */
    sdn_test_assert_close("moving_variance", f->state + BN_C, golden_bn_moving_var_keras, BN_C,
                          1e-6, 1e-5);
    assert_true(fabs(f->state[BN_C] - golden_bn_moving_var_torch[0]) > 1e-4);
    free(f);
}

static void test_batch_norm_inference(void **s)
{
    (void)s;
    bn_fixture *f = malloc(sizeof *f);
    bn_setup(f, 0);
    to_float(f->state, golden_bn_eval_mean, BN_C);
    to_float(f->state + BN_C, golden_bn_eval_var, BN_C);
    for (size_t j = 0; j < BN_C; j++)
        f->inf_inv_std[j] = 1.0f / sqrtf(f->state[BN_C + j] + 1e-3f);
    f->l.ops->forward(&f->l, &f->p);
    sdn_test_assert_close("y", f->y, golden_bn_eval_y, BN_N * BN_C, 1e-5, 1e-5);
    free(f);
}

static void alpha_dropout_case(float rate, double a, double b, double c, double mean, double var)
{
    float ga, gb, gc;
    sdn_alpha_dropout_constants(rate, &ga, &gb, &gc);
    assert_float_equal(ga, a, 1e-6);
    assert_float_equal(gb, b, 1e-6);
    assert_float_equal(gc, c, 1e-6);
    /* the layer on SELU activations of N(0, 1): mean ≈ 0 and variance ≈ 1 as PyTorch's */
    enum { N = 200000 };
    sdn_model *m = sdn_model_new(99);
    float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float));
    uint8_t *keep = malloc(N);
    sdn_rng r;
    sdn_rng_init(&r, 5, 1, 0);
    const sdn_kernels *k = sdn_kernels_active();
    for (size_t i = 0; i < N; i++)
        x[i] = (float)sdn_rng_normal(&r);
    k->act[SDN_ACT_SELU](N, x, x, 0.0f);
    sdn_layer l = {0};
    l.ops = &sdn_alpha_dropout_ops;
    l.n_in = l.n_out = N;
    l.rate = rate;
    l.drop_a = ga;
    l.drop_b = gb;
    l.drop_c = gc;
    sdn_acts acts = {.x = x, .y = y, .keep = keep};
    sdn_pass p = {.k = k,
                  .seed = m->seed,
                  .acts = &acts,
                  .n = 1,
                  .r0 = 0,
                  .r1 = 1,
                  .c1 = 1,
                  .nthreads = 1,
                  .dropout_active = 1,
                  .stream_base = SDN_STREAM_DROPOUT};
    l.ops->forward(&l, &p);
    double s1 = 0, s2 = 0, kept = 0;
    for (size_t i = 0; i < N; i++) {
        s1 += y[i];
        s2 += (double)y[i] * y[i];
        kept += keep[i];
    }
    const double mu = s1 / N, v = s2 / N - mu * mu;
    print_message("  rate %.1f: kept %.4f, mean %.4f (torch %.4f), var %.4f (torch %.4f)\n",
                  (double)rate, kept / N, mu, mean, v, var);
    assert_float_equal(kept / N, 1.0 - rate, 0.005);
    assert_float_equal(mu, mean, 0.015);
    assert_float_equal(v, var, 0.015);
    free(x);
    free(y);
    free(keep);
    sdn_model_free(m);
}

static void test_alpha_dropout(void **s)
{
    (void)s;
    alpha_dropout_case(0.1f, golden_alpha_dropout_10_a, golden_alpha_dropout_10_b,
                       golden_alpha_dropout_10_c, golden_alpha_dropout_10_mean,
                       golden_alpha_dropout_10_var);
    alpha_dropout_case(0.2f, golden_alpha_dropout_20_a, golden_alpha_dropout_20_b,
                       golden_alpha_dropout_20_c, golden_alpha_dropout_20_mean,
                       golden_alpha_dropout_20_var);
    alpha_dropout_case(0.5f, golden_alpha_dropout_50_a, golden_alpha_dropout_50_b,
                       golden_alpha_dropout_50_c, golden_alpha_dropout_50_mean,
                       golden_alpha_dropout_50_var);
}

/* g(w) = A·w − b; the optimizer as train_batch runs it (scalars once, one kernel call). */
static void optimizer_case(sdn_optimizer_options o, const double *want)
{
    enum { P = COUNT(golden_opt_w0) };
    const int steps = (int)golden_opt_steps;
    float w[P], g[P], m[P] = {0}, v[P] = {0}, traj[8 * P];
    to_float(w, golden_opt_w0, P);
    double prod = 1.0;
    for (int t = 1; t <= steps; t++) {
        for (size_t i = 0; i < P; i++) {
            float acc = 0.0f;
            for (size_t j = 0; j < P; j++)
                acc += (float)golden_opt_a[i * P + j] * w[j];
            g[i] = acc - (float)golden_opt_b[i];
        }
        double next;
        sdn_optim_scalars sc = sdn_optim_scalars_for(&o, (uint64_t)t, prod, &next);
        prod = next;
        sdn_optim_apply(sdn_kernels_active(), &o, &sc, w, g, m, v, P);
        memcpy(traj + (t - 1) * P, w, sizeof w);
    }
    sdn_test_assert_close(sdn_optimizer_name(o.kind), traj, want, (size_t)steps * P, 2e-6, 2e-5);
}

static void test_sgd_nesterov(void **s)
{
    (void)s;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    o.learning_rate = 0.05f;
    o.momentum = 0.9f;
    o.nesterov = 1;
    optimizer_case(o, golden_opt_sgd_nesterov);
}

static void test_adam(void **s)
{
    (void)s;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    o.learning_rate = 0.05f;
    optimizer_case(o, golden_opt_adam);
}

static void test_nadam(void **s)
{
    (void)s;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    o.learning_rate = 0.05f;
    optimizer_case(o, golden_opt_nadam);
}

static void test_rmsprop(void **s)
{
    (void)s;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_RMSPROP);
    o.learning_rate = 0.01f;
    optimizer_case(o, golden_opt_rmsprop);
}

static void test_keras_defaults(void **s)
{
    (void)s;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_float_equal(o.learning_rate, 1e-3, 1e-9);
    assert_float_equal(o.beta1, 0.9, 1e-7);
    assert_float_equal(o.beta2, 0.999, 1e-7);
    assert_float_equal(o.epsilon, 1e-7, 1e-12);
    assert_float_equal(sdn_optimizer_defaults(SDN_OPT_SGD).learning_rate, 0.01, 1e-9);
    assert_float_equal(sdn_optimizer_defaults(SDN_OPT_RMSPROP).rho, 0.9, 1e-7);
}

int main(void)
{
    if (sdn_dispatch_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elu),
        cmocka_unit_test(test_selu),
        cmocka_unit_test(test_batch_norm_training),
        cmocka_unit_test(test_batch_norm_inference),
        cmocka_unit_test(test_alpha_dropout),
        cmocka_unit_test(test_sgd_nesterov),
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_nadam),
        cmocka_unit_test(test_rmsprop),
        cmocka_unit_test(test_keras_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
