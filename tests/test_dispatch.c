/* Dispatch: the tables are complete for every ISA this CPU runs, names round-trip, and the
 * reference GEMM microkernel matches a double-precision product. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void test_isa_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        assert_int_equal(sdn_isa_from_name(sdn_isa_name((sdn_isa)i)), i);
    assert_int_equal(sdn_isa_from_name("sse9"), SDN_ISA_COUNT);
    assert_int_equal(sdn_isa_from_name(NULL), SDN_ISA_COUNT);
}

static void test_ref_always_runs(void **state)
{
    (void)state;
    assert_int_equal(sdn_dispatch_init(), SDN_OK);
    assert_true(sdn_isa_supported(SDN_ISA_REF));
    assert_non_null(sdn_kernels_for(SDN_ISA_REF));
    assert_true(sdn_isa_supported(sdn_active_isa()));
    assert_false(sdn_isa_supported(SDN_ISA_COUNT));
}

/* Every slot of every runnable table is filled: an ISA inherits what it does not override. */
static void test_table_complete(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    assert_int_equal(k->isa, sdn_test_isa(state));
    assert_non_null(k->gemm.fn);
    assert_true(k->gemm.mr >= 1 && k->gemm.nr >= 1);
    for (int a = 0; a < SDN_ACT_COUNT; a++) {
        if (a == SDN_ACT_LINEAR || a == SDN_ACT_SOFTMAX)
            continue;
        if (!k->act[a] || !k->act_grad[a])
            fail_msg("%s: activation %s has no kernel", sdn_isa_name(k->isa),
                     sdn_activation_name((sdn_activation)a));
    }
    const void *slots[] = {(const void *)k->softmax,        (const void *)k->softmax_xent,
                           (const void *)k->colsum,         (const void *)k->colsumsq_dev,
                           (const void *)k->bn_forward,     (const void *)k->bn_backward_reduce,
                           (const void *)k->bn_backward_dx, (const void *)k->dropout,
                           (const void *)k->dropout_grad,   (const void *)k->sumsq,
                           (const void *)k->scale,          (const void *)k->sgd,
                           (const void *)k->adam,           (const void *)k->rmsprop,
                           (const void *)k->u8_affine};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (!slots[i])
            fail_msg("%s: elementwise slot %zu is empty", sdn_isa_name(k->isa), i);
    if (!k->bn_forward_relu || !k->bn_backward_reduce_relu)
        fail_msg("%s: a batch norm + ReLU slot is empty", sdn_isa_name(k->isa));
}

/* The reference microkernel on every m ≤ MR, n ≤ NR, with beta = 0 over NaN and bias. */
static void test_ref_gemm_ukernel(void **state)
{
    (void)state;
    const sdn_gemm_kernel *g = &sdn_test_ref()->gemm;
    const size_t mr = g->mr, nr = g->nr, kc = 7, ldc = nr + 3;
    float *a = calloc(kc * mr, sizeof *a), *b = calloc(kc * nr, sizeof *b);
    float *c = malloc(mr * ldc * sizeof *c), bias[64];
    double *want = malloc(mr * ldc * sizeof *want);
    sdn_test_fill(a, kc * mr, 1, -1, 1);
    sdn_test_fill(b, kc * nr, 2, -1, 1);
    sdn_test_fill(bias, nr, 3, -1, 1);
    for (size_t m = 1; m <= mr; m++) {
        for (size_t n = 1; n <= nr; n++) {
            for (size_t i = 0; i < mr * ldc; i++)
                c[i] = NAN;
            g->fn(m, n, kc, a, 1, mr, b, nr, c, ldc, 0.0f, bias);
            for (size_t i = 0; i < mr; i++)
                for (size_t j = 0; j < ldc; j++) {
                    double s = NAN;
                    if (i < m && j < n) {
                        s = bias[j];
                        for (size_t p = 0; p < kc; p++)
                            s += (double)a[p * mr + i] * b[p * nr + j];
                    }
                    want[i * ldc + j] = s; /* outside the tile C must keep its NaN */
                }
            sdn_test_assert_close("ref gemm tile", c, want, mr * ldc, 1e-5, 1e-5);
        }
    }
    free(a), free(b), free(c), free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isa_names_round_trip),
        cmocka_unit_test(test_ref_always_runs),
        SDN_TEST_EACH_ISA(test_table_complete),
        cmocka_unit_test(test_ref_gemm_ukernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
