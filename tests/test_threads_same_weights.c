/* One thread or two, the same weights to the last bit: a network with batch norm and dropout
 * trained a few steps with each thread count and saved (optimizer slots included) gives two
 * identical safetensors files. On a build with OpenMP a second thread that cannot start (as under
 * qemu-user with the wrong runtime) is a failure here, not a skip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdnn_io.h"
#include "testutil.h"

enum { D = 64, UNITS = 96, K = 10, NB = 64, STEPS = 6 };

/* Trains with `threads` threads from the same seed and data; saves to <tmp>/t<threads>.st. */
static void train_and_save(int threads, char *path, size_t path_size)
{
    sdn_set_num_threads(threads);
    assert_int_equal(sdn_num_threads(), threads);
    sdn_model *m = sdn_model_new(7);
    assert_non_null(m);
    for (int i = 0; i < 2; i++) {
        sdn_dense_options d = sdn_dense_defaults(UNITS);
        d.kernel_init.kind = SDN_INIT_HE_NORMAL;
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
        assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
        assert_int_equal(sdn_model_add_activation(m, SDN_ACT_ELU, 0.0f), SDN_OK);
    }
    assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
    sdn_dense_options out = sdn_dense_defaults(K);
    out.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &out), SDN_OK);
    sdn_optimizer_options nadam = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_int_equal(sdn_model_compile(m, D, NB, &nadam), SDN_OK);

    float x[NB * D];
    int32_t y[NB];
    for (int s = 0; s < STEPS; s++) {
        sdn_test_fill(x, NB * D, 100 + (uint64_t)s, -1.0f, 1.0f);
        for (int i = 0; i < NB; i++) {
            y[i] = (int32_t)((i * 7 + s) % K);
            x[i * D + y[i]] += 2.0f;
        }
        assert_int_equal(sdn_model_train_batch(m, x, y, NB, NULL, NULL), SDN_OK);
    }
    snprintf(path, path_size, "%s/t%d.safetensors", sdn_test_tmpdir("threads"), threads);
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, NULL, 0), SDN_OK);
    sdn_model_free(m);
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *size, f), *size);
    fclose(f);
    return buf;
}

static void test_one_and_two_threads_same_file(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP: one thread only */
    assert_true(sdn_test_threads_start());
    char one[1024], two[1024];
    train_and_save(1, one, sizeof one);
    train_and_save(2, two, sizeof two);
    size_t n1, n2;
    unsigned char *a = read_all(one, &n1), *b = read_all(two, &n2);
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++)
        if (a[i] != b[i])
            fail_msg("%s and %s differ first at byte %zu of %zu", one, two, i, n1);
    free(a);
    free(b);
    sdn_set_num_threads(0);
}

int main(void)
{
    if (sdn_dispatch_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_and_two_threads_same_file),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
