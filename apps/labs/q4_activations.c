/* q4: "Which activation function should you use, and when?" Each activation's kernel cost per
 * element (forward and backward, the dispatched kernels alone), the accuracy of the same deep
 * network after the same budget over seeds (the claimed ranking tested pair by pair against the
 * spread), and the output layers by role (q4_outputs.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "q4.h"

#define Q4_CHEAP_SLACK 1.10 /* "ReLU is the cheapest": within 10% of the fastest forward */
#define Q4_ACC_FLOOR 0.005  /* accuracy differences below half a point never count */
#define Q4_ROLE_FLOOR 0.02  /* an output "wins" by more than 2% of its metric (and the spread) */
#define Q4_ROUNDS 9         /* interleaved timing rounds of the kernels */

typedef struct contender {
    const char *name;
    sdn_activation act;
    sdn_init_kind init; /* the one it is meant for (Keras' glorot for the saturating ones) */
} contender;

/* in the claimed order, best first */
static const contender acts[6] = {{"selu", SDN_ACT_SELU, SDN_INIT_LECUN_NORMAL},
                                  {"elu", SDN_ACT_ELU, SDN_INIT_HE_NORMAL},
                                  {"leaky_relu", SDN_ACT_LEAKY_RELU, SDN_INIT_HE_NORMAL},
                                  {"relu", SDN_ACT_RELU, SDN_INIT_HE_NORMAL},
                                  {"tanh", SDN_ACT_TANH, SDN_INIT_GLOROT_UNIFORM},
                                  {"sigmoid", SDN_ACT_SIGMOID, SDN_INIT_GLOROT_UNIFORM}};

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One timing of ns per element, forward (which = 0) or backward, over about `total` elements. */
static double kernel_ns(sdn_activation act, int which, size_t n, double total, float *x, float *y,
                        float *g)
{
    const int reps = (int)(total / (double)n) + 1;
    const double t0 = lab_now();
    for (int r = 0; r < reps; r++)
        if (which)
            sdn_activation_backward_n(act, 0, n, x, y, y, g);
        else
            sdn_activation_forward_n(act, 0, n, x, y);
    return (lab_now() - t0) * 1e9 / ((double)reps * (double)n);
}

static int kernel_costs(const lab_ctx *ctx, double ns[6][2])
{
    const size_t n = ctx->quick ? (size_t)1 << 14 : (size_t)1 << 20;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *g = malloc(n * sizeof *g);
    if (!x || !y || !g) {
        free(x), free(y), free(g);
        return 1;
    }
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(2.0 * lab_normal(&s));
    /* interleaved rounds (every kernel once a round), so that a load that comes and goes falls
     * on all of them alike; the median of the rounds */
    double t[6][2][Q4_ROUNDS];
    for (int r = 0; r < Q4_ROUNDS; r++)
        for (int a = 0; a < 6; a++)
            for (int w = 0; w < 2; w++)
                t[a][w][r] = kernel_ns(acts[a].act, w, n, ctx->quick ? 4e4 : 8e6, x, y, g);
    for (int a = 0; a < 6; a++)
        for (int w = 0; w < 2; w++) {
            qsort(t[a][w], Q4_ROUNDS, sizeof(double), cmp_double);
            ns[a][w] = t[a][w][Q4_ROUNDS / 2];
        }
    free(x), free(y), free(g);
    return 0;
}

/* The output roles: each task's recommended head against its rivals, by the paired difference
 * of the test metric (rival − right) relative to the right head's, over the seeds. Returns the
 * tasks the right head won. */
