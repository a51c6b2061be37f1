/* Same bits on every ISA: each kernel of every ISA this CPU runs gives the reference's bytes, not
 * just close values. The GEMM on shapes that reach every path of the driver (in place and packed,
 * the widened and column tiles, edges, several KC blocks, transposes, alpha, beta, bias) and with
 * other cache figures (MC, NC) than the CPU's; the reductions on every length 1..200; the
 * elementwise kernels, softmax and the optimizer steps on odd lengths and shapes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detmath.h"
#include "gemm/gemm.h"
#include "testutil.h"

#ifdef _WIN32
/* The oracle: msvcrt.dll's pow is off by 1e-14 where detmath's is right to 1e-16 (0.999^1122);
 * MinGW-w64's long double powl is not. */
#define pow(x, y) ((double)powl((x), (y)))
#endif

static int same_bytes(const float *a, const float *b, size_t n, size_t *at)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(a + i, b + i, sizeof *a)) {
            *at = i;
            return 0;
        }
    return 1;
}

#define ASSERT_SAME(what, k, got, want, n, ...)                                                    \
    do {                                                                                           \
        size_t at_;                                                                                \
        if (!same_bytes(got, want, n, &at_))                                                       \
            fail_msg("%s [%s] " what ": element %zu is %.9g, the reference's %.9g", __func__,      \
                     sdn_isa_name((k)->isa), __VA_ARGS__, at_, (double)(got)[at_],                 \
                     (double)(want)[at_]);                                                         \
    } while (0)

/* The test's ISA, compared with the reference (the reference itself has nothing to compare). */
static const sdn_kernels *other_isa(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    if (k->isa == SDN_ISA_REF)
        skip();
    return k;
}

/* ------------------------------------------------------------------ GEMM */

typedef struct shape {
    size_t m, n, k;
} shape;

/* The exercise's products at batch 32 and 128 and a thread's share of them, their edges, and
 * products deep enough for several KC blocks. */
static const shape shapes[] = {
    {32, 100, 100},  {16, 100, 100}, {8, 100, 100},   {128, 100, 100}, {32, 100, 3072},
    {32, 3072, 100}, {100, 100, 32}, {100, 100, 128}, {32, 10, 100},   {100, 10, 32},
    {1, 1, 1},       {3, 5, 7},      {13, 17, 33},    {33, 36, 100},   {64, 130, 513},
    {200, 40, 1100}, {7, 100, 1025}, {12, 36, 8},     {25, 4, 60},     {129, 100, 16},
};

static void gemm_case(const sdn_kernels *k, const sdn_kernels *ref, const shape *s, int ta, int tb,
                      float alpha, float beta, int with_bias)
{
    const size_t lda = ta ? s->m + 3 : s->k + 1, ldb = tb ? s->k + 2 : s->n + 5, ldc = s->n + 1;
    const size_t a_len = (ta ? s->k : s->m) * lda, b_len = (tb ? s->n : s->k) * ldb;
    float *a = malloc(a_len * sizeof *a), *b = malloc(b_len * sizeof *b);
    float *c0 = malloc(s->m * ldc * sizeof *c0), *c1 = malloc(s->m * ldc * sizeof *c1);
    float *bias = malloc(s->n * sizeof *bias);
    sdn_test_fill(a, a_len, 1 + s->m, -1, 1);
    sdn_test_fill(b, b_len, 2 + s->n, -1, 1);
    sdn_test_fill(c0, s->m * ldc, 3 + s->k, -1, 1);
    memcpy(c1, c0, s->m * ldc * sizeof *c0);
    sdn_test_fill(bias, s->n, 4, -1, 1);
    const float *bp = with_bias ? bias : NULL;
    sdn_gemm_serial(ref, ta, tb, s->m, s->n, s->k, alpha, a, lda, b, ldb, beta, c0, ldc, bp);
    sdn_gemm_serial(k, ta, tb, s->m, s->n, s->k, alpha, a, lda, b, ldb, beta, c1, ldc, bp);
    ASSERT_SAME("%zux%zux%zu %c%c alpha %g beta %g bias %d", k, c1, c0, s->m * ldc, s->m, s->n,
                s->k, ta ? 'T' : 'N', tb ? 'T' : 'N', alpha, beta, with_bias);
    free(a), free(b), free(c0), free(c1), free(bias);
}

