/* q4's output layers by role: on small generated tasks, each made by the model the chapter
 * recommends for it, the recommended output (activation and its loss) against its rivals. The
 * models are linear in the inputs (one Dense layer, so only the output's shape and range differ),
 * trained in double precision by full-batch Adam. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "q4.h"

enum { D = 8, NTRAIN = 500, NTEST = 2000, KMAX = 4, ITERS = 600 };
#define Q4_LR 0.05
#define Q4_NOISE 0.1 /* target noise of the regression tasks */

static const char *const head_names[Q4_HEADS] = {"logistic", "softmax", "tanh", "linear"};
static const char *const task_names[Q4_TASKS] = {
    "multi-label (3 independent yes/no labels)", "exclusive classes (4)",
    "targets in [-1, 1] (tanh of a linear score)", "regression (unbounded)"};
static const int task_k[Q4_TASKS] = {3, 4, 1, 1};
static const int task_right[Q4_TASKS] = {Q4_LOGISTIC, Q4_SOFTMAX, Q4_TANH, Q4_LINEAR};
/* the rivals each task is measured against (softmax needs several outputs) */
static const int task_heads[Q4_TASKS][Q4_HEADS] = {
    {1, 1, 0, 0}, {1, 1, 0, 0}, {1, 0, 1, 1}, {1, 0, 1, 1}};

const char *q4_head_name(int h)
{
    return head_names[h];
}
const char *q4_task_name(int t)
{
    return task_names[t];
}
int q4_task_right(int t)
{
    return task_right[t];
}
int q4_task_has(int t, int h)
{
    return task_heads[t][h];
}

typedef struct task_data {
    double x[NTRAIN + NTEST][D], y[NTRAIN + NTEST][KMAX];
    int task, k, cls; /* outputs; classification (metric: log-loss) or regression (MSE) */
} task_data;

/* Uniform in (0, 1), xorshift64* as lab_normal. */
static double uniform(uint64_t *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return ((double)((*s * 0x2545f4914f6cdd1dull) >> 11) + 0.5) / 9007199254740992.0;
}

static void generate(int t, uint64_t seed, task_data *d)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + (uint64_t)t + 1;
    double w[KMAX][D];
    d->k = task_k[t];
    d->cls = t < 2;
    d->task = t;
    for (int j = 0; j < d->k; j++)
        for (int i = 0; i < D; i++)
            w[j][i] = lab_normal(&s) / sqrt(D) * 3;
    for (int n = 0; n < NTRAIN + NTEST; n++) {
        double z[KMAX], zmax = -1e300, sum = 0;
        for (int i = 0; i < D; i++)
            d->x[n][i] = lab_normal(&s);
        for (int j = 0; j < d->k; j++) {
            z[j] = 0;
            for (int i = 0; i < D; i++)
                z[j] += w[j][i] * d->x[n][i];
            zmax = fmax(zmax, z[j]);
        }
        const double u = uniform(&s);
        for (int j = 0; j < d->k; j++) {
            if (t == 0)
                d->y[n][j] = uniform(&s) < 1 / (1 + exp(-z[j])); /* Bernoulli */
            else if (t == 1)
                sum += exp(z[j] - zmax);
            else if (t == 2)
                d->y[n][j] = fmax(-1, fmin(1, tanh(z[j]) + Q4_NOISE * lab_normal(&s)));
            else
                d->y[n][j] = z[j] + Q4_NOISE * lab_normal(&s);
        }
        if (t == 1) { /* a class drawn from softmax(z) */
            double c = 0, r = u * sum;
            int pick = d->k - 1;
            for (int j = 0; j < d->k && pick == d->k - 1; j++)
                if ((c += exp(z[j] - zmax)) >= r)
                    pick = j;
            for (int j = 0; j < d->k; j++)
                d->y[n][j] = j == pick;
        }
    }
}

/* The head's outputs for pre-activations z. */
static void outputs(int h, const double *z, int k, double *o)
{
    double zmax = -1e300, sum = 0;
    for (int j = 0; j < k; j++)
        zmax = fmax(zmax, z[j]);
    for (int j = 0; j < k; j++) {
        o[j] = h == Q4_LOGISTIC  ? 1 / (1 + exp(-z[j]))
               : h == Q4_SOFTMAX ? exp(z[j] - zmax)
               : h == Q4_TANH    ? tanh(z[j])
                                 : z[j];
        sum += o[j];
    }
    if (h == Q4_SOFTMAX)
        for (int j = 0; j < k; j++)
            o[j] /= sum;
}

