/* The GEMM driver (src/gemm/) on every transpose, alpha, beta, bias, leading dimension and block
 * edge, against a double-precision product; the public entry's argument checks; bitwise
 * thread-count invariance. The microkernels have test_gemm.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm.h"
#include "testutil.h"

/* ------------------------------------------------------------------ driver */

typedef struct shape {
    size_t m, n, k;
} shape;

/* op(X) element (i, p) of a row-major matrix stored rows×cols with leading dimension ld. */
static float op_at(const float *x, size_t ld, int trans, size_t i, size_t p)
{
    return trans ? x[p * ld + i] : x[i * ld + p];
}

static void check_driver_shape(const sdn_kernels *kt, shape s, int public_api)
{
    const size_t m = s.m, n = s.n, k = s.k;
    const float alphas[] = {1.0f, -0.5f}, betas[] = {0.0f, 1.0f, 0.3f};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            /* Stored shapes with padded leading dimensions and unaligned starts. */
            size_t a_rows = ta ? k : m, a_cols = ta ? m : k, lda = a_cols + 3;
            size_t b_rows = tb ? n : k, b_cols = tb ? k : n, ldb = b_cols + 1;
            size_t ldc = n + 2;
            float *a = sdn_test_alloc(a_rows * lda, 1), *b = sdn_test_alloc(b_rows * ldb, 2);
            float *c = sdn_test_alloc(m * ldc, 3), *c0 = malloc(m * ldc * sizeof *c0);
            float *bias = sdn_test_alloc(n, 1);
            double *prod = malloc(m * n * sizeof *prod);
            sdn_test_fill(a, a_rows * lda, 101 + m, -1, 1);
            sdn_test_fill(b, b_rows * ldb, 103 + n, -1, 1);
            sdn_test_fill(c0, m * ldc, 107 + k, -1, 1);
            sdn_test_fill(bias, n, 109, -1, 1);
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++) {
                    double acc = 0;
                    for (size_t p = 0; p < k; p++)
                        acc += (double)op_at(a, lda, ta, i, p) * op_at(b, ldb, !tb, j, p);
                    prod[i * n + j] = acc;
                }
            for (int ai = 0; ai < 2; ai++)
                for (int bi = 0; bi < 3; bi++)
                    for (int with_bias = 0; with_bias < 2; with_bias++) {
                        float alpha = alphas[ai], beta = betas[bi];
                        const float *bv = with_bias ? bias : NULL;
                        for (size_t i = 0; i < m * ldc; i++)
                            c[i] = beta == 0.0f ? NAN : c0[i];
                        if (public_api)
                            assert_int_equal(sdn_sgemm_bias((sdn_transpose)ta, (sdn_transpose)tb, m,
                                                            n, k, alpha, a, lda, b, ldb, beta, c,
                                                            ldc, bv),
                                             SDN_OK);
                        else
                            sdn_gemm_serial(kt, (sdn_transpose)ta, (sdn_transpose)tb, m, n, k,
                                            alpha, a, lda, b, ldb, beta, c, ldc, bv);
                        for (size_t i = 0; i < m; i++)
                            for (size_t j = 0; j < ldc; j++) {
                                float got = c[i * ldc + j];
                                double want;
                                int ok;
                                if (j < n) {
                                    want = alpha * prod[i * n + j] + (bv ? bv[j] : 0.0) +
                                           (beta == 0.0f ? 0.0 : beta * (double)c0[i * ldc + j]);
                                    ok = fabs(got - want) <= sdn_test_dot_tol(k);
                                } else {
                                    want = beta == 0.0f ? NAN : c0[i * ldc + j];
                                    ok = beta == 0.0f ? isnan(got) : got == want;
                                }
                                if (!ok)
                                    fail_msg("%s %s %zux%zux%zu %c%c alpha=%g beta=%g bias=%d: "
                                             "C[%zu][%zu] = %.9g, expected %.9g",
                                             sdn_isa_name(kt->isa),
                                             public_api ? "sdn_sgemm" : "driver", m, n, k,
                                             ta ? 'T' : 'N', tb ? 'T' : 'N', alpha, beta, with_bias,
                                             i, j, got, want);
                            }
                    }
            sdn_test_free(a), sdn_test_free(b), sdn_test_free(c), sdn_test_free(bias);
            free(c0), free(prod);
        }
}