static void test_gemm_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int t = 0; t < 4; t++) {
            gemm_case(k, ref, &shapes[i], t & 1, t >> 1, 1.0f, 0.0f, 1);
            gemm_case(k, ref, &shapes[i], t & 1, t >> 1, 1.0f, 1.0f, 0);
            gemm_case(k, ref, &shapes[i], t & 1, t >> 1, 0.7f, 0.5f, 1);
        }
}

/* MC and NC follow the caches; they move rows and columns between blocks, never a bit. */
static void test_gemm_blocks_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    static const shape big[] = {{200, 300, 1100}, {100, 100, 3072}, {333, 129, 100}};
    static const size_t mc_nc[][2] = {{0, 0}, {24, 64}, {48, 96}};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        for (size_t b = 0; b < 3; b++) {
            sdn_gemm_set_blocks(0, mc_nc[b][0], mc_nc[b][1]);
            for (int t = 0; t < 4; t++)
                gemm_case(k, ref, &big[i], t & 1, t >> 1, 1.0f, 0.0f, 1);
        }
    sdn_gemm_set_blocks(0, 0, 0);
}

/* ------------------------------------------------------------------ reductions */

static void test_sumsq_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    float *x = sdn_test_alloc(4096, 1);
    sdn_test_fill(x, 4096, 7, -3, 3);
    for (size_t n = 0; n <= 200; n++) {
        double got = k->sumsq(n, x), want = ref->sumsq(n, x);
        if (memcmp(&got, &want, sizeof got))
            fail_msg("sumsq [%s] n=%zu: %.17g, the reference's %.17g", sdn_isa_name(k->isa), n, got,
                     want);
    }
    double got = k->sumsq(4096, x), want = ref->sumsq(4096, x);
    assert_memory_equal(&got, &want, sizeof got);
    sdn_test_free(x);
}

/* Rows of every length 1..200 (short rows one per lane, long ones summed in vec/vsum.h's order),
 * in batches of 1..37 rows (partial blocks of rows on every ISA). */
static void test_softmax_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    enum { MAXN = 37 * 200 };
    float *x = sdn_test_alloc(MAXN, 0), *y0 = sdn_test_alloc(MAXN, 0),
          *y1 = sdn_test_alloc(MAXN, 0);
    float *d0 = sdn_test_alloc(MAXN, 0), *d1 = sdn_test_alloc(MAXN, 0);
    float *l0 = sdn_test_alloc(37, 0), *l1 = sdn_test_alloc(37, 0);
    int32_t labels[37];
    sdn_test_fill(x, MAXN, 11, -8, 8);
    static const size_t row_counts[] = {1, 2, 3, 5, 8, 15, 16, 17, 31, 37};
    for (size_t cols = 1; cols <= 200; cols++) {
        for (size_t r = 0; r < 37; r++)
            labels[r] = (int32_t)((r * 7) % cols);
        for (size_t ri = 0; ri < sizeof row_counts / sizeof row_counts[0]; ri++) {
            const size_t rows = row_counts[ri], n = rows * cols;
            ref->softmax(rows, cols, x, y0);
            k->softmax(rows, cols, x, y1);
            ASSERT_SAME("softmax %zux%zu", k, y1, y0, n, rows, cols);
            ref->softmax_xent(rows, cols, x, labels, 0.25f, y0, d0, l0);
            k->softmax_xent(rows, cols, x, labels, 0.25f, y1, d1, l1);
            ASSERT_SAME("xent probs %zux%zu", k, y1, y0, n, rows, cols);
            ASSERT_SAME("xent dlogits %zux%zu", k, d1, d0, n, rows, cols);
            ASSERT_SAME("xent loss %zux%zu", k, l1, l0, rows, rows, cols);
        }
    }
    sdn_test_free(x), sdn_test_free(y0), sdn_test_free(y1), sdn_test_free(d0);
    sdn_test_free(d1), sdn_test_free(l0), sdn_test_free(l1);
}

/* Batch-norm statistics and its backward reductions (sums down the rows, columns in the lanes):
 * every row count 1..200 on a few widths, every width 1..200 on a few row counts. */