/* d loss / d z of one row: cross-entropy for logistic and softmax heads on a classification task
 * (softmax against the labels normalized to sum 1), squared error otherwise. */
static void gradient(int h, const task_data *d, const double *o, const double *y, double *g)
{
    double ysum = 0;
    for (int j = 0; j < d->k; j++)
        ysum += y[j];
    for (int j = 0; j < d->k; j++) {
        if (d->cls && h == Q4_SOFTMAX)
            g[j] = o[j] - (ysum > 0 ? y[j] / ysum : 0);
        else if (d->cls && h == Q4_LOGISTIC)
            g[j] = o[j] - y[j];
        else {
            const double target = d->cls && h == Q4_TANH ? 2 * y[j] - 1 : y[j];
            const double slope = h == Q4_LOGISTIC ? o[j] * (1 - o[j])
                                 : h == Q4_TANH   ? 1 - o[j] * o[j]
                                                  : 1;
            g[j] = (o[j] - target) * slope;
        }
    }
}

/* The task's metric of one test row: log-loss of the labels (multi-label: mean over labels;
 * exclusive: of the true class, the outputs normalized to sum 1), or squared error. */
static double metric(const task_data *d, int h, const double *o, const double *y)
{
    if (!d->cls) {
        double e = 0;
        for (int j = 0; j < d->k; j++)
            e += (o[j] - y[j]) * (o[j] - y[j]);
        return e / d->k;
    }
    double p[KMAX], sum = 0, loss = 0;
    for (int j = 0; j < d->k; j++) {
        p[j] = h == Q4_TANH ? (o[j] + 1) / 2 : o[j];
        p[j] = fmin(fmax(p[j], 1e-6), 1 - 1e-6);
        sum += p[j];
    }
    if (d->task == 1) { /* exclusive classes */
        for (int j = 0; j < d->k; j++)
            if (y[j] > 0.5)
                loss = -log(p[j] / sum);
        return loss;
    }
    for (int j = 0; j < d->k; j++)
        loss -= y[j] * log(p[j]) + (1 - y[j]) * log(1 - p[j]);
    return loss / d->k;
}

/* Trains head h on d's training rows; returns the mean test metric. */
static double fit_head(const task_data *d, int h)
{
    double w[KMAX][D + 1] = {{0}}, m[KMAX][D + 1] = {{0}}, v[KMAX][D + 1] = {{0}};
    double z[KMAX], o[KMAX], g[KMAX];
    for (int it = 1; it <= ITERS; it++) {
        double grad[KMAX][D + 1] = {{0}};
        for (int n = 0; n < NTRAIN; n++) {
            for (int j = 0; j < d->k; j++) {
                z[j] = w[j][D];
                for (int i = 0; i < D; i++)
                    z[j] += w[j][i] * d->x[n][i];
            }
            outputs(h, z, d->k, o);
            gradient(h, d, o, d->y[n], g);
            for (int j = 0; j < d->k; j++) {
                for (int i = 0; i < D; i++)
                    grad[j][i] += g[j] * d->x[n][i] / NTRAIN;
                grad[j][D] += g[j] / NTRAIN;
            }
        }
        const double c1 = 1 - pow(0.9, it), c2 = 1 - pow(0.999, it);
        for (int j = 0; j < d->k; j++)
            for (int i = 0; i <= D; i++) {
                m[j][i] = 0.9 * m[j][i] + 0.1 * grad[j][i];
                v[j][i] = 0.999 * v[j][i] + 0.001 * grad[j][i] * grad[j][i];
                w[j][i] -= Q4_LR * (m[j][i] / c1) / (sqrt(v[j][i] / c2) + 1e-8);
            }
    }
    double total = 0;
    for (int n = NTRAIN; n < NTRAIN + NTEST; n++) {
        for (int j = 0; j < d->k; j++) {
            z[j] = w[j][D];
            for (int i = 0; i < D; i++)
                z[j] += w[j][i] * d->x[n][i];
        }
        outputs(h, z, d->k, o);
        total += metric(d, h, o, d->y[n]);
    }
    return total / NTEST;
}

int q4_output_roles(int ns, uint64_t seed0, double out[Q4_TASKS][Q4_HEADS][LAB_MAX_SEEDS])
{
    task_data *d = malloc(sizeof *d);
    if (!d)
        return 1;
    for (int t = 0; t < Q4_TASKS; t++)
        for (int i = 0; i < ns; i++) {
            generate(t, seed0 + (uint64_t)i, d);
            for (int h = 0; h < Q4_HEADS; h++)
                out[t][h][i] = task_heads[t][h] ? fit_head(d, h) : NAN;
        }
    free(d);
    return 0;
}
