/* Activation kernels, forward and gradient, on every ISA this CPU runs: each checked against a
 * double-precision oracle (≤ 4 ulp, or ≤ 1e-7 absolute near zero) over lengths around the vector
 * width, unaligned and in-place buffers, special values, and a sweep of the whole float range that
 * prints the measured maximum error per kernel and ISA. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define ULP_BOUND 4.0
#define ABS_BOUND 1e-7
#define GUARD 12345.0f

typedef struct act_case {
    sdn_activation act;
    const char *name;
    float alpha;
} act_case;

static const act_case cases[] = {
    {SDN_ACT_ELU, "elu", 1.0f},
    {SDN_ACT_ELU, "elu(0.5)", 0.5f},
    {SDN_ACT_SELU, "selu", 0.0f},
    {SDN_ACT_RELU, "relu", 0.0f},
    {SDN_ACT_LEAKY_RELU, "leaky_relu", 0.3f},
    {SDN_ACT_TANH, "tanh", 0.0f},
    {SDN_ACT_SIGMOID, "sigmoid", 0.0f},
};
enum { N_CASES = sizeof cases / sizeof cases[0] };

/* The oracle: f(x) and f'(x) in double, with the kernels' branch conventions for NaN
 * (x > 0 is false for NaN). */
static double oracle_f(const act_case *c, float xf)
{
    double x = xf, a = c->alpha;
    switch (c->act) {
    case SDN_ACT_ELU:
        return x > 0 ? x : a * expm1(x);
    case SDN_ACT_SELU:
        return SDN_SELU_LAMBDA * (x > 0 ? x : SDN_SELU_ALPHA * expm1(x));
    case SDN_ACT_RELU:
        return x <= 0 ? 0.0 : x;
    case SDN_ACT_LEAKY_RELU:
        return x > 0 ? x : a * x;
    case SDN_ACT_TANH:
        return tanh(x);
    case SDN_ACT_SIGMOID:
        return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
    default:
        return NAN;
    }
}

static double oracle_df(const act_case *c, float xf)
{
    double x = xf, a = c->alpha;
    switch (c->act) {
    case SDN_ACT_ELU:
        return x > 0 ? 1 : a * exp(x);
    case SDN_ACT_SELU:
        return x > 0 ? SDN_SELU_LAMBDA : SDN_SELU_LAMBDA * SDN_SELU_ALPHA * exp(x);
    case SDN_ACT_RELU:
        return x > 0 ? 1 : 0;
    case SDN_ACT_LEAKY_RELU:
        return x > 0 ? 1 : a;
    case SDN_ACT_TANH: {
        double ch = cosh(x);
        return 1 / (ch * ch);
    }
    case SDN_ACT_SIGMOID: {
        double e = exp(-fabs(x));
        return e / ((1 + e) * (1 + e));
    }
    default:
        return NAN;
    }
}

/* ≤ 4 ulp, or ≤ 1e-7 absolute; NaN must meet NaN and infinities must match exactly. */
static int within_bounds(float got, double exact)
{
    double u = sdn_test_ulp_diff(got, exact);
    if (u <= ULP_BOUND)
        return 1;
    return isfinite(exact) && isfinite(got) && fabs((double)got - exact) <= ABS_BOUND;
}

static void check_all(const char *what, const act_case *c, sdn_isa isa, size_t n, const float *x,
                      const float *dy, const float *got, int grad)
{
    for (size_t i = 0; i < n; i++) {
        double exact = grad ? (double)dy[i] * oracle_df(c, x[i]) : oracle_f(c, x[i]);
        /* A NaN dy times a zero derivative is a NaN in the oracle but the kernels' select
         * passes either; only finite dy is used where that matters. */
        if (!within_bounds(got[i], exact))
            fail_msg("%s %s%s [%s] n=%zu: element %zu x=%.9g gives %.9g, exact %.12g", what,
                     c->name, grad ? " grad" : "", sdn_isa_name(isa), n, i, x[i], got[i], exact);
    }
}

static const size_t lengths[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1001};

/* Lengths around every vector width, offsets 0..3 floats from a cache line, out of place (the
 * float after the end must survive) and in place, forward and gradient. */
