/* Batch-normalization kernels on every ISA this CPU runs, against double precision: column
 * reductions (which add into their outputs), normalize-scale-shift (xhat NULL, in place) and the
 * backward dx (in place), over column counts around every vector width and unaligned buffers; the
 * kernels fused with a ReLU bitwise against the unfused pair and the reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define EPS (1.0 / 16777216.0)

static const size_t col_list[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100};
static const size_t row_list[] = {1, 3, 17, 64};
#define FOR_SHAPES                                                                                 \
    for (size_t ci = 0; ci < sizeof col_list / sizeof col_list[0]; ci++)                           \
        for (size_t ri = 0; ri < sizeof row_list / sizeof row_list[0]; ri++)

/* |got − want| ≤ 4 ulp of want + rows·2^-23·(Σ|terms|): float summation of `rows` terms. */
static void check_sum(const char *what, sdn_isa isa, size_t rows, size_t cols, const float *got,
                      const double *want, const double *abs_terms)
{
    for (size_t j = 0; j < cols; j++) {
        double tol = 8 * EPS * fabs(want[j]) + (double)rows * 2 * EPS * abs_terms[j];
        if (!(fabs(got[j] - want[j]) <= tol))
            fail_msg("%s [%s] %zux%zu: column %zu is %.9g, expected %.12g", what, sdn_isa_name(isa),
                     rows, cols, j, got[j], want[j]);
    }
}

static void test_bn_reductions(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    FOR_SHAPES
    {
        size_t rows = row_list[ri], cols = col_list[ci], n = rows * cols, off = (ci + ri) % 4;
        float *x = sdn_test_alloc(n, off), *dy = sdn_test_alloc(n, (off + 1) % 4);
        float *mean = sdn_test_alloc(cols, (off + 2) % 4), *s1 = sdn_test_alloc(cols + 8, 3);
        float *s2 = sdn_test_alloc(cols + 8, 1);
        double *w1 = malloc(cols * sizeof *w1), *w2 = malloc(cols * sizeof *w2);
        double *a1 = malloc(cols * sizeof *a1), *a2 = malloc(cols * sizeof *a2);
        sdn_test_fill(x, n, rows * 100 + cols, -3, 5);
        sdn_test_fill(dy, n, rows * 200 + cols, -1, 1);
        sdn_test_fill(mean, cols, cols, 0, 2);

        /* colsum adds into a non-zero start; the float past the end is untouched. */
        for (size_t j = 0; j < cols + 8; j++)
            s1[j] = j < cols ? 0.5f * (float)j : 777.0f;
        for (size_t j = 0; j < cols; j++) {
            w1[j] = s1[j], a1[j] = fabs(s1[j]);
            for (size_t r = 0; r < rows; r++)
                w1[j] += x[r * cols + j], a1[j] += fabs(x[r * cols + j]);
        }
        k->colsum(rows, cols, x, s1);
        check_sum("colsum", k->isa, rows, cols, s1, w1, a1);
        assert_true(s1[cols] == 777.0f);

        for (size_t j = 0; j < cols + 8; j++)
            s1[j] = j < cols ? 1.0f : 777.0f;
        for (size_t j = 0; j < cols; j++) {
            w1[j] = 1, a1[j] = 1;
            for (size_t r = 0; r < rows; r++) {
                double d = (double)x[r * cols + j] - mean[j];
                w1[j] += d * d, a1[j] += d * d;
            }
        }
        k->colsumsq_dev(rows, cols, x, mean, s1);
        check_sum("colsumsq_dev", k->isa, rows, cols, s1, w1, a1);
        assert_true(s1[cols] == 777.0f);

        /* bn_backward_reduce with x standing in for xhat. */
        for (size_t j = 0; j < cols + 8; j++)
            s1[j] = j < cols ? -1.0f : 777.0f, s2[j] = j < cols ? 2.0f : 777.0f;
        for (size_t j = 0; j < cols; j++) {
            w1[j] = -1, a1[j] = 1, w2[j] = 2, a2[j] = 2;
            for (size_t r = 0; r < rows; r++) {
                double g = dy[r * cols + j], h = x[r * cols + j];
                w1[j] += g, a1[j] += fabs(g), w2[j] += g * h, a2[j] += fabs(g * h);
            }
        }
        k->bn_backward_reduce(rows, cols, dy, x, s1, s2);
        check_sum("bn sum_dy", k->isa, rows, cols, s1, w1, a1);
        check_sum("bn sum_dy_xhat", k->isa, rows, cols, s2, w2, a2);
        assert_true(s1[cols] == 777.0f && s2[cols] == 777.0f);

        sdn_test_free(x), sdn_test_free(dy), sdn_test_free(mean), sdn_test_free(s1);
        sdn_test_free(s2), free(w1), free(w2), free(a1), free(a2);
    }
}

