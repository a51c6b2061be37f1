/* Optimizer-step, dropout, sum-of-squares and scaling kernels on every ISA this CPU runs.
 * Optimizers: several steps against a double-precision replay of the same formulas, against the
 * reference element by element, and Adam/Nadam against hand-computed values.
 *
 * Nadam follows Dozat's momentum schedule exactly as Keras (tf.keras.optimizers.Nadam) and
 * PyTorch's torch.optim.NAdam (momentum_decay = 0.004) do: μ_t = β1·(1 − 0.5·0.96^(0.004·t)), Π_t =
 * μ_1⋯μ_t, m_t = β1·m + (1−β1)·g,  v_t = β2·v + (1−β2)·g²,  v̂ = v_t/(1 − β2^t), w −=
 * lr·[μ_{t+1}·m_t/(1 − Π_t·μ_{t+1}) + (1 − μ_t)·g/(1 − Π_t)] / (sqrt(v̂) + ε), i.e. c_m = μ_{t+1}/(1
 * − Π_t·μ_{t+1}), c_g = (1 − μ_t)/(1 − Π_t), c_v = 1/(1 − β2^t) (kernels.h). The expected weights
 * below were computed by hand (double precision, PyTorch's NAdam.step order). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define EPS (1.0 / 16777216.0)

static const size_t lengths[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1001};
enum { N_LEN = sizeof lengths / sizeof lengths[0], STEPS = 5 };

typedef enum { OPT_SGD, OPT_SGD_MOMENTUM, OPT_SGD_NESTEROV, OPT_ADAM, OPT_NADAM, OPT_RMSPROP } opt;
static const char *const opt_names[] = {"sgd",  "sgd+momentum", "sgd+nesterov",
                                        "adam", "nadam",        "rmsprop"};

/* The per-step scalars as src/optim/ computes them (in double, rounded once). */
static sdn_optim_scalars scalars_for(opt o, int t, int reg)
{
    sdn_optim_scalars s = {0};
    s.lr = o <= OPT_SGD_NESTEROV ? 0.01f : 0.001f;
    s.l1 = reg ? 1e-3f : 0, s.l2 = reg ? 2e-3f : 0;
    s.momentum = o == OPT_SGD ? 0 : 0.9f, s.nesterov = o == OPT_SGD_NESTEROV;
    s.beta1 = 0.9f, s.beta2 = 0.999f, s.rho = 0.9f, s.eps = 1e-7f;
    double b1 = s.beta1, b2 = s.beta2;
    if (o == OPT_ADAM) {
        s.c_m = (float)(1 / (1 - pow(b1, t))), s.c_g = 0;
    } else if (o == OPT_NADAM) {
        double prod = 1, mu = 0;
        for (int i = 1; i <= t; i++)
            mu = b1 * (1 - 0.5 * pow(0.96, 0.004 * i)), prod *= mu;
        double mu_next = b1 * (1 - 0.5 * pow(0.96, 0.004 * (t + 1)));
        s.c_m = (float)(mu_next / (1 - prod * mu_next));
        s.c_g = (float)((1 - mu) / (1 - prod));
    }
    s.c_v = (float)(1 / (1 - pow(b2, t)));
    return s;
}

static void step(const sdn_kernels *k, opt o, size_t n, float *w, const float *g, float *m,
                 float *v, const sdn_optim_scalars *s)
{
    if (o <= OPT_SGD_NESTEROV)
        k->sgd(n, w, g, o == OPT_SGD ? NULL : v, s);
    else if (o == OPT_RMSPROP)
        k->rmsprop(n, w, g, v, s);
    else
        k->adam(n, w, g, m, v, s);
}

