/* One thread or more, the same weights to the last bit: a network with batch norm and dropout
 * trained a few steps with each thread count and saved (optimizer slots included) gives
 * identical safetensors files; so does one with big kernels, whose forward runs in input slices
 * (the first layer's, and one after a dropout) fed by batch norms split by features, on 1, 2, 3
 * and 5 threads, and from inside the caller's own OpenMP parallel region. On a build with OpenMP
 * a second thread that cannot start (as under qemu-user with the wrong runtime) is a failure
 * here, not a skip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdnn_io.h"
#include "testhooks.h"
#include "testutil.h"

enum { D = 64, D_BIG = 768, UNITS = 96, K = 10, NB = 64, STEPS = 6 };

static void add_dense(sdn_model *m, size_t units, sdn_activation act)
{
    sdn_dense_options d = sdn_dense_defaults(units);
    d.kernel_init.kind = SDN_INIT_HE_NORMAL;
    d.activation = act;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
}

/* Dense + BN + ELU twice, dropout, softmax; or, `big`, BN → 768 → 96 (in slices) → 768 →
 * dropout → BN → 96 (in slices, its input another layer's output) → softmax, where both batch
 * norms split by features, the first on the pass's input, the second on a layer's output. */
static size_t build(sdn_model *m, int big)
{
    if (big) {
        assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
        add_dense(m, UNITS, SDN_ACT_ELU);
        add_dense(m, D_BIG, SDN_ACT_ELU);
        assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
        assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
        add_dense(m, UNITS, SDN_ACT_ELU);
    } else {
        for (int i = 0; i < 2; i++) {
            add_dense(m, UNITS, SDN_ACT_LINEAR);
            assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
            assert_int_equal(sdn_model_add_activation(m, SDN_ACT_ELU, 0.0f), SDN_OK);
        }
        assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
    }
    sdn_dense_options out = sdn_dense_defaults(K);
    out.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &out), SDN_OK);
    return big ? D_BIG : D;
}

/* Trains with `threads` threads from the same seed and data; saves to <tmp>/t<threads>.st. */
static void train_and_save(int threads, int big, char *path, size_t path_size)
{
    sdn_set_num_threads(threads);
    assert_int_equal(sdn_num_threads(), threads);
    sdn_model *m = sdn_model_new(7);
    assert_non_null(m);
    const size_t d = build(m, big);
    sdn_optimizer_options nadam = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_int_equal(sdn_model_compile(m, d, NB, &nadam), SDN_OK);

    static float x[NB * D_BIG];
    int32_t y[NB];
    for (int s = 0; s < STEPS; s++) {
        sdn_test_fill(x, NB * d, 100 + (uint64_t)s, -1.0f, 1.0f);
        for (int i = 0; i < NB; i++) {
            y[i] = (int32_t)((i * 7 + s) % K);
            x[i * d + (size_t)y[i]] += 2.0f;
        }
        assert_int_equal(sdn_model_train_batch(m, x, y, NB, NULL, NULL), SDN_OK);
    }
    snprintf(path, path_size, "%s/%s%d.safetensors", sdn_test_tmpdir("threads"), big ? "big" : "t",
             threads);
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

/* Whether a thread starts here, probed once before any test starts threads: the probe forks,
 * and a fork after OpenMP's threads exist can crash qemu-user (the AArch64 suite). */
static int threads_start;

/* train_and_save from inside the caller's own OpenMP parallel region: nested regions are
 * inactive, so the pass gets a team of one thread whatever it asks for, and must neither wait
 * for a thread that never comes nor change a bit. */
static void train_and_save_in_region(int threads, int big, char *path, size_t path_size)
{
#ifdef _OPENMP
#pragma omp parallel num_threads(2)
#pragma omp master
#endif
    train_and_save(threads, big, path, path_size);
}

static void same_file_on(int big, const int *threads, int count, int in_region)
{
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP: one thread only */
    assert_true(threads_start);
    sdn_parallel_min_macs = 0.0; /* split even where this host's meetings cost too much */
    char one[1024], other[1024];
    train_and_save(1, big, one, sizeof one);
    size_t n1;
    unsigned char *a = read_all(one, &n1);
    for (int c = 0; c < count; c++) {
        (in_region ? train_and_save_in_region : train_and_save)(threads[c], big, other,
                                                                sizeof other);
        size_t n2;
        unsigned char *b = read_all(other, &n2);
        assert_int_equal(n1, n2);
        for (size_t i = 0; i < n1; i++)
            if (a[i] != b[i])
                fail_msg("%s and %s differ first at byte %zu of %zu", one, other, i, n1);
        free(b);
    }
    free(a);
    sdn_parallel_min_macs = -1.0;
    sdn_set_num_threads(0);
}

static void test_one_and_two_threads_same_file(void **state)
{
    (void)state;
    same_file_on(0, (const int[]){2}, 1, 0);
}

static void test_input_slices_same_file(void **state)
{
    (void)state;
    same_file_on(1, (const int[]){2, 3, 5}, 3, 0);
}

static void test_inside_callers_parallel_region(void **state)
{
    (void)state;
    same_file_on(1, (const int[]){2}, 1, 1);
}

int main(void)
{
    if (sdn_dispatch_init())
        return 1;
    threads_start = sdn_test_threads_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_and_two_threads_same_file),
        cmocka_unit_test(test_input_slices_same_file),
        cmocka_unit_test(test_inside_callers_parallel_region),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