static void test_bn_forward_backward(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    FOR_SHAPES
    {
        size_t rows = row_list[ri], cols = col_list[ci], n = rows * cols, off = (ci + ri) % 4;
        float *x = sdn_test_alloc(n, off), *xh = sdn_test_alloc(n, (off + 1) % 4);
        float *y = sdn_test_alloc(n + 8, (off + 2) % 4), *xi = sdn_test_alloc(n, off);
        float *p =
            sdn_test_alloc(6 * cols, 1); /* mean, inv_std, gamma, beta, mean_dy, mean_dy_xhat */
        float *mean = p, *inv = p + cols, *gamma = p + 2 * cols, *beta = p + 3 * cols;
        float *mdy = p + 4 * cols, *mdx = p + 5 * cols;
        double *wh = malloc(n * sizeof *wh), *wy = malloc(n * sizeof *wy);
        sdn_test_fill(x, n, rows * 7 + cols, -4, 4);
        sdn_test_fill(mean, cols, 1, -1, 1);
        sdn_test_fill(inv, cols, 2, 0.2f, 3);
        sdn_test_fill(gamma, cols, 3, 0.5f, 1.5f);
        sdn_test_fill(beta, cols, 4, -1, 1);
        sdn_test_fill(mdy, cols, 5, -0.1f, 0.1f);
        sdn_test_fill(mdx, cols, 6, -0.1f, 0.1f);
        for (size_t i = n; i < n + 8; i++)
            y[i] = 777.0f;
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < cols; j++) {
                size_t i = r * cols + j;
                wh[i] = ((double)x[i] - mean[j]) * inv[j];
                wy[i] = gamma[j] * wh[i] + beta[j];
            }
        k->bn_forward(rows, cols, x, mean, inv, gamma, beta, xh, y);
        /* xhat: a subtraction and a product; y adds β: tolerance on the terms' magnitudes. */
        for (size_t i = 0; i < n; i++) {
            size_t j = i % cols;
            double th = 4 * EPS * (fabs((double)x[i]) + fabs(mean[j])) * inv[j];
            double ty = gamma[j] * th + 4 * EPS * (fabs(gamma[j] * wh[i]) + fabs(beta[j]));
            if (fabs(xh[i] - wh[i]) > th || fabs(y[i] - wy[i]) > ty)
                fail_msg("bn_forward [%s] %zux%zu at %zu: %g %g vs %g %g", sdn_isa_name(k->isa),
                         rows, cols, i, xh[i], y[i], wh[i], wy[i]);
        }
        assert_true(y[n] == 777.0f);
        memcpy(xi, x, n * sizeof *x);
        k->bn_forward(rows, cols, xi, mean, inv, gamma, beta, NULL, xi); /* in place, no xhat */
        assert_memory_equal(xi, y, n * sizeof *y);

        /* dx from dy (x reused) and xhat, in place on a copy. */
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < cols; j++) {
                size_t i = r * cols + j;
                wy[i] =
                    (double)gamma[j] * inv[j] * ((double)x[i] - mdy[j] - (double)xh[i] * mdx[j]);
            }
        k->bn_backward_dx(rows, cols, x, xh, gamma, inv, mdy, mdx, y);
        for (size_t i = 0; i < n; i++) {
            size_t j = i % cols;
            double t = 6 * EPS * gamma[j] * inv[j] *
                       (fabs((double)x[i]) + fabs(mdy[j]) + fabs((double)xh[i] * mdx[j]));
            if (fabs(y[i] - wy[i]) > t + 1e-30)
                fail_msg("bn_backward_dx [%s] %zux%zu at %zu: %.9g vs %.12g", sdn_isa_name(k->isa),
                         rows, cols, i, y[i], wy[i]);
        }
        memcpy(xi, x, n * sizeof *x);
        k->bn_backward_dx(rows, cols, xi, xh, gamma, inv, mdy, mdx, xi);
        assert_memory_equal(xi, y, n * sizeof *y);

        sdn_test_free(x), sdn_test_free(xh), sdn_test_free(y), sdn_test_free(xi);
        sdn_test_free(p), free(wh), free(wy);
    }
}

/* Parameters that put about half the outputs below zero, and some exactly at 0 (gamma 0, beta 0 in
 * column 0; beta −0 in column 1), where the ReLU and its gradient must cut. */
static void fill_relu_params(float *p, size_t cols)
{
    sdn_test_fill(p, cols, 1, -1, 1);                 /* mean */
    sdn_test_fill(p + cols, cols, 2, 0.2f, 3);        /* inv_std */
    sdn_test_fill(p + 2 * cols, cols, 3, 0.5f, 1.5f); /* gamma */
    sdn_test_fill(p + 3 * cols, cols, 4, -1, 1);      /* beta */
    p[2 * cols] = p[3 * cols] = 0.0f;
    if (cols > 1)
        p[2 * cols + 1] = 0.0f, p[3 * cols + 1] = -0.0f;
}