static int output_roles(lab_ctx *ctx, int ns, double m[Q4_TASKS][Q4_HEADS][LAB_MAX_SEEDS])
{
    int won = 0;
    lab_md(ctx, "\n| task (generated) | right output | logistic | softmax | tanh | linear | "
                "right one wins |\n|---|---|---:|---:|---:|---:|---|\n");
    for (int t = 0; t < Q4_TASKS; t++) {
        const int right = q4_task_right(t);
        int wins = 1;
        char cells[Q4_HEADS][48], key[32];
        for (int h = 0; h < Q4_HEADS; h++) {
            if (!q4_task_has(t, h)) {
                snprintf(cells[h], 48, "—");
                continue;
            }
            lab_spread_cell(cells[h], 48, lab_spread_of(m[t][h], ns), 0);
            snprintf(key, sizeof key, "role%d_%s", t, q4_head_name(h));
            lab_nums(ctx, key, m[t][h], ns);
            if (h == right)
                continue;
            double d[LAB_MAX_SEEDS];
            for (int i = 0; i < ns; i++)
                d[i] = (m[t][h][i] - m[t][right][i]) / m[t][right][i];
            const lab_spread zero = {0, 0, 0, 0, ns};
            wins &= lab_compare(lab_spread_of(d, ns), zero, Q4_ROLE_FLOOR) > 0;
        }
        won += wins;
        lab_md(ctx, "| %s | %s | %s | %s | %s | %s | %s |\n", q4_task_name(t), q4_head_name(right),
               cells[0], cells[1], cells[2], cells[3], wins ? "yes" : "no");
    }
    lab_md(ctx, "\n");
    return won;
}

/* The claimed order tested pair by pair: inverted when the lower-ranked one is better beyond the
 * spread, a tie when there is no measurable difference. */
static int ranking(lab_ctx *ctx, const lab_spread *v, int *ties)
{
    int inverted = 0;
    *ties = 0;
    lab_md(ctx, "Claimed order, pair by pair: ");
    for (int a = 0; a + 1 < 6; a++) {
        const int c = lab_compare(v[a], v[a + 1], Q4_ACC_FLOOR);
        inverted += c < 0;
        *ties += c == 0;
        lab_md(ctx, "%s %s %s (%+.2f points, noise %.2f)%s", acts[a].name,
               c > 0   ? ">"
               : c < 0 ? "<"
                       : "≈",
               acts[a + 1].name, lab_pct(v[a].mean - v[a + 1].mean),
               lab_pct(lab_noise(v[a], v[a + 1], Q4_ACC_FLOOR)), a < 4 ? "; " : ".\n\n");
    }
    return inverted;
}

static void setup(lab_ctx *ctx, const lab_run *run, int ns)
{
    lab_md(ctx,
           "**Setup**: kernel cost = median of %d interleaved rounds (every kernel timed once a "
           "round) of the dispatched kernel (ISA %s) over "
           "%s elements, in ns per element. Hidden layers: %d x Dense(%zu) with each activation "
           "and its initializer, Nadam lr %g, batch 32, %d epochs (the same budget for all), %d "
           "seeds; a pair of the claimed order is inverted only when the lower-ranked one's mean "
           "is higher by more than the larger seed-to-seed sd (and %.1f point). Output layers: "
           "one generated task per role and seed (8 Gaussian inputs, 500 training and 2000 test "
           "rows, made by the model the role calls for), each candidate output a Dense layer "
           "trained by full-batch Adam with its loss (cross-entropy for logistic and softmax on "
           "labels, squared error otherwise); metric: test log-loss or squared error (lower is "
           "better); the right output wins when every rival's metric is higher, seed by seed, "
           "by more than the spread of that difference and %.0f%%. (A two-class softmax and a "
           "logistic unit are the same function of the logit difference, so no task tells them "
           "apart.)\n\n",
           Q4_ROUNDS, sdn_isa_name(sdn_active_isa()), ctx->quick ? "16K" : "1M", ctx->layers,
           ctx->units, (double)run->opt.learning_rate, run->epochs, ns, lab_pct(Q4_ACC_FLOOR),
           lab_pct(Q4_ROLE_FLOOR));
}

