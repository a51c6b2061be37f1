/* Pooling kernels on every ISA this CPU runs (NEON under qemu) against a plain-C oracle that does
 * the contract's operations in its order, so every result must be bitwise equal: channel counts
 * around every vector width, windows of 1 to 9 pixels with ties, unaligned pixels, gradients
 * added into non-zero buffers, and nothing written past the c channels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const size_t c_list[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100};
static const size_t w_list[] = {1, 2, 4, 9};
#define GUARD 777.0f

/* n_win pixels of c channels (+1 guard each), at odd offsets in one buffer, with ties */
static float *pixels(size_t n_win, size_t c, uint64_t seed, const float **px)
{
    const size_t stride = c + 3;
    float *buf = sdn_test_alloc(n_win * stride + 1, 1);
    sdn_test_fill(buf, n_win * stride + 1, seed, -2, 2);
    for (size_t w = 0; w < n_win; w++) {
        px[w] = buf + w * stride + (w % 2);
        if (w >= 2 && c > 2) /* a tie with the first pixel on channel 1 */
            ((float *)px[w])[1] = px[0][1];
    }
    return buf;
}

static void check_bits(const char *what, sdn_isa isa, size_t n_win, size_t c, const float *got,
                       const float *want, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (memcmp(&got[j], &want[j], sizeof(float)))
            fail_msg("%s [%s] window %zu, %zu channels: element %zu is %.9g, expected %.9g", what,
                     sdn_isa_name(isa), n_win, c, j, got[j], want[j]);
}

static void test_maxpool(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < sizeof c_list / sizeof c_list[0]; ci++)
        for (size_t wi = 0; wi < sizeof w_list / sizeof w_list[0]; wi++) {
            const size_t c = c_list[ci], nw = w_list[wi];
            const float *px[9];
            float *buf = pixels(nw, c, c * 10 + nw, px);
            float *y = sdn_test_alloc(c + 1, 3), *arg = sdn_test_alloc(c + 1, 2);
            float *wy = malloc(c * sizeof(float)), *warg = malloc(c * sizeof(float));
            y[c] = arg[c] = GUARD;
            for (size_t j = 0; j < c; j++) {
                wy[j] = px[0][j], warg[j] = 0;
                for (size_t w = 1; w < nw; w++)
                    if (px[w][j] > wy[j])
                        wy[j] = px[w][j], warg[j] = (float)w;
            }
            k->maxpool(nw, c, px, y, arg);
            check_bits("maxpool y", k->isa, nw, c, y, wy, c);
            check_bits("maxpool arg", k->isa, nw, c, arg, warg, c);
            assert_true(y[c] == GUARD && arg[c] == GUARD);
            /* gradient into dx = the pixels themselves (non-zero) */
            float *dy = sdn_test_alloc(c, 1);
            sdn_test_fill(dy, c, c + nw, -1, 1);
            float *want = malloc(nw * c * sizeof(float));
            for (size_t w = 0; w < nw; w++)
                for (size_t j = 0; j < c; j++)
                    want[w * c + j] = px[w][j] + (warg[j] == (float)w ? dy[j] : 0.0f);
            k->maxpool_grad(nw, c, arg, dy, (float *const *)px);
            for (size_t w = 0; w < nw; w++)
                check_bits("maxpool_grad", k->isa, nw, c, px[w], want + w * c, c);
            sdn_test_free(buf), sdn_test_free(y), sdn_test_free(arg), sdn_test_free(dy);
            free(wy), free(warg), free(want);
        }
}

static void test_avgpool(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < sizeof c_list / sizeof c_list[0]; ci++)
        for (size_t wi = 0; wi < sizeof w_list / sizeof w_list[0]; wi++) {
            const size_t c = c_list[ci], nw = w_list[wi];
            const float *px[10];
            float *buf = pixels(nw, c, c * 20 + nw, px);
            float *y = sdn_test_alloc(c + 1, 1), *wy = malloc(c * sizeof(float));
            const float scale = 1.0f / (float)nw;
            y[c] = GUARD;
            for (size_t j = 0; j < c; j++) {
                float s = px[0][j];
                for (size_t w = 1; w < nw; w++)
                    s += px[w][j];
                wy[j] = s * scale;
            }
            k->avgpool(nw, c, px, scale, y);
            check_bits("avgpool", k->isa, nw, c, y, wy, c);
            assert_true(y[c] == GUARD);
            /* a running sum: y as the first pixel of the next window */
            float *run = malloc(c * sizeof(float));
            for (size_t j = 0; j < c; j++) {
                float s = y[j];
                for (size_t w = 0; w < nw; w++)
                    s += px[w][j];
                run[j] = s * 0.5f;
            }
            const float *px2[10] = {y};
            memcpy(px2 + 1, px, nw * sizeof *px);
            k->avgpool(nw + 1, c, px2, 0.5f, y);
            check_bits("avgpool running sum", k->isa, nw, c, y, run, c);
            float *dy = sdn_test_alloc(c, 2), *want = malloc(nw * c * sizeof(float));
            sdn_test_fill(dy, c, c + 3 * nw, -1, 1);
            for (size_t w = 0; w < nw; w++)
                for (size_t j = 0; j < c; j++)
                    want[w * c + j] = px[w][j] + dy[j] * scale;
            k->avgpool_grad(nw, c, dy, scale, (float *const *)px);
            for (size_t w = 0; w < nw; w++)
                check_bits("avgpool_grad", k->isa, nw, c, px[w], want + w * c, c);
            sdn_test_free(buf), sdn_test_free(y), sdn_test_free(dy);
            free(wy), free(run), free(want);
        }
}

/* NaN and infinities: a NaN after the first pixel is skipped, one in the first stays */
static void test_maxpool_special(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    float a[3] = {1.0f, NAN, -INFINITY}, b[3] = {NAN, 2.0f, INFINITY}, y[3], arg[3];
    const float *px[2] = {a, b};
    k->maxpool(2, 3, px, y, arg);
    assert_true(y[0] == 1.0f && arg[0] == 0.0f);
    assert_true(isnan(y[1]) && arg[1] == 0.0f);
    assert_true(y[2] == INFINITY && arg[2] == 1.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_maxpool),
        SDN_TEST_EACH_ISA(test_avgpool),
        SDN_TEST_EACH_ISA(test_maxpool_special),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