/* bn_forward_relu: bitwise bn_forward then vrelu of this ISA, and bitwise the reference. */
static void test_bn_forward_relu(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state), *ref = sdn_test_ref();
    FOR_SHAPES
    {
        size_t rows = row_list[ri], cols = col_list[ci], n = rows * cols, off = (ci + ri) % 4;
        float *x = sdn_test_alloc(n, off), *p = sdn_test_alloc(4 * cols, 1);
        float *h0 = sdn_test_alloc(n, (off + 1) % 4), *y0 = sdn_test_alloc(n + 8, 2);
        float *h1 = sdn_test_alloc(n, (off + 3) % 4), *y1 = sdn_test_alloc(n + 8, (off + 2) % 4);
        const float *mean = p, *inv = p + cols, *gamma = p + 2 * cols, *beta = p + 3 * cols;
        sdn_test_fill(x, n, rows * 11 + cols, -4, 4);
        fill_relu_params(p, cols);
        y1[n] = 777.0f;
        k->bn_forward(rows, cols, x, mean, inv, gamma, beta, h0, y0);
        k->act[SDN_ACT_RELU](n, y0, y0, 0.0f);
        k->bn_forward_relu(rows, cols, x, mean, inv, gamma, beta, h1, y1);
        assert_memory_equal(h1, h0, n * sizeof *h0);
        assert_memory_equal(y1, y0, n * sizeof *y0);
        assert_true(y1[n] == 777.0f);
        ref->bn_forward_relu(rows, cols, x, mean, inv, gamma, beta, NULL, y0); /* no xhat */
        assert_memory_equal(y1, y0, n * sizeof *y0);
        sdn_test_free(x), sdn_test_free(p), sdn_test_free(h0), sdn_test_free(y0);
        sdn_test_free(h1), sdn_test_free(y1);
    }
}

/* bn_backward_reduce_relu: the masked dy and both sums bitwise vrelu_grad (on the pre-ReLU values)
 * then bn_backward_reduce of this ISA, adding into non-zero sums; and bitwise the reference. */
static void test_bn_backward_reduce_relu(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state), *ref = sdn_test_ref();
    FOR_SHAPES
    {
        size_t rows = row_list[ri], cols = col_list[ci], n = rows * cols, off = (ci + ri) % 4;
        float *x = sdn_test_alloc(n, off), *p = sdn_test_alloc(4 * cols, 1);
        float *h = sdn_test_alloc(n, 1), *z = sdn_test_alloc(n, 2), *y = sdn_test_alloc(n, 3);
        float *g0 = sdn_test_alloc(n, (off + 1) % 4), *g1 = sdn_test_alloc(n, (off + 2) % 4);
        float *s = sdn_test_alloc(4 * cols + 8, 1);
        sdn_test_fill(x, n, rows * 13 + cols, -4, 4);
        sdn_test_fill(g0, n, rows * 17 + cols, -1, 1);
        fill_relu_params(p, cols);
        memcpy(g1, g0, n * sizeof *g0);
        k->bn_forward(rows, cols, x, p, p + cols, p + 2 * cols, p + 3 * cols, h, z);
        k->act[SDN_ACT_RELU](n, z, y, 0.0f);
        for (size_t j = 0; j < 4 * cols + 8; j++)
            s[j] = j < 4 * cols ? 0.25f * (float)(j % cols) - 1.0f : 777.0f;
        k->act_grad[SDN_ACT_RELU](n, z, y, g0, g0, 0.0f);
        k->bn_backward_reduce(rows, cols, g0, h, s, s + cols);
        k->bn_backward_reduce_relu(rows, cols, g1, y, h, s + 2 * cols, s + 3 * cols);
        assert_memory_equal(g1, g0, n * sizeof *g0);
        assert_memory_equal(s + 2 * cols, s, 2 * cols * sizeof *s);
        assert_true(s[4 * cols] == 777.0f);
        sdn_test_fill(g1, n, rows * 17 + cols, -1, 1);
        for (size_t j = 2 * cols; j < 4 * cols; j++)
            s[j] = 0.25f * (float)(j % cols) - 1.0f;
        ref->bn_backward_reduce_relu(rows, cols, g1, y, h, s + 2 * cols, s + 3 * cols);
        assert_memory_equal(g1, g0, n * sizeof *g0);
        assert_memory_equal(s + 2 * cols, s, 2 * cols * sizeof *s);
        sdn_test_free(x), sdn_test_free(p), sdn_test_free(h), sdn_test_free(z);
        sdn_test_free(y), sdn_test_free(g0), sdn_test_free(g1), sdn_test_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_bn_reductions),
        SDN_TEST_EACH_ISA(test_bn_forward_backward),
        SDN_TEST_EACH_ISA(test_bn_forward_relu),
        SDN_TEST_EACH_ISA(test_bn_backward_reduce_relu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