int lab_q4_activations(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 4 and the chapter's advice): in general SELU > ELU > leaky "
                "ReLU > ReLU > tanh > sigmoid for the hidden layers of deep networks; ReLU is the "
                "cheapest to compute; the output layer follows the task: logistic for binary and "
                "multi-label classification, softmax for exclusive classes, tanh for targets in "
                "[-1, 1], none (linear) for regression.\n\n");
    double ns_cost[6][2];
    if (kernel_costs(ctx, ns_cost)) {
        fprintf(stderr, "simdnn: out of memory\n");
        return 1;
    }
    lab_run run =
        lab_run_defaults(ctx, lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL), SDN_OPT_NADAM, 1e-4f);
    run.epochs = ctx->epochs * 6 / 10 > 1 ? ctx->epochs * 6 / 10 : 2;
    const int ns = lab_seed_count(ctx, 1);
    setup(ctx, &run, ns);
    double val[6][LAB_MAX_SEEDS], fwd[6], bwd[6];
    lab_spread v[6];
    lab_md(ctx, "| activation | init | forward ns/elt | backward ns/elt | best val acc | test acc "
                "|\n|---|---|---:|---:|---:|---:|\n");
    for (int a = 0; a < 6; a++) {
        double test[LAB_MAX_SEEDS];
        char c[2][48], key[32];
        run.spec = lab_spec(ctx, acts[a].act, acts[a].init);
        if (lab_train_seeds(ctx, acts[a].name, &run, ns, NULL, val[a], test, NULL, NULL))
            return 1;
        fwd[a] = ns_cost[a][0];
        bwd[a] = ns_cost[a][1];
        v[a] = lab_spread_of(val[a], ns);
        snprintf(key, sizeof key, "%s_val", acts[a].name);
        lab_nums(ctx, key, val[a], ns);
        lab_md(ctx, "| %s | %s | %.3f | %.3f | %s | %s |\n", acts[a].name,
               sdn_init_name(acts[a].init), fwd[a], bwd[a], lab_spread_cell(c[0], 48, v[a], 1),
               lab_spread_cell(c[1], 48, lab_spread_of(test, ns), 1));
    }
    lab_md(ctx, "\n");
    int ties;
    const int inverted = ranking(ctx, v, &ties);
    static double roles[Q4_TASKS][Q4_HEADS][LAB_MAX_SEEDS];
    if (q4_output_roles(ns, ctx->cfg->seed, roles))
        return 1;
    const int won = output_roles(ctx, ns, roles);
    lab_nums(ctx, "forward_ns", fwd, 6); /* selu elu leaky_relu relu tanh sigmoid */
    lab_nums(ctx, "backward_ns", bwd, 6);
    lab_num(ctx, "cheap_slack", Q4_CHEAP_SLACK);
    lab_num(ctx, "acc_floor", Q4_ACC_FLOOR);
    lab_num(ctx, "role_floor", Q4_ROLE_FLOOR);
    int cheapest = 0;
    for (int a = 1; a < 6; a++)
        cheapest = fwd[a] < fwd[cheapest] ? a : cheapest;
    const int relu_cheap = fwd[3] <= Q4_CHEAP_SLACK * fwd[cheapest];
    const int held = (inverted == 0) + relu_cheap + (won == Q4_TASKS);
    const char *verdict = lab_verdict(ctx, held, 3);
    lab_md(ctx,
           "**Verdict: %s.** Hidden layers: %d of the 5 claimed pairs inverted beyond the "
           "spread, %d with no measurable difference (the ranking %s). Cheapest forward kernel: "
           "%s (%.3f ns/element); ReLU %s (%.3f). Output layers: the recommended one wins on %d "
           "of %d tasks.\n",
           verdict, inverted, ties,
           inverted ? "does not hold here"
           : ties   ? "is not contradicted, but the ties leave it unproven"
                    : "holds",
           acts[cheapest].name, fwd[cheapest], relu_cheap ? "is within 10% of it" : "is not",
           fwd[3], won, Q4_TASKS);
    return 0;
}
