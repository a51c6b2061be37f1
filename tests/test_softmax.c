/* Softmax and fused softmax + cross-entropy kernels on every ISA this CPU runs, against double
 * precision: row lengths around every vector width, unaligned and aliased buffers, NULL outputs,
 * and logits of ±1e4 that must stay finite and exact. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define EPS (1.0 / 16777216.0) /* 2^-24: half an ulp at 1 */

/* Double softmax of one row. */
static void softmax_row_d(size_t cols, const float *x, double *p, double *lse)
{
    double max = -INFINITY, sum = 0;
    for (size_t j = 0; j < cols; j++)
        max = x[j] > max ? x[j] : max;
    for (size_t j = 0; j < cols; j++)
        sum += p[j] = exp((double)x[j] - max);
    for (size_t j = 0; j < cols; j++)
        p[j] /= sum;
    if (lse)
        *lse = max + log(sum);
}

/* ≤ 4 ulp or ≤ 1e-7 absolute. */
static void check_probs(const char *what, sdn_isa isa, size_t rows, size_t cols, const float *got,
                        const double *want)
{
    for (size_t i = 0; i < rows * cols; i++) {
        double u = sdn_test_ulp_diff(got[i], want[i]);
        if (!(u <= 4 || fabs(got[i] - want[i]) <= 1e-7))
            fail_msg("%s [%s] %zux%zu: element %zu is %.9g, expected %.12g (%.1f ulp)", what,
                     sdn_isa_name(isa), rows, cols, i, got[i], want[i], u);
    }
}

static const size_t col_list[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 33, 100, 257};
enum { N_COLS = sizeof col_list / sizeof col_list[0] };

static void test_softmax_shapes(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_COLS; ci++) {
        for (size_t rows = 1; rows <= 17; rows = rows < 5 ? rows + 2 : rows + 12) {
            size_t cols = col_list[ci], n = rows * cols, off = (ci + rows) % 4;
            float *x = sdn_test_alloc(n + 8, off), *y = sdn_test_alloc(n + 8, (off + 1) % 4);
            double *want = malloc(n * sizeof *want);
            sdn_test_fill(x, n, 31 * cols + rows, -8, 8);
            for (size_t i = n; i < n + 8; i++)
                y[i] = 12345.0f;
            for (size_t r = 0; r < rows; r++)
                softmax_row_d(cols, x + r * cols, want + r * cols, NULL);
            k->softmax(rows, cols, x, y);
            check_probs("softmax", k->isa, rows, cols, y, want);
            for (size_t i = n; i < n + 8; i++)
                assert_true(y[i] == 12345.0f);
            k->softmax(rows, cols, x, x); /* in place */
            assert_memory_equal(x, y, n * sizeof *x);
            sdn_test_free(x), sdn_test_free(y), free(want);
        }
    }
}

/* probs, dlogits and the row loss against double, for separate buffers, probs and dlogits both
 * aliasing the logits, probs NULL, row_loss NULL. */
