/* A plain Dropout layer against values computed by hand, through the public API only: the network
 * Dense(identity) → Dropout(rate) → softmax makes the layer's output visible as probabilities
 * (MC Dropout keeps it active) and its gradient visible as an SGD step with lr = 1. Inverted
 * dropout: a kept unit is scaled by 1/(1−rate) in training, nothing is scaled at inference. The
 * mask is not known in advance: every one of the 2^N masks is tried and exactly one must match. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

enum { N = 6 };
static const float rate = 0.3f;

static sdn_model *net(void)
{
    sdn_model *m = sdn_model_new(11);
    assert_non_null(m);
    sdn_dense_options d = sdn_dense_defaults(N); /* linear, kernel then bias */
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_dropout(m, rate), SDN_OK);
    assert_int_equal(sdn_model_add_activation(m, SDN_ACT_SOFTMAX, 0), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    o.learning_rate = 1.0f;
    assert_int_equal(sdn_model_compile(m, N, 4, &o), SDN_OK);
    return m;
}

/* Kernel = identity, bias = 0: the dropout layer's input is x itself. */
static void identity(sdn_model *m)
{
    float w[N * N + N] = {0};
    for (int i = 0; i < N; i++)
        w[i * N + i] = 1.0f;
    assert_int_equal(sdn_model_set_params(m, w, N * N + N), SDN_OK);
}

/* softmax(keep ⊙ x · scale) for the mask given as bits, in double. */
static void by_hand(const float *x, unsigned mask, double scale, double *p)
{
    double z[N], mx = -1e300, sum = 0;
    for (int j = 0; j < N; j++) {
        z[j] = (mask >> j & 1) ? (double)x[j] * scale : 0.0;
        mx = z[j] > mx ? z[j] : mx;
    }
    for (int j = 0; j < N; j++)
        sum += p[j] = exp(z[j] - mx);
    for (int j = 0; j < N; j++)
        p[j] /= sum;
}

/* The mask whose hand-computed output matches got within tol; fails unless exactly one does. */
static unsigned find_mask(const float *x, const float *got, double scale, double tol)
{
    int matches = 0;
    unsigned found = 0;
    for (unsigned mask = 0; mask < 1u << N; mask++) {
        double p[N], err = 0;
        by_hand(x, mask, scale, p);
        for (int j = 0; j < N; j++)
            err = fmax(err, fabs(p[j] - got[j]));
        if (err < tol) {
            matches++;
            found = mask;
        }
    }
    if (matches != 1)
        fail_msg("%d dropout masks match the output (want exactly 1, scale %g)", matches, scale);
    return found;
}

/* Distinct nonzero inputs, so different masks give different outputs. */
static const float xs[3][N] = {{0.9f, -0.4f, 1.7f, 0.25f, -1.2f, 0.6f},
                               {-0.3f, 1.1f, 0.5f, -0.8f, 1.4f, 0.15f},
                               {1.3f, 0.35f, -0.65f, 0.8f, -0.1f, 1.9f}};

static void output_scaled_in_training_only(void **state)
{
    (void)state;
    sdn_model *m = net();
    identity(m);
    int kept = 0, seen = 0;
    for (int r = 0; r < 3; r++) {
        float p[N], mean[N];
        double want[N];
        /* Inference: the identity, no scale. */
        assert_int_equal(sdn_model_predict(m, xs[r], 1, p), SDN_OK);
        by_hand(xs[r], (1u << N) - 1, 1.0, want);
        for (int j = 0; j < N; j++)
            assert_float_equal(p[j], want[j], 1e-6);
        /* Training behaviour (MC Dropout): kept units times 1/(1 − rate), the rest 0. */
        for (int s = 0; s < 8; s++) {
            assert_int_equal(sdn_model_predict_mc(m, xs[r], 1, 1, mean, NULL), SDN_OK);
            unsigned mask = find_mask(xs[r], mean, 1.0 / (1.0 - rate), 1e-6);
            kept += __builtin_popcount(mask);
            seen += N;
        }
    }
    /* 144 draws at P(keep) = 0.7: well inside [0.5, 0.9]. */
    printf("dropout kept %d of %d units (rate %.1f)\n", kept, seen, (double)rate);
    assert_true(kept > seen / 2 && kept < seen * 9 / 10);
    sdn_model_free(m);
}

static void gradient_by_hand(void **state)
{
    (void)state;
    sdn_model *m = net();
    const double scale = 1.0 / (1.0 - rate);
    for (int r = 0; r < 3; r++) {
        identity(m);
        float before[N * N + N], after[N * N + N], loss, acc;
        int32_t label = r % N;
        assert_int_equal(sdn_model_get_params(m, before, N * N + N), SDN_OK);
        assert_int_equal(sdn_model_train_batch(m, xs[r], &label, 1, &loss, &acc), SDN_OK);
        assert_int_equal(sdn_model_get_params(m, after, N * N + N), SDN_OK);
        /* The loss −log p[label] names the mask; then dL/dW[i][j] = x_i·keep_j·scale·(p_j − y_j)
         * and dL/db[j] = keep_j·scale·(p_j − y_j), read back as before − after (lr = 1). */
        int matches = 0;
        for (unsigned mask = 0; mask < 1u << N; mask++) {
            double p[N];
            by_hand(xs[r], mask, scale, p);
            if (fabs(-log(p[label]) - (double)loss) > 1e-5)
                continue;
            double err = 0;
            for (int j = 0; j < N; j++) {
                double dz = ((mask >> j & 1) ? scale : 0.0) * (p[j] - (j == label));
                for (int i = 0; i < N; i++)
                    err = fmax(err, fabs((double)(before[i * N + j] - after[i * N + j]) -
                                         (double)xs[r][i] * dz));
                err = fmax(err, fabs((double)(before[N * N + j] - after[N * N + j]) - dz));
            }
            matches += err < 2e-6;
        }
        if (matches != 1)
            fail_msg("row %d: %d masks explain the loss %g and the gradient (want 1)", r, matches,
                     (double)loss);
    }
    sdn_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_scaled_in_training_only),
        cmocka_unit_test(gradient_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
