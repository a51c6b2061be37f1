/* The GEMM plan on its own (src/gemm/plan.h): the choices the driver will follow for the
 * workload's shapes, on caches pinned by SIMDNN_CACHE_SIZES (main) so the blocks are the same on
 * every host. Each case prints its plan, as simd/README.md shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/plan.h"
#include "testutil.h"

typedef struct plan_case {
    sdn_isa isa;
    const char *what;
    sdn_transpose ta, tb;
    size_t m, n, k;
    const char *want;
} plan_case;

static const plan_case cases[] = {
    {SDN_ISA_AVX512, "dense forward x·W", SDN_NO_TRANS, SDN_NO_TRANS, 32, 100, 3072,
     "blocked 12x32 kc 512 mc 252 nc 4096 A in place B in place edge wide"},
    {SDN_ISA_AVX512, "dense dX = dZ·Wᵀ", SDN_NO_TRANS, SDN_TRANS, 32, 3072, 100,
     "columns 32x8 kc 100"},
    {SDN_ISA_AVX512, "dense dW = xᵀ·dZ", SDN_TRANS, SDN_NO_TRANS, 3072, 100, 32,
     "blocked 12x32 kc 32 mc 252 nc 4096 A in place B in place edge wide"},
    {SDN_ISA_AVX512, "hidden forward", SDN_NO_TRANS, SDN_NO_TRANS, 128, 100, 100,
     "blocked 12x32 kc 100 mc 252 nc 4096 A in place B in place edge wide"},
    {SDN_ISA_AVX512, "output layer", SDN_NO_TRANS, SDN_NO_TRANS, 16, 10, 100,
     "blocked 12x32 kc 100 mc 252 nc 4096 A in place B in place edge tile"},
    {SDN_ISA_AVX512, "6 columns past 2 panels", SDN_TRANS, SDN_NO_TRANS, 200, 70, 64,
     "blocked 12x32 kc 64 mc 252 nc 4096 A in place B in place edge columns"},
    {SDN_ISA_AVX512, "square", SDN_NO_TRANS, SDN_NO_TRANS, 2048, 2048, 2048,
     "blocked 12x32 kc 512 mc 252 nc 4096 A packed B packed edge none prefetch C"},
    {SDN_ISA_AVX512, "deep sum", SDN_NO_TRANS, SDN_NO_TRANS, 64, 64, 1100,
     "blocked 12x32 kc 368 mc 252 nc 4096 A in place B in place edge none"},
    {SDN_ISA_AVX2, "dense dW = xᵀ·dZ", SDN_TRANS, SDN_NO_TRANS, 3072, 100, 32,
     "blocked 6x16 kc 32 mc 126 nc 4096 A packed B in place edge wide"},
    {SDN_ISA_AVX2, "dense dX = dZ·Wᵀ", SDN_NO_TRANS, SDN_TRANS, 32, 3072, 100,
     "blocked 6x16 kc 100 mc 126 nc 4096 A packed B packed edge none"},
    {SDN_ISA_REF, "hidden forward", SDN_NO_TRANS, SDN_NO_TRANS, 128, 100, 100,
     "blocked 4x8 kc 100 mc 64 nc 4096 A packed B packed edge tile"},
    {SDN_ISA_NEON, "hidden forward", SDN_NO_TRANS, SDN_NO_TRANS, 128, 100, 100,
     "blocked 8x12 kc 100 mc 96 nc 4092 A packed B packed edge tile"},
};

static size_t stored_cols(sdn_transpose t, size_t rows, size_t cols)
{
    return t ? rows : cols;
}

static void test_workload_plans(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const plan_case *c = &cases[i];
        const sdn_kernels *k = sdn_kernels_for(c->isa);
        if (!k)
            continue; /* not in this build (x86 tiles on ARM and the reverse) */
        const size_t lda = stored_cols(c->ta, c->m, c->k), ldb = stored_cols(c->tb, c->k, c->n);
        sdn_gemm_plan p = sdn_gemm_plan_make(k, c->ta, c->tb, c->m, c->n, c->k, 1.0f, lda, ldb);
        char got[160];
        sdn_gemm_plan_format(&p, got, sizeof got);
        printf("%-6s %4zux%4zux%4zu %-68s %s\n", sdn_isa_name(c->isa), c->m, c->n, c->k, got,
               c->what);
        if (strcmp(got, c->want))
            fail_msg("%s %s: plan \"%s\", expected \"%s\"", sdn_isa_name(c->isa), c->what, got,
                     c->want);
        checked++;
    }
    assert_true(checked >= 1);
}

/* Alpha other than 1 must be folded into packed A: nothing of A is read in place. */
static void test_alpha_packs_a(void **state)
{
    (void)state;
    const sdn_kernels *k = sdn_kernels_for(SDN_ISA_REF);
    sdn_gemm_plan p = sdn_gemm_plan_make(k, SDN_NO_TRANS, SDN_NO_TRANS, 32, 40, 100, 0.5f, 100, 40);
    assert_int_equal(p.path, SDN_GEMM_BLOCKED);
    assert_false(p.a_in_place);
    assert_true(p.b_in_place);
}

/* No product: k == 0 or alpha == 0 only scale C. */
static void test_scale_only(void **state)
{
    (void)state;
    const sdn_kernels *k = sdn_kernels_for(SDN_ISA_REF);
    assert_int_equal(sdn_gemm_plan_make(k, 0, 0, 8, 8, 0, 1.0f, 1, 8).path, SDN_GEMM_SCALE);
    assert_int_equal(sdn_gemm_plan_make(k, 0, 0, 8, 8, 8, 0.0f, 8, 8).path, SDN_GEMM_SCALE);
}

/* KC blocks depend on k alone: equal depths, a multiple of 4, never above the maximum. */
static void test_kc_blocks(void **state)
{
    (void)state;
    for (size_t k = 1; k < 5000; k += 7) {
        const size_t kc = sdn_gemm_kc_for(k, SDN_GEMM_KC);
        const size_t blocks = (k + kc - 1) / kc;
        assert_true(kc <= SDN_GEMM_KC);
        assert_int_equal(kc % 4, 0);
        assert_int_equal(blocks, (k + SDN_GEMM_KC - 1) / SDN_GEMM_KC);
    }
}

int main(void)
{
    setenv("SIMDNN_CACHE_SIZES", "32K,1M,32M", 1); /* before the first detection */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workload_plans),
        cmocka_unit_test(test_alpha_packs_a),
        cmocka_unit_test(test_scale_only),
        cmocka_unit_test(test_kc_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
