/* Winograd F(2×2, 3×3): the five transform kernels (three forward, two adjoint) on every ISA this
 * CPU runs (NEON under qemu) bitwise against a plain-C oracle doing the contract's operations in
 * its order (channel counts around every vector width, padding cells, outputs left out, no write
 * past c), each against the matrices in double; and a Conv2D by Winograd against the same layer by
 * im2col (the test hook) on odd shapes, 'same' and 'valid', batch 1 and more: outputs and every
 * gradient within float tolerance. The gradient checks are in test_gradcheck_conv.c, the thread
 * counts in test_cnn.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers/winograd.h"
#include "model.h"
#include "testhooks.h"
#include "testutil.h"

static const size_t c_list[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100};
#define GUARD 777.0f
#define N_C (sizeof c_list / sizeof c_list[0])

static const double BT[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
static const double G[4][3] = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
static const double AT[2][4] = {{1, 1, 1, 0}, {0, 1, -1, -1}};

static void check_bits(const char *what, sdn_isa isa, size_t c, const float *got, const float *want,
                       size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (memcmp(&got[j], &want[j], sizeof(float)))
            fail_msg("%s [%s] %zu channels: element %zu is %.9g, expected %.9g", what,
                     sdn_isa_name(isa), c, j, got[j], want[j]);
}

static void near(const char *what, double got, double want)
{
    if (fabs(got - want) > 1e-5 * (1.0 + fabs(want)))
        fail_msg("%s: %.9g, the matrices give %.9g", what, got, want);
}

static void test_input_transform(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_C; ci++) {
        const size_t c = c_list[ci], vs = c + 5;
        float *cells = sdn_test_alloc(16 * (c + 1), 1), *zero = calloc(c, sizeof(float));
        float *v = sdn_test_alloc(16 * vs, 3), *want = malloc(16 * vs * sizeof(float));
        sdn_test_fill(cells, 16 * (c + 1), c, -3, 3);
        const float *d[16];
        for (size_t e = 0; e < 16; e++) /* odd offsets; cells 5 and 10 in the padding */
            d[e] = e == 5 || e == 10 ? zero : cells + e * (c + 1) + (e % 2);
        for (size_t i = 0; i < 16 * vs; i++)
            v[i] = want[i] = GUARD;
        for (size_t ch = 0; ch < c; ch++) {
            float t[16];
            for (size_t j = 0; j < 4; j++) {
                const float d0 = d[j][ch], d1 = d[4 + j][ch], d2 = d[8 + j][ch], d3 = d[12 + j][ch];
                t[j] = d0 - d2, t[4 + j] = d1 + d2, t[8 + j] = d2 - d1, t[12 + j] = d1 - d3;
            }
            for (size_t i = 0; i < 4; i++) {
                const float *r = t + 4 * i;
                want[(4 * i) * vs + ch] = r[0] - r[2];
                want[(4 * i + 1) * vs + ch] = r[1] + r[2];
                want[(4 * i + 2) * vs + ch] = r[2] - r[1];
                want[(4 * i + 3) * vs + ch] = r[1] - r[3];
            }
            for (size_t e = 0; e < 16; e++) { /* Bᵀ·d·B in double */
                double s = 0;
                for (size_t a = 0; a < 4; a++)
                    for (size_t b = 0; b < 4; b++)
                        s += BT[e / 4][a] * d[4 * a + b][ch] * BT[e % 4][b];
                near("input transform", want[e * vs + ch], s);
            }
        }
        k->wino_input(c, d, v, vs);
        check_bits("wino_input", k->isa, c, v, want, 16 * vs);
        sdn_test_free(cells), sdn_test_free(v), free(zero), free(want);
    }
}