static void test_act_lengths(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    const size_t nmax = 1001, pad = 8;
    for (int ci = 0; ci < N_CASES; ci++) {
        const act_case *c = &cases[ci];
        for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
            size_t n = lengths[li], off = li % 4;
            float *x = sdn_test_alloc(nmax + pad, off),
                  *y = sdn_test_alloc(nmax + pad, (off + 1) % 4);
            float *dy = sdn_test_alloc(nmax + pad, (off + 2) % 4);
            float *dx = sdn_test_alloc(nmax + pad, (off + 3) % 4);
            sdn_test_fill(x, n, 100 + n, -6, 6);
            for (size_t i = 0; i < n; i += 3)
                x[i] *= 1e-3f; /* many points near 0, where expm1 matters */
            sdn_test_fill(dy, n, 200 + n, -2, 2);
            for (size_t i = n; i < n + pad; i++)
                y[i] = dx[i] = GUARD;

            k->act[c->act](n, x, y, c->alpha);
            check_all("forward", c, k->isa, n, x, NULL, y, 0);
            k->act_grad[c->act](n, x, y, dy, dx, c->alpha);
            check_all("gradient", c, k->isa, n, x, dy, dx, 1);
            for (size_t i = n; i < n + pad; i++)
                if (y[i] != GUARD || dx[i] != GUARD)
                    fail_msg("%s [%s] n=%zu wrote past the end", c->name, sdn_isa_name(k->isa), n);

            /* In place: y == x and dx == dy must give the same bits. */
            float *xi = sdn_test_alloc(nmax, off), *gi = sdn_test_alloc(nmax, off);
            memcpy(xi, x, n * sizeof *x);
            memcpy(gi, dy, n * sizeof *dy);
            k->act[c->act](n, xi, xi, c->alpha);
            k->act_grad[c->act](n, x, y, gi, gi, c->alpha);
            if (n && (memcmp(xi, y, n * sizeof *y) || memcmp(gi, dx, n * sizeof *dx)))
                fail_msg("%s [%s] n=%zu: in place differs", c->name, sdn_isa_name(k->isa), n);
            sdn_test_free(xi), sdn_test_free(gi);
            sdn_test_free(x), sdn_test_free(y), sdn_test_free(dy), sdn_test_free(dx);
        }
    }
}

/* ±0, ±inf, NaN, saturation, subnormals, the extremes; plus the named expectations. */
static void test_act_special(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    const float sv[] = {NAN,    INFINITY, -INFINITY, 0.0f,     -0.0f,   -100.0f,  100.0f,
                        1e-30f, -1e-30f,  1e-40f,    -1e-40f,  FLT_MAX, -FLT_MAX, 20.0f,
                        -20.0f, 9.0f,     -9.0f,     88.0f,    -88.0f,  -87.5f,   -103.0f,
                        1e-8f,  -1e-8f,   0.3466f,   -0.3466f, 17.5f,   -17.5f};
    enum { NS = sizeof sv / sizeof sv[0] };
    float x[NS + 5], y[NS + 5], dy[NS + 5], dx[NS + 5];
    /* Repeat the list at an odd start so each value also goes through the partial tail. */
    for (int rep = 0; rep < 2; rep++) {
        size_t o = rep ? 5 : 0;
        for (int i = 0; i < NS; i++)
            x[o + i] = sv[i], dy[o + i] = 1.0f;
        for (int ci = 0; ci < N_CASES; ci++) {
            const act_case *c = &cases[ci];
            k->act[c->act](NS, x + o, y + o, c->alpha);
            check_all("special", c, k->isa, NS, x + o, NULL, y + o, 0);
            k->act_grad[c->act](NS, x + o, y + o, dy + o, dx + o, c->alpha);
            check_all("special", c, k->isa, NS, x + o, dy + o, dx + o, 1);
            if (!isnan(y[o])) /* NaN propagates through every forward */
                fail_msg("%s [%s]: f(NaN) = %g", c->name, sdn_isa_name(k->isa), y[o]);
        }
    }
    float in[4] = {-100.0f, 100.0f, -INFINITY, INFINITY}, out[4];
    k->act[SDN_ACT_SIGMOID](4, in, out, 0);
    assert_true(out[0] >= 0 && out[0] <= 1e-37f);
    assert_true(out[1] == 1.0f && out[2] == 0.0f && out[3] == 1.0f);
    k->act[SDN_ACT_ELU](4, in, out, 0.7f);
    assert_true(out[2] == -0.7f && out[3] == INFINITY);
    k->act[SDN_ACT_SELU](4, in, out, 0);
    assert_true(out[2] == -(float)(SDN_SELU_LAMBDA * SDN_SELU_ALPHA));
    k->act[SDN_ACT_TANH](4, in, out, 0);
    assert_true(out[0] == -1.0f && out[1] == 1.0f && out[2] == -1.0f && out[3] == 1.0f);
}