static void test_batch_norm_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    enum { R = 200, C = 200 };
    float *x = sdn_test_alloc(R * C, 0), *dy = sdn_test_alloc(R * C, 1);
    float *mean = sdn_test_alloc(C, 0), *inv = sdn_test_alloc(C, 0), *g = sdn_test_alloc(C, 0);
    float *bt = sdn_test_alloc(C, 0), *s0 = sdn_test_alloc(C, 0), *s1 = sdn_test_alloc(C, 0);
    float *t0 = sdn_test_alloc(C, 0), *t1 = sdn_test_alloc(C, 0);
    float *xh0 = sdn_test_alloc(R * C, 0), *xh1 = sdn_test_alloc(R * C, 0);
    float *y0 = sdn_test_alloc(R * C, 0), *y1 = sdn_test_alloc(R * C, 0);
    sdn_test_fill(x, R * C, 21, -2, 3);
    sdn_test_fill(dy, R * C, 22, -1, 1);
    sdn_test_fill(mean, C, 23, -1, 1);
    sdn_test_fill(inv, C, 24, 0.5f, 2);
    sdn_test_fill(g, C, 25, 0.5f, 1.5f);
    sdn_test_fill(bt, C, 26, -0.5f, 0.5f);
    for (size_t shape = 0; shape < 2 * 200 * 6; shape++) {
        static const size_t few[] = {1, 7, 16, 17, 33, 100};
        const size_t along = shape / 6 % 200 + 1, other = few[shape % 6];
        const size_t rows = shape < 1200 ? along : other, cols = shape < 1200 ? other : along;
        memset(s0, 0, C * sizeof *s0), memset(s1, 0, C * sizeof *s1);
        ref->colsum(rows, cols, x, s0);
        k->colsum(rows, cols, x, s1);
        ASSERT_SAME("colsum %zux%zu", k, s1, s0, cols, rows, cols);
        memset(s0, 0, C * sizeof *s0), memset(s1, 0, C * sizeof *s1);
        ref->colsumsq_dev(rows, cols, x, mean, s0);
        k->colsumsq_dev(rows, cols, x, mean, s1);
        ASSERT_SAME("colsumsq_dev %zux%zu", k, s1, s0, cols, rows, cols);
        ref->bn_forward(rows, cols, x, mean, inv, g, bt, xh0, y0);
        k->bn_forward(rows, cols, x, mean, inv, g, bt, xh1, y1);
        ASSERT_SAME("bn_forward xhat %zux%zu", k, xh1, xh0, rows * cols, rows, cols);
        ASSERT_SAME("bn_forward y %zux%zu", k, y1, y0, rows * cols, rows, cols);
        memset(s0, 0, C * sizeof *s0), memset(s1, 0, C * sizeof *s1);
        memset(t0, 0, C * sizeof *t0), memset(t1, 0, C * sizeof *t1);
        ref->bn_backward_reduce(rows, cols, dy, xh0, s0, t0);
        k->bn_backward_reduce(rows, cols, dy, xh0, s1, t1);
        ASSERT_SAME("bn_backward_reduce dy %zux%zu", k, s1, s0, cols, rows, cols);
        ASSERT_SAME("bn_backward_reduce dy·xhat %zux%zu", k, t1, t0, cols, rows, cols);
        ref->bn_backward_dx(rows, cols, dy, xh0, g, inv, s0, t0, y0);
        k->bn_backward_dx(rows, cols, dy, xh0, g, inv, s0, t0, y1);
        ASSERT_SAME("bn_backward_dx %zux%zu", k, y1, y0, rows * cols, rows, cols);
    }
    float *all[] = {x, dy, mean, inv, g, bt, s0, s1, t0, t1, xh0, xh1, y0, y1};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sdn_test_free(all[i]);
}

/* ------------------------------------------------------------------ elementwise */

enum { EW_N = 1003 };
static const size_t ew_lengths[] = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1003};