static void test_filter_transform(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_C; ci++) {
        const size_t n = c_list[ci], gs = n + 2, us = n + 3;
        float *g = sdn_test_alloc(9 * gs, 1), *u = sdn_test_alloc(16 * us, 2);
        float *want = malloc(16 * us * sizeof(float));
        sdn_test_fill(g, 9 * gs, n + 7, -1, 1);
        for (size_t i = 0; i < 16 * us; i++)
            u[i] = want[i] = GUARD;
        for (size_t f = 0; f < n; f++) {
            float s[12];
            for (size_t j = 0; j < 3; j++) {
                const float g0 = g[j * gs + f], g1 = g[(3 + j) * gs + f], g2 = g[(6 + j) * gs + f];
                s[j] = g0, s[3 + j] = (g0 + g1 + g2) * 0.5f, s[6 + j] = (g0 - g1 + g2) * 0.5f;
                s[9 + j] = g2;
            }
            for (size_t i = 0; i < 4; i++) {
                const float *r = s + 3 * i;
                want[(4 * i) * us + f] = r[0];
                want[(4 * i + 1) * us + f] = (r[0] + r[1] + r[2]) * 0.5f;
                want[(4 * i + 2) * us + f] = (r[0] - r[1] + r[2]) * 0.5f;
                want[(4 * i + 3) * us + f] = r[2];
            }
            for (size_t e = 0; e < 16; e++) { /* G·g·Gᵀ in double */
                double sum = 0;
                for (size_t a = 0; a < 3; a++)
                    for (size_t b = 0; b < 3; b++)
                        sum += G[e / 4][a] * g[(3 * a + b) * gs + f] * G[e % 4][b];
                near("filter transform", want[e * us + f], sum);
            }
        }
        k->wino_filter(n, g, gs, u, us);
        check_bits("wino_filter", k->isa, n, u, want, 16 * us);
        sdn_test_free(g), sdn_test_free(u), free(want);
    }
}

static void test_output_transform(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_C; ci++)
        for (int with_bias = 0; with_bias < 2; with_bias++) {
            const size_t c = c_list[ci], ms = c + 1;
            float *m = sdn_test_alloc(16 * ms, 1), *bias = sdn_test_alloc(c, 3);
            float *out = sdn_test_alloc(4 * (c + 1), 2), *want = malloc(4 * (c + 1) * 4);
            sdn_test_fill(m, 16 * ms, c + 11, -2, 2);
            sdn_test_fill(bias, c, c + 12, -1, 1);
            for (size_t i = 0; i < 4 * (c + 1); i++)
                out[i] = want[i] = GUARD;
            float *y[4] = {out, out + (c + 1), NULL, out + 3 * (c + 1)}; /* (1, 0) left out */
            for (size_t ch = 0; ch < c; ch++) {
                float a[8];
                for (size_t j = 0; j < 4; j++) {
                    const float m0 = m[j * ms + ch], m1 = m[(4 + j) * ms + ch];
                    const float m2 = m[(8 + j) * ms + ch], m3 = m[(12 + j) * ms + ch];
                    a[j] = m0 + m1 + m2, a[4 + j] = m1 - m2 - m3;
                }
                for (size_t i = 0; i < 2; i++) {
                    const float *r = a + 4 * i, b = with_bias ? bias[ch] : 0.0f;
                    float y0 = r[0] + r[1] + r[2], y1 = r[1] - r[2] - r[3];
                    if (with_bias)
                        y0 += b, y1 += b;
                    for (size_t j = 0; j < 2; j++) {
                        if (!y[2 * i + j])
                            continue;
                        double s = with_bias ? b : 0.0;
                        for (size_t p = 0; p < 4; p++)
                            for (size_t q = 0; q < 4; q++)
                                s += AT[i][p] * m[(4 * p + q) * ms + ch] * AT[j][q];
                        want[(2 * i + j) * (c + 1) + ch] = j ? y1 : y0;
                        near("output transform", j ? y1 : y0, s);
                    }
                }
            }
            k->wino_output(c, m, ms, with_bias ? bias : NULL, y);
            check_bits("wino_output", k->isa, c, out, want, 4 * (c + 1));
            sdn_test_free(m), sdn_test_free(bias), sdn_test_free(out), free(want);
        }
}

