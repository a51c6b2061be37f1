/* The L1 and L2 penalties in the reported loss against a hand computation: evaluate's loss of a
 * regularized network minus the same network's unregularized loss is l1·Σ|W| + l2·ΣW² over the
 * dense kernels (Keras' kernel_regularizer; biases are not penalized). The mutation check found
 * that dropping the L1 term failed no test. */
#include <math.h>

#include "testutil.h"

enum { IN = 7, UNITS = 5, CLASSES = 3, N = 6 };

static sdn_model *net(float l1, float l2)
{
    sdn_model *m = sdn_model_new(5);
    assert_non_null(m);
    sdn_dense_options d = sdn_dense_defaults(UNITS);
    d.activation = SDN_ACT_ELU;
    d.l1 = l1;
    d.l2 = l2;
    d.bias_init = (sdn_initializer){SDN_INIT_CONSTANT, 0.1f};
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    d = sdn_dense_defaults(CLASSES);
    d.activation = SDN_ACT_SOFTMAX;
    d.l1 = l1;
    d.l2 = l2;
    d.bias_init = (sdn_initializer){SDN_INIT_CONSTANT, -0.2f};
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    assert_int_equal(sdn_model_compile(m, IN, N, &o), SDN_OK);
    return m;
}

static void penalties_in_the_loss(void **state)
{
    (void)state;
    const float l1 = 0.03f, l2 = 0.05f;
    sdn_model *plain = net(0, 0), *reg = net(l1, l2);
    float x[N * IN], w[IN * UNITS + UNITS + UNITS * CLASSES + CLASSES];
    int32_t y[N];
    sdn_test_fill(x, N * IN, 9, -1, 1);
    for (int i = 0; i < N; i++)
        y[i] = i % CLASSES;
    size_t p = sdn_model_param_count(reg);
    assert_int_equal(p, sizeof w / sizeof w[0]);
    assert_int_equal(sdn_model_get_params(reg, w, p), SDN_OK);
    /* Kernels are [0, IN·UNITS) and [IN·UNITS + UNITS, … + UNITS·CLASSES); biases are not. */
    double abs_sum = 0, sq_sum = 0;
    for (size_t i = 0; i < p; i++) {
        int bias = (i >= IN * UNITS && i < IN * UNITS + UNITS) || i >= p - CLASSES;
        if (!bias) {
            abs_sum += fabs(w[i]);
            sq_sum += (double)w[i] * w[i];
        }
    }
    float loss_plain, loss_reg, acc;
    assert_int_equal(sdn_model_evaluate(plain, x, y, N, &loss_plain, &acc), SDN_OK);
    assert_int_equal(sdn_model_evaluate(reg, x, y, N, &loss_reg, &acc), SDN_OK);
    double want = l1 * abs_sum + l2 * sq_sum;
    assert_true(want > 0.05); /* both terms matter at this size */
    assert_float_equal(loss_reg - loss_plain, want, 1e-5 * (1 + want));
    sdn_model_free(plain);
    sdn_model_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(penalties_in_the_loss)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
