/* MC Dropout computes the layers before the first dropout layer once per batch and repeats only
 * the rest: the same bits as a full pass per sample, for dropout at the end (8e), in
 * the middle, twice, with batch norm, over several max_batch chunks and 1 or 2 threads. */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testhooks.h"
#include "testutil.h"

enum { IN = 24, OUT = 10, N = 77 }; /* N: 3 chunks of 32 rows, the last partial */

typedef enum { AT_END, IN_MIDDLE, TWICE, WITH_BN, NONE } layout;

static sdn_model *build(layout how)
{
    sdn_model *m = sdn_model_new(11);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    for (int i = 0; i < 3; i++) {
        sdn_dense_options d = sdn_dense_defaults(20);
        d.activation = how == WITH_BN ? SDN_ACT_LINEAR : SDN_ACT_SELU;
        d.kernel_init.kind = SDN_INIT_LECUN_NORMAL;
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
        if (how == WITH_BN) {
            assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
            assert_int_equal(sdn_model_add_activation(m, SDN_ACT_ELU, 0), SDN_OK);
        }
        if ((how == IN_MIDDLE && i == 1) || (how == TWICE && i > 0))
            assert_int_equal(sdn_model_add_dropout(m, 0.3f), SDN_OK);
    }
    if (how == AT_END || how == WITH_BN)
        assert_int_equal(sdn_model_add_alpha_dropout(m, 0.2f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(OUT);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_int_equal(sdn_model_compile(m, IN, 32, &o), SDN_OK);
    return m;
}

/* Two MC calls on the model (the second call draws other masks) into mean/std [2][N × OUT]. */
static void mc_twice(layout how, int full_passes, float *mean, float *std, const float *x)
{
    sdn_model *m = build(how);
    /* a few training steps so BN's moving statistics are not the trivial ones */
    int32_t y[32];
    for (int i = 0; i < 32; i++)
        y[i] = i % OUT;
    for (int s = 0; s < 3; s++)
        assert_int_equal(sdn_model_train_batch(m, x, y, 32, NULL, NULL), SDN_OK);
    sdn_debug_mc_full_passes = full_passes;
    for (int call = 0; call < 2; call++)
        assert_int_equal(
            sdn_model_predict_mc(m, x, N, 7 + call, mean + call * N * OUT, std + call * N * OUT),
            SDN_OK);
    sdn_debug_mc_full_passes = 0;
    sdn_model_free(m);
}

static void same_bits_as_full_passes(void **state)
{
    float *x = malloc(N * IN * sizeof *x);
    sdn_test_fill(x, N * IN, 3, -2, 2);
    const size_t len = 2 * N * OUT;
    float *mf = malloc(len * sizeof *mf), *sf = malloc(len * sizeof *sf);
    float *mp = malloc(len * sizeof *mp), *sp = malloc(len * sizeof *sp);
    const int threads[2] = {1, 2};
    for (int t = 0; t < 2; t++) {
        sdn_set_num_threads(threads[t]);
        double saved = sdn_parallel_min_macs;
        sdn_parallel_min_macs = 0; /* let two threads split even these small passes */
        for (layout how = AT_END; how <= NONE; how++) {
            mc_twice(how, 1, mf, sf, x);
            mc_twice(how, 0, mp, sp, x);
            assert_memory_equal(mf, mp, len * sizeof *mf);
            assert_memory_equal(sf, sp, len * sizeof *sf);
            /* and the samples did differ (dropout was active), except without dropout */
            float spread = 0;
            for (size_t i = 0; i < len; i++)
                spread = sp[i] > spread ? sp[i] : spread;
            if (how == NONE)
                assert_true(spread < 1e-3f); /* sqrt of the rounding of E[p²] − E[p]² only */
            else
                assert_true(spread > 1e-2f);
        }
        sdn_parallel_min_macs = saved;
    }
    sdn_set_num_threads(0);
    free(x), free(mf), free(sf), free(mp), free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(same_bits_as_full_passes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