/* The same update in double from the same float inputs and scalars. */
static void step_d(opt o, size_t n, double *w, const float *grad, double *m, double *v,
                   const sdn_optim_scalars *s)
{
    for (size_t i = 0; i < n; i++) {
        double g = grad[i] + (double)s->l2 * w[i] + (double)s->l1 * ((w[i] > 0) - (w[i] < 0));
        if (o == OPT_SGD) {
            w[i] -= (double)s->lr * g;
        } else if (o <= OPT_SGD_NESTEROV) {
            v[i] = (double)s->momentum * v[i] + g;
            w[i] -= (double)s->lr * (o == OPT_SGD_NESTEROV ? g + (double)s->momentum * v[i] : v[i]);
        } else if (o == OPT_RMSPROP) {
            v[i] = (double)s->rho * v[i] + (1 - (double)s->rho) * g * g;
            w[i] -= (double)s->lr * g / (sqrt(v[i]) + s->eps);
        } else {
            m[i] = (double)s->beta1 * m[i] + (1 - (double)s->beta1) * g;
            v[i] = (double)s->beta2 * v[i] + (1 - (double)s->beta2) * g * g;
            w[i] -= (double)s->lr * ((double)s->c_m * m[i] + (double)s->c_g * g) /
                    (sqrt((double)s->c_v * v[i]) + s->eps);
        }
    }
}

/* STEPS steps for every optimizer, length, alignment, with and without L1/L2, against double and
 * against the reference kernels. */
static void test_optim_steps(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state), *ref = sdn_test_ref();
    for (int o = OPT_SGD; o <= OPT_RMSPROP; o++)
        for (int reg = 0; reg < 2; reg++)
            for (size_t li = 0; li < N_LEN; li++) {
                size_t n = lengths[li], off = (li + (size_t)o) % 4;
                float *w = sdn_test_alloc(n + 8, off), *g = sdn_test_alloc(n, (off + 1) % 4);
                float *m = sdn_test_alloc(n + 8, (off + 2) % 4),
                      *v = sdn_test_alloc(n + 8, (off + 3) % 4);
                float *wr = sdn_test_alloc(n, 0), *mr = sdn_test_alloc(n, 0),
                      *vr = sdn_test_alloc(n, 0);
                double *wd = malloc((n + 1) * sizeof *wd), *md = calloc(n + 1, sizeof *md);
                double *vd = calloc(n + 1, sizeof *vd);
                sdn_test_fill(w, n, 10 + n, -1, 1);
                for (size_t i = 0; i < n; i += 5)
                    w[i] = 0; /* sign(0) = 0 in the L1 term */
                for (size_t i = 0; i < n + 8; i++) {
                    if (i < n)
                        wd[i] = wr[i] = w[i], mr[i] = vr[i] = m[i] = v[i] = 0;
                    else
                        w[i] = m[i] = v[i] = 777.0f;
                }
                for (int t = 1; t <= STEPS; t++) {
                    sdn_optim_scalars s = scalars_for((opt)o, t, reg);
                    sdn_test_fill(g, n, 1000 * t + n, -1, 1);
                    step(k, (opt)o, n, w, g, m, v, &s);
                    step(ref, (opt)o, n, wr, g, mr, vr, &s);
                    step_d((opt)o, n, wd, g, md, vd, &s);
                }
                for (size_t i = 0; i < n; i++) {
                    double tol =
                        STEPS * (4 * EPS * fabs(wd[i]) + 1e-5 * scalars_for((opt)o, 1, 0).lr);
                    if (fabs(w[i] - wd[i]) > tol || fabs(w[i] - wr[i]) > tol)
                        fail_msg("%s%s [%s] n=%zu: w[%zu] = %.9g, ref %.9g, double %.12g",
                                 opt_names[o], reg ? "+l1l2" : "", sdn_isa_name(k->isa), n, i, w[i],
                                 wr[i], wd[i]);
                    if (o >= OPT_SGD_MOMENTUM && fabs(v[i] - vd[i]) > 1e-5 * fabs(vd[i]) + 1e-6)
                        fail_msg("%s [%s] n=%zu: v[%zu] = %.9g, double %.12g", opt_names[o],
                                 sdn_isa_name(k->isa), n, i, v[i], vd[i]);
                    if ((o == OPT_ADAM || o == OPT_NADAM) &&
                        fabs(m[i] - md[i]) > 1e-5 * fabs(md[i]) + 1e-6)
                        fail_msg("%s [%s] n=%zu: m[%zu] = %.9g, double %.12g", opt_names[o],
                                 sdn_isa_name(k->isa), n, i, m[i], md[i]);
                }
                for (size_t i = n; i < n + 8; i++)
                    if (w[i] != 777.0f || (o != OPT_SGD && v[i] != 777.0f) || m[i] != 777.0f)
                        fail_msg("%s [%s] n=%zu wrote past the end", opt_names[o],
                                 sdn_isa_name(k->isa), n);
                sdn_test_free(w), sdn_test_free(g), sdn_test_free(m), sdn_test_free(v);
                sdn_test_free(wr), sdn_test_free(mr), sdn_test_free(vr);
                free(wd), free(md), free(vd);
            }
}