static void test_activations_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    float *x = sdn_test_alloc(EW_N, 0), *dy = sdn_test_alloc(EW_N, 0);
    float *y0 = sdn_test_alloc(EW_N, 0), *y1 = sdn_test_alloc(EW_N, 0);
    float *d0 = sdn_test_alloc(EW_N, 0), *d1 = sdn_test_alloc(EW_N, 0);
    sdn_test_fill(x, EW_N, 31, -20, 20);
    sdn_test_fill(dy, EW_N, 32, -1, 1);
    static const float alphas[SDN_ACT_COUNT] = {[SDN_ACT_ELU] = 1.0f, [SDN_ACT_LEAKY_RELU] = 0.3f};
    for (int a = 0; a < SDN_ACT_COUNT; a++) {
        if (!ref->act[a])
            continue;
        for (size_t li = 0; li < sizeof ew_lengths / sizeof ew_lengths[0]; li++) {
            const size_t n = ew_lengths[li];
            ref->act[a](n, x, y0, alphas[a]);
            k->act[a](n, x, y1, alphas[a]);
            ASSERT_SAME("act %d n=%zu", k, y1, y0, n, a, n);
            ref->act_grad[a](n, x, y0, dy, d0, alphas[a]);
            k->act_grad[a](n, x, y0, dy, d1, alphas[a]);
            ASSERT_SAME("act_grad %d n=%zu", k, d1, d0, n, a, n);
        }
    }
    sdn_test_free(x), sdn_test_free(dy), sdn_test_free(y0), sdn_test_free(y1);
    sdn_test_free(d0), sdn_test_free(d1);
}

static void test_elementwise_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    float *x = sdn_test_alloc(EW_N, 0), *y0 = sdn_test_alloc(EW_N, 0),
          *y1 = sdn_test_alloc(EW_N, 0);
    float *scale = sdn_test_alloc(EW_N, 0), *shift = sdn_test_alloc(EW_N, 0);
    uint8_t keep[EW_N], bytes[EW_N];
    sdn_test_fill(x, EW_N, 41, -3, 3);
    sdn_test_fill(scale, EW_N, 42, 0.001f, 0.02f);
    sdn_test_fill(shift, EW_N, 43, -2, 2);
    for (size_t i = 0; i < EW_N; i++)
        keep[i] = (uint8_t)((i * 2654435761u >> 7) % 10 != 0), bytes[i] = (uint8_t)(i * 37);
    for (size_t li = 0; li < sizeof ew_lengths / sizeof ew_lengths[0]; li++) {
        const size_t n = ew_lengths[li];
        ref->dropout(n, x, keep, 1.3f, -0.2f, -1.7f, y0);
        k->dropout(n, x, keep, 1.3f, -0.2f, -1.7f, y1);
        ASSERT_SAME("dropout n=%zu", k, y1, y0, n, n);
        ref->dropout_grad(n, x, keep, 1.3f, y0);
        k->dropout_grad(n, x, keep, 1.3f, y1);
        ASSERT_SAME("dropout_grad n=%zu", k, y1, y0, n, n);
        memcpy(y0, x, n * sizeof *x), memcpy(y1, x, n * sizeof *x);
        ref->scale(n, y0, 0.37f);
        k->scale(n, y1, 0.37f);
        ASSERT_SAME("scale n=%zu", k, y1, y0, n, n);
        ref->u8_affine(n, bytes, scale, shift, y0);
        k->u8_affine(n, bytes, scale, shift, y1);
        ASSERT_SAME("u8_affine n=%zu", k, y1, y0, n, n);
    }
    sdn_test_free(x), sdn_test_free(y0), sdn_test_free(y1), sdn_test_free(scale);
    sdn_test_free(shift);
}

/* Three steps of each optimizer, with L1 and L2, from the same state. */
static void test_optimizers_same_bits(void **state)
{
    const sdn_kernels *k = other_isa(state), *ref = sdn_test_ref();
    enum { N = 1003, SLOTS = 6 };
    float *buf[2][SLOTS];
    for (int s = 0; s < 2; s++)
        for (int j = 0; j < SLOTS; j++)
            buf[s][j] = sdn_test_alloc(N, (size_t)j % 4);
    for (int opt = 0; opt < 4; opt++)
        for (size_t li = 0; li < sizeof ew_lengths / sizeof ew_lengths[0]; li++) {
            const size_t n = ew_lengths[li];
            for (int s = 0; s < 2; s++) {
                sdn_test_fill(buf[s][0], N, 51, -1, 1);       /* w */
                sdn_test_fill(buf[s][1], N, 52, -0.1f, 0.1f); /* g */
                sdn_test_fill(buf[s][2], N, 53, -0.01f, 0.01f);
                sdn_test_fill(buf[s][3], N, 54, 0, 0.001f);
            }
            sdn_optim_scalars sc = {.lr = 1e-3f,
                                    .l1 = 1e-4f,
                                    .l2 = 1e-3f,
                                    .momentum = 0.9f,
                                    .nesterov = opt == 1,
                                    .beta1 = 0.9f,
                                    .beta2 = 0.999f,
                                    .c_m = 1.7f,
                                    .c_g = 0.3f,
                                    .c_v = 1.3f,
                                    .rho = 0.9f,
                                    .eps = 1e-7f};
            for (int step = 0; step < 3; step++)
                for (int s = 0; s < 2; s++) {
                    const sdn_kernels *kk = s ? k : ref;
                    float **b = buf[s];
                    if (opt < 2)
                        kk->sgd(n, b[0], b[1], b[2], &sc);
                    else if (opt == 2)
                        kk->adam(n, b[0], b[1], b[2], b[3], &sc);
                    else
                        kk->rmsprop(n, b[0], b[1], b[3], &sc);
                }
            for (int j = 0; j < 4; j++)
                ASSERT_SAME("optimizer %d slot %d n=%zu", k, buf[1][j], buf[0][j], n, opt, j, n);
        }
    for (int s = 0; s < 2; s++)
        for (int j = 0; j < SLOTS; j++)
            sdn_test_free(buf[s][j]);
}