static void test_output_grad_transform(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_C; ci++) {
        const size_t c = c_list[ci], ms = c + 2;
        float *buf = sdn_test_alloc(4 * (c + 1), 1), *zero = calloc(c, sizeof(float));
        float *dm = sdn_test_alloc(16 * ms, 2), *want = malloc(16 * ms * sizeof(float));
        sdn_test_fill(buf, 4 * (c + 1), c + 21, -2, 2);
        const float *dy[4] = {buf, buf + (c + 1) + 1, zero, buf + 3 * (c + 1)};
        for (size_t i = 0; i < 16 * ms; i++)
            dm[i] = want[i] = GUARD;
        for (size_t ch = 0; ch < c; ch++) {
            float r[8];
            for (size_t q = 0; q < 2; q++) {
                const float y0 = dy[q][ch], y1 = dy[2 + q][ch];
                r[q] = y0, r[2 + q] = y0 + y1, r[4 + q] = y0 - y1, r[6 + q] = 0.0f - y1;
            }
            for (size_t i = 0; i < 4; i++) {
                const float a = r[2 * i], b = r[2 * i + 1];
                want[(4 * i) * ms + ch] = a, want[(4 * i + 1) * ms + ch] = a + b;
                want[(4 * i + 2) * ms + ch] = a - b, want[(4 * i + 3) * ms + ch] = 0.0f - b;
            }
            for (size_t e = 0; e < 16; e++) { /* A·dy·Aᵀ in double */
                double sum = 0;
                for (size_t p = 0; p < 2; p++)
                    for (size_t q = 0; q < 2; q++)
                        sum += AT[p][e / 4] * dy[2 * p + q][ch] * AT[q][e % 4];
                near("output gradient", want[e * ms + ch], sum);
            }
        }
        k->wino_output_grad(c, dy, dm, ms);
        check_bits("wino_output_grad", k->isa, c, dm, want, 16 * ms);
        sdn_test_free(buf), sdn_test_free(dm), free(zero), free(want);
    }
}

static void test_filter_grad_transform(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t ci = 0; ci < N_C; ci++) {
        const size_t n = c_list[ci], us = n + 1, gs = n + 3;
        float *du = sdn_test_alloc(16 * us, 3), *dg = sdn_test_alloc(9 * gs, 1);
        float *want = malloc(9 * gs * sizeof(float));
        sdn_test_fill(du, 16 * us, n + 31, -1, 1);
        for (size_t i = 0; i < 9 * gs; i++)
            dg[i] = want[i] = GUARD;
        for (size_t f = 0; f < n; f++) {
            float s[12];
            for (size_t j = 0; j < 4; j++) {
                const float u0 = du[j * us + f], u1 = du[(4 + j) * us + f];
                const float u2 = du[(8 + j) * us + f], u3 = du[(12 + j) * us + f];
                const float h = (u1 + u2) * 0.5f;
                s[j] = u0 + h, s[4 + j] = (u1 - u2) * 0.5f, s[8 + j] = h + u3;
            }
            for (size_t i = 0; i < 3; i++) {
                const float *r = s + 4 * i, h = (r[1] + r[2]) * 0.5f;
                want[(3 * i) * gs + f] = r[0] + h;
                want[(3 * i + 1) * gs + f] = (r[1] - r[2]) * 0.5f;
                want[(3 * i + 2) * gs + f] = h + r[3];
            }
            for (size_t e = 0; e < 9; e++) { /* Gᵀ·du·G in double */
                double sum = 0;
                for (size_t a = 0; a < 4; a++)
                    for (size_t b = 0; b < 4; b++)
                        sum += G[a][e / 3] * du[(4 * a + b) * us + f] * G[b][e % 3];
                near("filter gradient", want[e * gs + f], sum);
            }
        }
        k->wino_filter_grad(n, du, us, dg, gs);
        check_bits("wino_filter_grad", k->isa, n, dg, want, 9 * gs);
        sdn_test_free(du), sdn_test_free(dg), free(want);
    }
}

/* Conv(c1, 3×3 same s1, tanh) → Conv(f, 3×3 s1, pad, elu) → Flatten → Dense(3, softmax) on
 * h × w × c0 images; winograd: the test hook's value at compile */