static void test_softmax_xent_shapes(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_COLS; ci++) {
        for (size_t rows = 1; rows <= 33; rows = rows * 4 + 1) {
            size_t cols = col_list[ci], n = rows * cols, off = (ci + rows) % 4;
            float *x = sdn_test_alloc(n, off), *p = sdn_test_alloc(n, (off + 1) % 4);
            float *d = sdn_test_alloc(n, (off + 2) % 4), *xa = sdn_test_alloc(n, off);
            float *xb = sdn_test_alloc(n, off), *loss = sdn_test_alloc(rows, 1);
            float *loss2 = sdn_test_alloc(rows, 2);
            int32_t *labels = malloc(rows * sizeof *labels);
            double *wp = malloc(n * sizeof *wp), *wd = malloc(n * sizeof *wd);
            double *wl = malloc(rows * sizeof *wl);
            float scale = 1.0f / (float)rows;
            sdn_test_fill(x, n, 17 * cols + rows, -6, 6);
            for (size_t r = 0; r < rows; r++) {
                labels[r] = (int32_t)((r * 7 + cols / 2) % cols);
                double lse;
                softmax_row_d(cols, x + r * cols, wp + r * cols, &lse);
                wl[r] = lse - x[r * cols + labels[r]];
                for (size_t j = 0; j < cols; j++)
                    wd[r * cols + j] = (wp[r * cols + j] - (j == (size_t)labels[r])) * scale;
            }
            k->softmax_xent(rows, cols, x, labels, scale, p, d, loss);
            check_probs("xent probs", k->isa, rows, cols, p, wp);
            /* dlogits inherit the probabilities' absolute error: p − 1 cancels. */
            sdn_test_assert_close("xent dlogits", d, wd, n, 4 * EPS * 2 * scale, 8 * EPS);
            sdn_test_assert_close("xent loss", loss, wl, rows, 1e-6, 8 * EPS);

            memcpy(xa, x, n * sizeof *x);
            k->softmax_xent(rows, cols, xa, labels, scale, xa, xa, loss2); /* both alias */
            assert_memory_equal(xa, d, n * sizeof *d);
            assert_memory_equal(loss2, loss, rows * sizeof *loss);
            memcpy(xb, x, n * sizeof *x);
            k->softmax_xent(rows, cols, xb, labels, scale, NULL, xb, NULL); /* dlogits alias */
            assert_memory_equal(xb, d, n * sizeof *d);
            sdn_test_free(x), sdn_test_free(p), sdn_test_free(d), sdn_test_free(xa);
            sdn_test_free(xb), sdn_test_free(loss), sdn_test_free(loss2);
            free(labels), free(wp), free(wd), free(wl);
        }
    }
}

/* Logits of ±1e4: probabilities exact, losses finite and exact, gradient exact. */
static void test_softmax_extreme_logits(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    enum { R = 19, C = 10 }; /* 19 rows: whole blocks of rows per lane, then single rows */
    float x[R * C], p[R * C], d[R * C], loss[R], y[R * C];
    int32_t labels[R];
    for (int r = 0; r < R; r++)
        labels[r] = (r * 4) % C;
    labels[1] = 9;
    for (int i = 0; i < R * C; i++)
        x[i] = (i % 3 == 0) ? 1e4f : (i % 3 == 1 ? -1e4f : 0.0f);
    x[C + 9] = -1e4f; /* row 1's label is far below its max */
    k->softmax_xent(R, C, x, labels, 0.5f, p, d, loss);
    k->softmax(R, C, x, y);
    for (int r = 0; r < R; r++) {
        double want[C], lse;
        softmax_row_d(C, x + r * C, want, &lse);
        double wl = lse - x[r * C + labels[r]];
        assert_true(isfinite(loss[r]));
        if (fabs(loss[r] - wl) > 1e-3 * fabs(wl) + 1e-6)
            fail_msg("row %d loss %g, expected %g", r, loss[r], wl);
        for (int j = 0; j < C; j++) {
            assert_true(isfinite(p[r * C + j]) && isfinite(d[r * C + j]));
            if (fabs(p[r * C + j] - want[j]) > 1e-7 || fabs(y[r * C + j] - want[j]) > 1e-7)
                fail_msg("row %d col %d: p %g, y %g, expected %g", r, j, p[r * C + j], y[r * C + j],
                         want[j]);
        }
    }
    assert_true(loss[1] > 1.9e4f && loss[1] < 2.1e4f);
}

/* A NaN logit makes its row NaN and leaves the other rows alone, as in the reference. */
static void test_softmax_nan_row(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    enum { R = 37, C = 9 };
    float x[R * C], y[R * C];
    sdn_test_fill(x, R * C, 5, -1, 1);
    x[4] = NAN, x[3 * C] = NAN, x[36 * C + 8] = NAN; /* rows 0, 3 and the last */
    k->softmax(R, C, x, y);
    for (int r = 0; r < R; r++)
        for (int j = 0; j < C; j++)
            if (isnan(y[r * C + j]) != (r == 0 || r == 3 || r == 36))
                fail_msg("[%s] row %d col %d: %g", sdn_isa_name(k->isa), r, j, y[r * C + j]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_softmax_shapes),
        SDN_TEST_EACH_ISA(test_softmax_xent_shapes),
        SDN_TEST_EACH_ISA(test_softmax_extreme_logits),
        SDN_TEST_EACH_ISA(test_softmax_nan_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