/* Every 4099th bit pattern of the float range (both signs, subnormals, infinities, NaNs), dy = 1:
 * the maximum ulp error over normal results, and the worst absolute error where the ulp bound
 * alone does not hold. */
static void test_act_sweep(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    const size_t step = 4099, n = (size_t)((1ull << 32) / step) + 1;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *dy = malloc(n * sizeof *dy);
    float *dx = malloc(n * sizeof *dx);
    assert_non_null(x), assert_non_null(y), assert_non_null(dy), assert_non_null(dx);
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)(i * step);
        memcpy(&x[i], &bits, sizeof bits);
        dy[i] = 1.0f;
    }
    for (int ci = 0; ci < N_CASES; ci++) {
        const act_case *c = &cases[ci];
        if (ci == 1)
            continue; /* elu(0.5) differs from elu only by the constant */
        k->act[c->act](n, x, y, c->alpha);
        k->act_grad[c->act](n, x, y, dy, dx, c->alpha);
        for (int grad = 0; grad < 2; grad++) {
            const float *got = grad ? dx : y;
            double max_ulp = 0, max_abs = 0;
            float worst_x = 0;
            for (size_t i = 0; i < n; i++) {
                double exact = grad ? oracle_df(c, x[i]) : oracle_f(c, x[i]);
                if (!within_bounds(got[i], exact))
                    fail_msg("sweep %s%s [%s]: x=%.9g gives %.9g, exact %.12g", c->name,
                             grad ? " grad" : "", sdn_isa_name(k->isa), x[i], got[i], exact);
                double u = sdn_test_ulp_diff(got[i], exact);
                if (fabs(exact) >= FLT_MIN && u > max_ulp && isfinite(u))
                    max_ulp = u, worst_x = x[i];
                if (u > ULP_BOUND && fabs(got[i] - exact) > max_abs)
                    max_abs = fabs(got[i] - exact);
            }
            print_message("[ ACCURACY ] %-7s %-11s %-4s max %.2f ulp at x=%-13.7g%s",
                          sdn_isa_name(k->isa), c->name, grad ? "grad" : "fwd", max_ulp, worst_x,
                          max_abs > 0 ? "" : "\n");
            if (max_abs > 0)
                print_message(", max abs %.2g where > 4 ulp\n", max_abs);
        }
    }
    free(x), free(y), free(dy), free(dx);
}

/* The SIMD kernels against the reference on ordinary data: same answers to within the bounds. */
static void test_act_matches_ref(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state), *ref = sdn_test_ref();
    const size_t n = 777;
    float x[777], y[777], yr[777], dy[777], dx[777], dxr[777];
    sdn_test_fill(x, n, 7, -10, 10);
    sdn_test_fill(dy, n, 8, -1, 1);
    for (int ci = 0; ci < N_CASES; ci++) {
        const act_case *c = &cases[ci];
        k->act[c->act](n, x, y, c->alpha);
        ref->act[c->act](n, x, yr, c->alpha);
        k->act_grad[c->act](n, x, y, dy, dx, c->alpha);
        ref->act_grad[c->act](n, x, yr, dy, dxr, c->alpha);
        for (size_t i = 0; i < n; i++)
            if (!within_bounds(y[i], yr[i]) || !within_bounds(dx[i], dxr[i]))
                fail_msg("%s [%s] vs ref at %zu: %g/%g vs %g/%g", c->name, sdn_isa_name(k->isa), i,
                         y[i], dx[i], yr[i], dxr[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_act_lengths),
        SDN_TEST_EACH_ISA(test_act_special),
        SDN_TEST_EACH_ISA(test_act_matches_ref),
        SDN_TEST_EACH_ISA(test_act_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