static sdn_model *conv_net(size_t h, size_t w, size_t c0, size_t c1, size_t f, sdn_padding pad,
                           int winograd, size_t batch)
{
    sdn_debug_winograd = winograd;
    sdn_model *m = sdn_model_new(5);
    assert_int_equal(sdn_model_set_input_shape(m, h, w, c0), SDN_OK);
    sdn_conv2d_options c = sdn_conv2d_defaults(c1, 3);
    c.padding = SDN_PAD_SAME, c.activation = SDN_ACT_TANH;
    c.bias_init = (sdn_initializer){SDN_INIT_CONSTANT, 0.05f};
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    c = sdn_conv2d_defaults(f, 3);
    c.padding = pad, c.activation = SDN_ACT_ELU;
    c.bias_init = (sdn_initializer){SDN_INIT_CONSTANT, -0.03f};
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(3);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    if (sdn_model_compile(m, h * w * c0, batch, &o))
        fail_msg("%s", sdn_last_error());
    sdn_debug_winograd = 0;
    assert_int_equal(m->layers[0].winograd, winograd > 0);
    assert_int_equal(m->layers[1].winograd, winograd > 0);
    return m;
}

/* Winograd against im2col: the second conv's output and every parameter's gradient */
static void compare_paths(size_t h, size_t w, size_t c0, size_t c1, size_t f, sdn_padding pad,
                          size_t n)
{
    sdn_model *a = conv_net(h, w, c0, c1, f, pad, 1, n), *b = conv_net(h, w, c0, c1, f, pad, -1, n);
    assert_int_equal(a->n_params, b->n_params);
    assert_memory_equal(a->params, b->params, a->n_params * sizeof(float));
    float *x = malloc(n * h * w * c0 * sizeof(float));
    int32_t y[8];
    sdn_test_fill(x, n * h * w * c0, h * 31 + w, -1.5f, 1.5f);
    for (size_t i = 0; i < n; i++)
        y[i] = (int32_t)(i % 3);
    double la, lb;
    assert_int_equal(sdn_model_loss_and_grads(a, x, y, n, 1, &la), SDN_OK);
    assert_int_equal(sdn_model_loss_and_grads(b, x, y, n, 1, &lb), SDN_OK);
    const float *za = a->ws.acts[1].y, *zb = b->ws.acts[1].y;
    double zmax = 0, gmax = 0, gerr = 0;
    for (size_t i = 0; i < n * a->layers[1].n_out; i++) {
        zmax = fmax(zmax, fabs((double)za[i] - zb[i]));
        if (fabs((double)za[i] - zb[i]) > 1e-5 * (1 + fabs(zb[i])))
            fail_msg("%zux%zux%zu→%zu: output %zu is %.9g by Winograd, %.9g by im2col", h, w, c1, f,
                     i, za[i], zb[i]);
    }
    for (size_t i = 0; i < a->n_params; i++) {
        const double e = fabs((double)a->grads[i] - b->grads[i]);
        gmax = fmax(gmax, fabs(b->grads[i])), gerr = fmax(gerr, e);
        if (e > 2e-5 + 1e-3 * fabs(b->grads[i]))
            fail_msg("%zux%zux%zu→%zu: gradient %zu is %.9g by Winograd, %.9g by im2col", h, w, c1,
                     f, i, a->grads[i], b->grads[i]);
    }
    print_message("  %zux%zu %zu→%zu→%zu %s batch %zu: loss %.9g / %.9g, output off by %.2g, "
                  "gradients by %.2g (largest %.2g)\n",
                  h, w, c0, c1, f, pad == SDN_PAD_SAME ? "same" : "valid", n, la, lb, zmax, gerr,
                  gmax);
    assert_true(fabs(la - lb) < 1e-5 * (1 + fabs(lb)));
    free(x);
    sdn_model_free(a), sdn_model_free(b);
}