static void test_driver(void **state)
{
    const sdn_kernels *kt = sdn_test_kernels(state);
    const size_t mr = kt->gemm.mr, nr = kt->gemm.nr;
    /* Small blocks so every KC, MC and NC edge (and a thin last block) is crossed cheaply. */
    sdn_gemm_set_blocks(16, 2 * mr, 2 * nr);
    const shape small[] = {{1, 1, 1},
                           {mr, nr, 4},
                           {mr + 1, nr + 1, 5},
                           {2 * mr + 3, 3 * nr - 1, 37},
                           {5 * mr - 1, 4 * nr + 3, 50},
                           /* narrow C: the small-matrix path that reads A and B in place */
                           {4 * mr + 1, 3, 29},
                           {3 * mr, 2 * nr - 5, 41},
                           /* C wider than 8 panels: both operands packed */
                           {2 * mr + 3, 8 * nr + 5, 23}};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        check_driver_shape(kt, small[i], 0);
    /* The derived blocks (k above one default KC). */
    sdn_gemm_set_blocks(0, 0, 0);
    check_driver_shape(kt, (shape){2 * mr + 1, nr + 3, 1031}, 0);
    check_driver_shape(kt, (shape){7 * mr + 5, 10, 300}, 0);
    /* A packed into MR-row panels where 32 rows round up to more MR rows than NR rows (the
     * buffer also holds NR-row panels of a transposed A), in buffers of this product's size */
    sdn_gemm_free_pack_buffers();
    check_driver_shape(kt, (shape){32, 9 * nr, 100}, 0);
    /* Transposed A with rows over 1024 floats apart: packed, or read in place by a big tile. */
    check_driver_shape(kt, (shape){1100, 10, 20}, 0);
}

/* The active ISA through the public entry (threaded when it pays). */
static void test_sgemm_public(void **state)
{
    (void)state;
    check_driver_shape(sdn_kernels_active(), (shape){37, 29, 23}, 1);
}

/* k == 0 or alpha == 0: C = beta·C + bias, A and B unread; beta == 0 clears NaN. */
static void test_sgemm_no_product(void **state)
{
    (void)state;
    float c[6] = {NAN, NAN, NAN, 2, 4, 6}, bias[3] = {1, 2, 3};
    assert_int_equal(sdn_sgemm_bias(SDN_NO_TRANS, SDN_NO_TRANS, 1, 3, 0, 1.0f, NULL, 0, NULL, 3,
                                    0.0f, c, 3, bias),
                     SDN_OK);
    assert_true(c[0] == 1 && c[1] == 2 && c[2] == 3);
    assert_int_equal(
        sdn_sgemm(SDN_NO_TRANS, SDN_NO_TRANS, 1, 3, 2, 0.0f, c, 2, c, 3, 0.5f, c + 3, 3), SDN_OK);
    assert_true(c[3] == 1 && c[4] == 2 && c[5] == 3);
    assert_int_equal(
        sdn_sgemm(SDN_NO_TRANS, SDN_NO_TRANS, 0, 3, 2, 1.0f, NULL, 2, NULL, 3, 0.0f, NULL, 3),
        SDN_OK);
}

static void expect_invalid(sdn_status st, const char *what)
{
    if (st != SDN_ERR_INVALID_ARG)
        fail_msg("%s: got status %d, expected invalid argument", what, (int)st);
    if (!*sdn_last_error())
        fail_msg("%s: no error message", what);
}