/* ------------------------------------------------------------------ detmath.h */

static void check_rel(const char *what, double x, double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fabs(want)))
        fail_msg("%s(%.17g) = %.17g, libm %.17g (relative error %.3g > %.3g)", what, x, got, want,
                 fabs(got - want) / fabs(want), tol);
}

/* Within a few ulp of libm over the ranges the library uses; the special values exactly. */
static void test_detmath_accuracy(void **state)
{
    (void)state;
    const double tol = 8e-16;
    for (int i = 0; i <= 20000; i++) {
        const double x = -745.0 + 1454.0 * i / 20000.0;
        check_rel("exp", x, sdn_det_exp(x), exp(x), x < -700 ? 1e-13 : tol);
        const double u = ldexp(1.0 + i / 20000.0, i % 200 - 150); /* 2^-150 .. 2^50 */
        check_rel("log", u, sdn_det_log(u), log(u), tol);
        const double t = i / 20000.0; /* the Box-Muller turn, [0, 1] */
        /* absolute: near a zero libm's cos(fl(2πt)) carries 2πt's rounding, the turn does not */
        const double c = cos(6.283185307179586 * t);
        if (!(fabs(sdn_det_cos_turns(t) - c) <= 1e-15))
            fail_msg("cos_turns(%.17g) = %.17g, libm %.17g", t, sdn_det_cos_turns(t), c);
        check_rel("pow", t, sdn_det_pow(0.999, 1.0 + 1e4 * t), pow(0.999, 1.0 + 1e4 * t), 1e-14);
    }
    for (uint32_t bits = 0x00000001; bits < 0x7f800000; bits += 0x3f1d) { /* every binade */
        float x;
        memcpy(&x, &bits, sizeof x);
        if (sdn_test_ulp_diff(sdn_logf(x), log((double)x)) > 1.0)
            fail_msg("logf(%.9g) = %.9g, exact %.17g: more than 1 ulp", x, sdn_logf(x),
                     log((double)x));
    }
    assert_true(sdn_det_exp(0.0) == 1.0 && sdn_det_log(1.0) == 0.0 && sdn_det_pow(0.9, 0) == 1.0);
    assert_true(isinf(sdn_det_exp(710.0)) && sdn_det_exp(-746.0) == 0.0);
    assert_true(isnan(sdn_det_exp(NAN)) && isnan(sdn_det_log(-1.0)) && isnan(sdn_det_log(NAN)));
    assert_true(isinf(sdn_det_log(0.0)) && sdn_det_log(0.0) < 0 && isinf(sdn_det_log(INFINITY)));
    assert_true(sdn_det_cos_turns(0.0) == 1.0 && sdn_det_cos_turns(0.5) == -1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_gemm_same_bits),
        SDN_TEST_EACH_ISA(test_gemm_blocks_same_bits),
        SDN_TEST_EACH_ISA(test_sumsq_same_bits),
        SDN_TEST_EACH_ISA(test_softmax_same_bits),
        SDN_TEST_EACH_ISA(test_batch_norm_same_bits),
        SDN_TEST_EACH_ISA(test_activations_same_bits),
        SDN_TEST_EACH_ISA(test_elementwise_same_bits),
        SDN_TEST_EACH_ISA(test_optimizers_same_bits),
        cmocka_unit_test(test_detmath_accuracy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