/* Weights stored around the cache (stream_w: another core reads them next) hold the same bytes as
 * plain stores, whatever the alignment (streamed only where a vector fills aligned lanes), and
 * nothing past n is written. */
static void test_optim_streamed_weights(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    static const size_t ns[] = {1, 17, 64, 1001};
    for (int o = OPT_SGD; o <= OPT_RMSPROP; o++)
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (size_t off = 0; off < 16; off += 3) {
                const size_t n = ns[ni];
                float *w[2], *m[2], *v[2], *g = sdn_test_alloc(n, 0);
                sdn_test_fill(g, n, 40 + n, -1, 1);
                for (int a = 0; a < 2; a++) {
                    w[a] = sdn_test_alloc(n + 16, off);
                    m[a] = sdn_test_alloc(n + 16, off);
                    v[a] = sdn_test_alloc(n + 16, off);
                    sdn_test_fill(w[a], n + 16, 70 + n, -1, 1);
                    sdn_test_fill(m[a], n + 16, 80 + n, -0.1f, 0.1f);
                    sdn_test_fill(v[a], n + 16, 90 + n, 0, 0.1f);
                    sdn_optim_scalars s = scalars_for((opt)o, 3, 1);
                    s.stream_w = a;
                    step(k, (opt)o, n, w[a], g, m[a], v[a], &s);
                }
                if (memcmp(w[0], w[1], (n + 16) * sizeof(float)) ||
                    memcmp(m[0], m[1], (n + 16) * sizeof(float)) ||
                    memcmp(v[0], v[1], (n + 16) * sizeof(float)))
                    fail_msg("%s [%s] n=%zu at +%zu floats: streamed weights differ", opt_names[o],
                             sdn_isa_name(k->isa), n, off);
                for (int a = 0; a < 2; a++) {
                    sdn_test_free(w[a]);
                    sdn_test_free(m[a]);
                    sdn_test_free(v[a]);
                }
                sdn_test_free(g);
            }
}

/* Three steps of Adam and Nadam on four parameters with a constant gradient, against values
 * computed by hand (see the file comment). lr 0.001, β1 0.9, β2 0.999, ε 1e-7 (Keras defaults). */
static void test_adam_nadam_hand_values(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    static const double want[2][3][4] = {
        {{0.999000000200, -0.499000000400, -0.000999999000, 2.0},
         {0.998000000400, -0.498000000800, -0.001999998000, 2.0},
         {0.997000000600, -0.497000001200, -0.002999997000, 2.0}},
        {{0.998943548433, -0.498943548644, -0.001056450722, 2.0},
         {0.998159864233, -0.498159864601, -0.001840134295, 2.0},
         {0.997427647248, -0.497427647762, -0.002572350694, 2.0}},
    };
    /* Nadam's scalars, by hand: c_m = μ2/(1 − μ1μ2) at t = 1, c_g = 1 at t = 1, … */
    static const double nadam_cm[3] = {0.564517783554, 0.495408739984, 0.469581032198};
    static const double nadam_cg[3] = {1.0, 0.689556696194, 0.604960671807};
    for (int which = 0; which < 2; which++) {
        /* 9 parameters: the four of interest, repeated past a vector boundary on NEON. */
        float w[9] = {1.0f, -0.5f, 0.0f, 2.0f, 1.0f, -0.5f, 0.0f, 2.0f, 1.0f};
        const float g[9] = {0.5f, -0.25f, 0.1f, 0.0f, 0.5f, -0.25f, 0.1f, 0.0f, 0.5f};
        float m[9] = {0}, v[9] = {0};
        for (int t = 1; t <= 3; t++) {
            sdn_optim_scalars s = scalars_for(which ? OPT_NADAM : OPT_ADAM, t, 0);
            if (which) {
                assert_true(fabs(s.c_m - nadam_cm[t - 1]) < 1e-6);
                assert_true(fabs(s.c_g - nadam_cg[t - 1]) < 1e-6);
            }
            k->adam(9, w, g, m, v, &s);
            for (int i = 0; i < 9; i++)
                if (fabs(w[i] - want[which][t - 1][i % 4]) > 2e-7)
                    fail_msg("%s [%s] step %d: w[%d] = %.9g, by hand %.12g",
                             which ? "nadam" : "adam", sdn_isa_name(k->isa), t, i, w[i],
                             want[which][t - 1][i % 4]);
        }
    }
}

