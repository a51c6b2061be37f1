/* Shares that follow the threads' speeds (src/thread_share.h): equal cores keep equal shares
 * through the noise, a core at half speed ends with about a third of the work, and a training
 * run whose shares moved gives the weights of one thread to the last bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "simdnn_io.h"
#include "testhooks.h"
#include "testutil.h"

static void test_equal_cores_keep_equal_shares(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    const double done[2] = {0.5, 0.5};
    for (int i = 0; i < 200; i++) { /* ±5 % of noise on either thread */
        const double busy[2] = {1000.0 * (1.0 + 0.05 * ((i * 7) % 3 - 1)),
                                1000.0 * (1.0 + 0.05 * ((i * 5) % 3 - 1))};
        sdn_share_observe(&s, 2, done, busy);
        assert_int_equal(sdn_share_cut(&s, 2, 16, 1, 1), 8);
    }
}

static void test_half_speed_core_takes_a_third(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    for (int i = 0; i < 30; i++) {
        const double f = s.weight[1], done[2] = {f, 1.0 - f};
        const double busy[2] = {1000.0 * done[0], 2000.0 * done[1]}; /* thread 1 at half speed */
        sdn_share_observe(&s, 2, done, busy);
    }
    assert_true(s.weight[1] > 0.63 && s.weight[1] < 0.70);
    assert_int_equal(sdn_share_cut(&s, 2, 4, 1, 1), 3);   /* b32: 3 chunks and 1 */
    assert_int_equal(sdn_share_cut(&s, 2, 16, 1, 1), 11); /* b128 */
    assert_int_equal(sdn_share_cut(&s, 2, 4, 1, 2), 4);
    /* a team of another size splits equally */
    assert_int_equal(sdn_share_cut(&s, 3, 9, 1, 1), 3);
}

static void test_every_thread_keeps_its_least(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    s.weight[1] = 0.99; /* thread 1 all but idle */
    assert_int_equal(sdn_share_cut(&s, 2, 4, 1, 1), 3);
    assert_int_equal(sdn_share_cut(&s, 2, 1, 1, 1), 1); /* too few to keep: as the share says */
    assert_int_equal(sdn_share_cut(&s, 2, 100, 0, 1), 99);
}

/* A batch-norm, dropout and sliced-kernel network trained a few steps; saved to path. */
static void train(int threads, char *path, size_t size, double *share1)
{
    enum { D = 768, UNITS = 96, K = 10, NB = 128, STEPS = 8 };
    sdn_set_num_threads(threads);
    sdn_model *m = sdn_model_new(11);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(UNITS);
    d.activation = SDN_ACT_ELU;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
    sdn_dense_options out = sdn_dense_defaults(K);
    out.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &out), SDN_OK);
    sdn_optimizer_options nadam = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_int_equal(sdn_model_compile(m, D, NB, &nadam), SDN_OK);
    static float x[NB * D];
    int32_t y[NB];
    for (int s = 0; s < STEPS; s++) {
        sdn_test_fill(x, NB * D, 300 + (uint64_t)s, -1.0f, 1.0f);
        for (int i = 0; i < NB; i++)
            y[i] = (int32_t)((i * 3 + s) % K);
        assert_int_equal(sdn_model_train_batch(m, x, y, NB, NULL, NULL), SDN_OK);
    }
    *share1 = m->share.threads == 2 ? m->share.weight[1] : 0.5;
    snprintf(path, size, "%s/share%d.safetensors", sdn_test_tmpdir("share"), threads);
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, NULL, 0), SDN_OK);
    sdn_model_free(m);
}

static void test_moved_shares_same_bits(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    sdn_parallel_min_macs = 0.0;
    char one[512], two[512];
    double share1;
    train(1, one, sizeof one, &share1);
    sdn_debug_slow_thread = 2.0; /* a third of the speed: well clear of the noise */
    train(2, two, sizeof two, &share1);
    sdn_debug_slow_thread = 0.0;
    sdn_parallel_min_macs = -1.0;
    sdn_set_num_threads(0);
    if (share1 < 0.55)
        fail_msg("thread 1 ran at a third of the speed, yet thread 0's share is %.2f", share1);
    size_t n1, n2;
    char *a = sdn_test_read_file(one, &n1), *b = sdn_test_read_file(two, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_cores_keep_equal_shares),
        cmocka_unit_test(test_half_speed_core_takes_a_third),
        cmocka_unit_test(test_every_thread_keeps_its_least),
        cmocka_unit_test(test_moved_shares_same_bits),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