static void test_matches_im2col(void **state)
{
    (void)state;
    compare_paths(2, 1, 2, 17, 19, SDN_PAD_SAME, 1); /* a 1×1 image is a flat row */
    compare_paths(1, 2, 3, 5, 4, SDN_PAD_SAME, 2);
    compare_paths(5, 7, 3, 17, 16, SDN_PAD_SAME, 3);
    compare_paths(6, 4, 2, 16, 33, SDN_PAD_SAME, 1);
    compare_paths(7, 5, 3, 17, 5, SDN_PAD_VALID, 3);
    compare_paths(4, 6, 1, 9, 18, SDN_PAD_VALID, 2);
    compare_paths(3, 3, 2, 4, 3, SDN_PAD_VALID, 1);
    compare_paths(16, 16, 3, 32, 32, SDN_PAD_SAME, 2);
}

/* The weight gradient's rows asked for in pieces (as threads split a big kernel) give the bits of
 * all rows at once: within one kernel cell only its channels are transformed, else all. */
static void test_weight_grad_rows(void **state)
{
    (void)state;
    assert_int_equal(sdn_dispatch_init(), SDN_OK);
    const sdn_kernels *k = sdn_kernels_active();
    enum { N = 2, IH = 5, IW = 6, CI = 17, FO = 19, R = 9 * CI };
    const sdn_wino_shape s = {IH, IW, CI, IH, IW, FO, 1, 1};
    float *x = malloc(N * IH * IW * CI * sizeof(float)), *dy = malloc(N * IH * IW * FO * 4);
    float *buf = malloc(sdn_wino_buffer_floats(CI, FO) * sizeof(float));
    float *all = malloc(R * FO * sizeof(float)), *part = malloc(R * FO * sizeof(float));
    sdn_test_fill(x, N * IH * IW * CI, 41, -1, 1);
    sdn_test_fill(dy, N * IH * IW * FO, 42, -1, 1);
    sdn_wino_weight_grads(k, &s, N, x, dy, 0, R, all, buf);
    const size_t cuts[][2] = {{0, 5}, {5, 17}, {17, 30}, {30, 34}, {34, 100}, {100, R}};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        sdn_wino_weight_grads(k, &s, N, x, dy, cuts[i][0], cuts[i][1], part + cuts[i][0] * FO, buf);
    assert_memory_equal(all, part, R * FO * sizeof(float));
    free(x), free(dy), free(buf), free(all), free(part);
}

/* The library's own choice: stride-1 3×3 layers of 16 channels or more in and out. */
static void test_choice(void **state)
{
    (void)state;
    const struct {
        size_t c, f, k, s;
        int want;
    } cases[] = {{3, 32, 3, 1, 0}, {32, 32, 3, 1, 1}, {16, 16, 3, 1, 1}, {15, 32, 3, 1, 0},
                 {32, 8, 3, 1, 0}, {32, 32, 3, 2, 0}, {32, 32, 5, 1, 0}, {32, 32, 1, 1, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sdn_model *m = sdn_model_new(1);
        assert_int_equal(sdn_model_set_input_shape(m, 8, 8, cases[i].c), SDN_OK);
        sdn_conv2d_options c = sdn_conv2d_defaults(cases[i].f, cases[i].k);
        c.stride_h = c.stride_w = cases[i].s, c.padding = SDN_PAD_SAME;
        assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
        assert_int_equal(sdn_model_add_global_avg_pool2d(m), SDN_OK);
        sdn_dense_options d = sdn_dense_defaults(2);
        d.activation = SDN_ACT_SOFTMAX;
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
        sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
        assert_int_equal(sdn_model_compile(m, 64 * cases[i].c, 4, &o), SDN_OK);
        assert_int_equal(m->layers[0].winograd, cases[i].want);
        sdn_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_input_transform),
        SDN_TEST_EACH_ISA(test_filter_transform),
        SDN_TEST_EACH_ISA(test_output_transform),
        SDN_TEST_EACH_ISA(test_output_grad_transform),
        SDN_TEST_EACH_ISA(test_filter_grad_transform),
        cmocka_unit_test(test_matches_im2col),
        cmocka_unit_test(test_weight_grad_rows),
        cmocka_unit_test(test_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