static void test_sgemm_args(void **state)
{
    (void)state;
    float a[64] = {0}, b[64] = {0}, c[64] = {0};
    const sdn_transpose N = SDN_NO_TRANS, T = SDN_TRANS;
    expect_invalid(sdn_sgemm((sdn_transpose)2, N, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2), "bad trans_a");
    expect_invalid(sdn_sgemm(N, (sdn_transpose)-1, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2), "bad trans_b");
    expect_invalid(sdn_sgemm(N, N, 2, 3, 4, 1, a, 3, b, 3, 0, c, 3), "lda < k");
    expect_invalid(sdn_sgemm(T, N, 5, 3, 4, 1, a, 4, b, 3, 0, c, 3), "lda < m (A transposed)");
    expect_invalid(sdn_sgemm(N, N, 2, 3, 4, 1, a, 4, b, 2, 0, c, 3), "ldb < n");
    expect_invalid(sdn_sgemm(N, T, 2, 3, 4, 1, a, 4, b, 3, 0, c, 3), "ldb < k (B transposed)");
    expect_invalid(sdn_sgemm(N, N, 2, 3, 4, 1, a, 4, b, 3, 0, c, 2), "ldc < n");
    expect_invalid(sdn_sgemm(N, N, 2, 3, 4, 1, NULL, 4, b, 3, 0, c, 3), "A NULL");
    expect_invalid(sdn_sgemm(N, N, 2, 3, 4, 1, a, 4, NULL, 3, 0, c, 3), "B NULL");
    expect_invalid(sdn_sgemm(N, N, 2, 3, 4, 1, a, 4, b, 3, 0, NULL, 3), "C NULL");
    assert_int_equal(sdn_sgemm(N, T, 2, 3, 4, 1, a, 4, b, 4, 0, c, 3), SDN_OK);
}

/* The public entry on 1 and 2 threads: bitwise the same, on shapes large enough to split either
 * way (over M, and over N), and one deep enough for the deep-k KC. */
static void test_thread_invariance(void **state)
{
    (void)state;
    if (!sdn_test_threads_start()) {
        print_message("[  SKIP    ] threads do not start on this host (qemu-user?)\n");
        skip();
    }
    const shape shapes[] = {
        {301, 67, 200}, {40, 333, 150}, {64, 100, 700}, {3000, 10, 100}, {50, 70, 1030}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b);
        float *c1 = malloc(m * n * sizeof *c1), *c2 = malloc(m * n * sizeof *c2);
        float bias[400];
        sdn_test_fill(a, m * k, 5, -1, 1);
        sdn_test_fill(b, k * n, 6, -1, 1);
        sdn_test_fill(bias, n, 7, -1, 1);
        for (int t = 0; t < 4; t++) {
            sdn_transpose ta = (sdn_transpose)(t >> 1), tb = (sdn_transpose)(t & 1);
            size_t lda = ta ? m : k, ldb = tb ? k : n;
            /* alpha = 1 lets the small-matrix paths run where the shape allows. */
            float alpha = t % 2 ? 0.7f : 1.0f;
            sdn_set_num_threads(1);
            assert_int_equal(
                sdn_sgemm_bias(ta, tb, m, n, k, alpha, a, lda, b, ldb, 0.0f, c1, n, bias), SDN_OK);
            sdn_set_num_threads(2);
            assert_int_equal(
                sdn_sgemm_bias(ta, tb, m, n, k, alpha, a, lda, b, ldb, 0.0f, c2, n, bias), SDN_OK);
            for (size_t i = 0; i < m * n; i++)
                if (memcmp(&c1[i], &c2[i], sizeof(float)) != 0)
                    fail_msg("%zux%zux%zu %c%c: C[%zu][%zu] is %.9g on 1 thread, %.9g on 2", m, n,
                             k, ta ? 'T' : 'N', tb ? 'T' : 'N', i / n, i % n, c1[i], c2[i]);
        }
        sdn_set_num_threads(0);
        free(a), free(b), free(c1), free(c2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_driver),           cmocka_unit_test(test_sgemm_public),
        cmocka_unit_test(test_sgemm_no_product),  cmocka_unit_test(test_sgemm_args),
        cmocka_unit_test(test_thread_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