/* Dropout and alpha dropout: y = keep ? a·x + b : c, dx = keep ? a·dy : 0; in place too. */
static void test_dropout(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t li = 0; li < N_LEN; li++) {
        size_t n = lengths[li], off = li % 4;
        float *x = sdn_test_alloc(n + 8, off), *y = sdn_test_alloc(n + 8, (off + 1) % 4);
        float *xi = sdn_test_alloc(n, off);
        uint8_t *keep = malloc(n + 1);
        double *want = malloc((n + 1) * sizeof *want);
        sdn_test_fill(x, n, n, -3, 3);
        for (size_t i = 0; i < n; i++)
            keep[i] = (uint8_t)((i * 2654435761u >> 7) % 3 != 0);
        for (int alpha = 0; alpha < 2; alpha++) {
            float a = 1 / (1 - 0.3f), b = alpha ? 0.25f : 0, c = alpha ? -1.2f : 0;
            for (size_t i = n; i < n + 8; i++)
                y[i] = 777.0f;
            for (size_t i = 0; i < n; i++)
                want[i] = keep[i] ? (double)a * x[i] + b : c;
            k->dropout(n, x, keep, a, b, c, y);
            for (size_t i = 0; i < n; i++) /* a·x + b may cancel: bound by the terms */
                if (fabs(y[i] - want[i]) > 4 * EPS * (fabs((double)a * x[i]) + fabs(b) + fabs(c)))
                    fail_msg("dropout [%s] n=%zu: y[%zu] = %.9g, expected %.12g",
                             sdn_isa_name(k->isa), n, i, y[i], want[i]);
            assert_true(y[n] == 777.0f);
            memcpy(xi, x, n * sizeof *x);
            k->dropout(n, xi, keep, a, b, c, xi);
            if (n)
                assert_memory_equal(xi, y, n * sizeof *y);
            for (size_t i = 0; i < n; i++)
                want[i] = keep[i] ? (double)a * x[i] : 0;
            k->dropout_grad(n, x, keep, a, y);
            sdn_test_assert_close("dropout_grad", y, want, n, 0, EPS);
            assert_true(y[n] == 777.0f);
        }
        sdn_test_free(x), sdn_test_free(y), sdn_test_free(xi), free(keep), free(want);
    }
}

static void test_sumsq_scale(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    for (size_t li = 0; li < N_LEN; li++) {
        size_t n = lengths[li];
        float *x = sdn_test_alloc(n + 8, li % 4);
        sdn_test_fill(x, n, 3 * n, -100, 100);
        double want = 0;
        for (size_t i = 0; i < n; i++)
            want += (double)x[i] * x[i];
        double got = k->sumsq(n, x);
        if (fabs(got - want) > 1e-13 * want)
            fail_msg("sumsq [%s] n=%zu: %.17g vs %.17g", sdn_isa_name(k->isa), n, got, want);
        for (size_t i = n; i < n + 8; i++)
            x[i] = 777.0f;
        float *copy = malloc((n + 1) * sizeof *copy);
        memcpy(copy, x, n * sizeof *x);
        k->scale(n, x, 0.3f);
        for (size_t i = 0; i < n; i++)
            assert_true(x[i] == copy[i] * 0.3f); /* one correctly rounded product */
        assert_true(x[n] == 777.0f);
        free(copy), sdn_test_free(x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_optim_steps),
        SDN_TEST_EACH_ISA(test_optim_streamed_weights),
        SDN_TEST_EACH_ISA(test_adam_nadam_hand_values),
        SDN_TEST_EACH_ISA(test_dropout),
        SDN_TEST_EACH_ISA(test_sumsq_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
