/* q6: "Name three ways you can produce a sparse model." Measured side by side: magnitude pruning
 * after training (accuracy against sparsity), L1 regularization (sparsity against strength),
 * gradual pruning during training on a polynomial schedule (Zhu & Gupta, as the TensorFlow Model
 * Optimization toolkit does) and a sparse initialization kept sparse; the same table for each. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define Q6_TOL 0.01      /* pruning "holds" while accuracy drops less than 1 point */
#define Q6_L1_ZERO 1e-3  /* L1: weights with |w| <= this are zeroed (and counted) */
#define Q6_TARGET 0.9    /* gradual pruning's final sparsity, compared with one-shot */
#define Q6_SPARSE_FAN 15 /* sparse init: nonzero incoming weights per unit (Martens 2010) */

static const double fractions[] = {0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98};
enum { NF = sizeof fractions / sizeof fractions[0] };

/* Kernel zeros, accuracy and CSR size: values 4 B + uint16 column 2 B per nonzero, row pointers
 * 4 B per row + 1, biases dense. */
typedef struct sparse_row {
    double zero, val, test, kib, dense_kib;
} sparse_row;

static sparse_row measure(lab_ctx *ctx, sdn_model *m)
{
    sdn_tensor k[64], b[64];
    const int n = lab_params(m, ".kernel", k, 64);
    lab_params(m, ".bias", b, 64);
    double nnz = 0, total = 0, bytes = 0, dense = 0;
    for (int l = 0; l < n; l++) {
        size_t z = 0;
        for (size_t i = 0; i < k[l].size; i++)
            z += k[l].data[i] == 0.0f;
        nnz += (double)(k[l].size - z);
        total += (double)k[l].size;
        bytes +=
            6.0 * (double)(k[l].size - z) + 4.0 * (double)(k[l].shape[0] + 1) + 4.0 * b[l].size;
        dense += 4.0 * (double)(k[l].size + b[l].size);
    }
    return (sparse_row){1 - nnz / total, lab_accuracy(ctx, m, &ctx->val, NULL),
                        lab_accuracy(ctx, m, &ctx->test, NULL), bytes / 1024, dense / 1024};
}

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Magnitude pruning layer by layer, as TF-MOT's prune_low_magnitude and PyTorch's per-module
 * l1_unstructured do: every kernel loses its own smallest `fraction` (one global threshold would
 * empty the 3072-input first layer, whose He-scaled weights are the smallest). */
static void prune_layers(sdn_model *m, double fraction)
{
    sdn_tensor k[64];
    const int n = lab_params(m, ".kernel", k, 64);
    for (int l = 0; l < n; l++) {
        float *mag = malloc(k[l].size * sizeof *mag);
        if (!mag)
            return;
        for (size_t i = 0; i < k[l].size; i++)
            mag[i] = fabsf(k[l].data[i]);
        qsort(mag, k[l].size, sizeof *mag, cmp_float);
        const size_t q = (size_t)(fraction * (double)k[l].size);
        const float thr = q >= k[l].size ? INFINITY : mag[q];
        for (size_t i = 0; i < k[l].size; i++)
            if (fabsf(k[l].data[i]) < thr)
                k[l].data[i] = 0.0f;
        free(mag);
    }
}

/* A mask over every kernel weight: after each step the masked weights go back to 0. */
typedef struct masker {
    uint8_t *mask;                         /* 1 = pruned */
    size_t steps, prune_every, begin, end; /* gradual pruning: schedule in steps; 0 = static */
    double final;
    uint64_t seed; /* of the sparse init's pattern */
} masker;

static void apply_mask(sdn_model *m, const uint8_t *mask, int record)
{
    sdn_tensor k[64];
    const int n = lab_params(m, ".kernel", k, 64);
    size_t at = 0;
    for (int l = 0; l < n; l++)
        for (size_t i = 0; i < k[l].size; i++, at++)
            if (record)
                ((uint8_t *)mask)[at] = k[l].data[i] == 0.0f;
            else if (mask[at])
                k[l].data[i] = 0.0f;
}

/* s_t = s_f·(1 − (1 − (t − t0)/(t1 − t0))³) between t0 and t1 (Zhu & Gupta 2017) */
static int prune_step(sdn_model *m, size_t step, float loss, void *arg)
{
    masker *g = arg;
    if (g->prune_every && step >= g->begin && step % g->prune_every == 0) {
        const double p = fmin(1.0, (double)(step - g->begin) / (double)(g->end - g->begin));
        prune_layers(m, g->final * (1 - pow(1 - p, 3)));
        apply_mask(m, g->mask, 1);
        return 0;
    }
    apply_mask(m, g->mask, 0);
    return 0;
}

/* Martens' sparse init: Q6_SPARSE_FAN nonzero incoming weights per unit, He-scaled for that fan. */
static void sparse_init(sdn_model *m, void *arg)
{
    masker *g = arg;
    uint64_t s = 99 + g->seed;
    sdn_tensor k[64];
    const int n = lab_params(m, ".kernel", k, 64);
    for (int l = 0; l < n; l++) {
        const size_t rows = k[l].shape[0], cols = k[l].shape[1];
        const size_t fan = rows < Q6_SPARSE_FAN ? rows : Q6_SPARSE_FAN;
        memset(k[l].data, 0, k[l].size * sizeof(float));
        for (size_t j = 0; j < cols; j++)
            for (size_t c = 0; c < fan; c++) {
                s ^= s << 13, s ^= s >> 7, s ^= s << 17;
                const size_t r = (size_t)(s % rows); /* a repeat just leaves one fewer */
                k[l].data[r * cols + j] = (float)(lab_normal(&s) * sqrt(2.0 / (double)fan));
            }
    }
    apply_mask(m, g->mask, 1);
}

static sdn_model *build(lab_ctx *ctx, float l1)
{
    sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    spec.l1 = l1;
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_NADAM);
    opt.learning_rate = 1e-4f;
    sdn_model *m = NULL;
    if (sdn_net_build(&spec, ctx->seed, 32, &opt, &m))
        app_error();
    return m;
}

typedef struct q6_results {
    sparse_row prune[NF], l1[3], gradual, sparse;
} q6_results;

static const float l1s[3] = {1e-5f, 1e-4f, 1e-3f};

/* One model trained, then pruned to each fraction (weights restored in between). */
static int one_shot(lab_ctx *ctx, q6_results *q)
{
    sdn_model *m = build(ctx, 0);
    if (!m || lab_fit_steps(ctx, m, &ctx->train, ctx->epochs, 32, NULL, NULL, NULL, 0) < 0)
        return sdn_model_free(m), 1;
    const size_t count = sdn_model_param_count(m);
    float *saved = malloc(count * sizeof *saved);
    int rc = !saved || sdn_model_get_params(m, saved, count);
    for (int i = 0; i < NF && !rc; i++) {
        prune_layers(m, fractions[i]);
        q->prune[i] = measure(ctx, m);
        sdn_model_set_params(m, saved, count);
    }
    free(saved);
    sdn_model_free(m);
    return rc;
}

/* L1 at three strengths; weights with |w| <= Q6_L1_ZERO zeroed before measuring. */
static int l1_runs(lab_ctx *ctx, q6_results *q)
{
    for (int i = 0; i < 3; i++) {
        sdn_model *m = build(ctx, l1s[i]);
        if (!m || lab_fit_steps(ctx, m, &ctx->train, ctx->epochs, 32, NULL, NULL, NULL, 0) < 0)
            return sdn_model_free(m), 1;
        sdn_tensor k[64];
        for (int l = 0, n = lab_params(m, ".kernel", k, 64); l < n; l++)
            for (size_t j = 0; j < k[l].size; j++)
                if (fabsf(k[l].data[j]) <= Q6_L1_ZERO)
                    k[l].data[j] = 0.0f;
        q->l1[i] = measure(ctx, m);
        sdn_model_free(m);
    }
    return 0;
}

/* Gradual pruning (pass 0) and the sparse init kept sparse (pass 1), both under a mask. */
static int masked_runs(lab_ctx *ctx, size_t steps, q6_results *q)
{
    sdn_model *m = build(ctx, 0);
    size_t total = 0;
    sdn_tensor k[64];
    for (int l = 0, n = m ? lab_params(m, ".kernel", k, 64) : 0; l < n; l++)
        total += k[l].size;
    sdn_model_free(m);
    masker g = {
        calloc(total ? total : 1, 1), steps, 50, steps / 10, steps * 7 / 10, Q6_TARGET, ctx->seed};
    int rc = !total || !g.mask;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        memset(g.mask, 0, total);
        g.prune_every = pass ? 0 : 50;
        if (!(m = build(ctx, 0))) {
            rc = 1;
            break;
        }
        if (pass)
            sparse_init(m, &g);
        rc = lab_fit_steps(ctx, m, &ctx->train, ctx->epochs, 32, prune_step, &g, NULL, 0) < 0;
        *(pass ? &q->sparse : &q->gradual) = measure(ctx, m);
        sdn_model_free(m);
    }
    free(g.mask);
    return rc;
}

/* One row of the table: a method's numbers over the seeds. */
static void row(lab_ctx *ctx, const char *what, const q6_results *q, int ns,
                const sparse_row *(*pick)(const q6_results *, int), int which, lab_spread *val)
{
    double z[LAB_MAX_SEEDS], v[LAB_MAX_SEEDS], t[LAB_MAX_SEEDS], kib[LAB_MAX_SEEDS];
    for (int i = 0; i < ns; i++) {
        const sparse_row *r = pick(&q[i], which);
        z[i] = r->zero, v[i] = r->val, t[i] = r->test, kib[i] = r->kib;
    }
    char c[3][48];
    *val = lab_spread_of(v, ns);
    lab_md(ctx, "| %s | %s | %s | %s | %.0f KiB (dense %.0f) |\n", what,
           lab_spread_cell(c[0], 48, lab_spread_of(z, ns), 1), lab_spread_cell(c[1], 48, *val, 1),
           lab_spread_cell(c[2], 48, lab_spread_of(t, ns), 1), lab_spread_of(kib, ns).mean,
           pick(&q[0], which)->dense_kib);
}

static const sparse_row *pick_prune(const q6_results *q, int i)
{
    return &q->prune[i];
}
static const sparse_row *pick_l1(const q6_results *q, int i)
{
    return &q->l1[i];
}
static const sparse_row *pick_other(const q6_results *q, int i)
{
    return i ? &q->sparse : &q->gradual;
}

/* Validation accuracy and zeros of every seed into the JSON, one list per method. */
static void numbers(lab_ctx *ctx, const q6_results *q, int ns)
{
    double v[LAB_MAX_SEEDS];
    char key[48];
    lab_nums(ctx, "prune_fraction", fractions, NF);
    for (int f = 0; f < NF; f++) {
        for (int i = 0; i < ns; i++)
            v[i] = q[i].prune[f].val;
        snprintf(key, sizeof key, "prune%d_val", f);
        lab_nums(ctx, key, v, ns);
    }
    for (int l = 0; l < 3; l++) {
        for (int i = 0; i < ns; i++)
            v[i] = q[i].l1[l].zero;
        snprintf(key, sizeof key, "l1_%d_zero", l);
        lab_nums(ctx, key, v, ns);
    }
    for (int i = 0; i < ns; i++)
        v[i] = q[i].gradual.val;
    lab_nums(ctx, "gradual_val", v, ns);
    lab_num(ctx, "tol", Q6_TOL);
    lab_num(ctx, "target", Q6_TARGET);
}

/* The table, the numbers, the verdict and the figure. */
static void conclude(lab_ctx *ctx, const q6_results *q, int ns)
{
    lab_spread vf[NF], lv[3], other[2];
    double zf[NF], mf[NF], lz[3], ml[3];
    lab_md(ctx, "| method | zero weights | val acc | test acc | size (mean) |\n|---|---:|---:|---:|"
                "---:|\n");
    char what[64];
    int at_target = 0;
    for (int i = 0; i < NF; i++) {
        snprintf(what, sizeof what, "pruned after training to %.0f%%", lab_pct(fractions[i]));
        row(ctx, what, q, ns, pick_prune, i, &vf[i]);
        at_target = fractions[i] == Q6_TARGET ? i : at_target;
        zf[i] = fractions[i], mf[i] = vf[i].mean;
    }
    lab_spread l1zero[3];
    for (int i = 0; i < 3; i++) {
        double z[LAB_MAX_SEEDS];
        snprintf(what, sizeof what, "L1 %g", (double)l1s[i]);
        row(ctx, what, q, ns, pick_l1, i, &lv[i]);
        for (int k = 0; k < ns; k++)
            z[k] = q[k].l1[i].zero;
        l1zero[i] = lab_spread_of(z, ns);
        lz[i] = l1zero[i].mean, ml[i] = lv[i].mean;
    }
    row(ctx, "gradual pruning to 90%", q, ns, pick_other, 0, &other[0]);
    row(ctx, "sparse init, kept sparse", q, ns, pick_other, 1, &other[1]);
    numbers(ctx, q, ns);
    /* the largest fraction with no measurable loss, and the first with one */
    int safe = 0, first_loss = 0;
    for (int i = 1; i < NF; i++) {
        const int loses = lab_compare(vf[0], vf[i], Q6_TOL) > 0;
        safe = !loses && safe == i - 1 ? i : safe;
        first_loss = loses && !first_loss ? i : first_loss;
    }
    const int pruning_costs = lab_compare(vf[0], vf[NF - 1], Q6_TOL) > 0;
    const int l1_sparsifies = lab_compare(l1zero[2], l1zero[0], 0.01) > 0;
    const int gradual_better = lab_compare(other[0], vf[at_target], 0.005) > 0;
    const char *verdict = lab_verdict(ctx, pruning_costs + l1_sparsifies + gradual_better, 3);
    lab_md(ctx, "\n**Verdict: %s.** ", verdict);
    if (safe)
        lab_md(ctx,
               "One-shot pruning shows no measurable loss (less than %.0f point or the "
               "spread) up to %.0f%% sparsity",
               lab_pct(Q6_TOL), lab_pct(fractions[safe]));
    else
        lab_md(ctx,
               "One-shot pruning already loses more than %.0f point (and the spread) at "
               "%.0f%% sparsity",
               lab_pct(Q6_TOL), lab_pct(fractions[1]));
    if (safe && first_loss)
        lab_md(ctx, "; it loses from %.0f%%", lab_pct(fractions[first_loss]));
    lab_md(
        ctx,
        ". At %.0f%% it %s (%.2f%% against %.2f%% unpruned). Stronger L1 %s (%.1f%% "
        "zeros at %g against %.1f%% at %g). At %.0f%% sparsity gradual pruning reaches %.2f%% "
        "validation accuracy against %.2f%% for one-shot pruning (%s; sd %.2f and %.2f).\n",
        lab_pct(fractions[NF - 1]), pruning_costs ? "costs accuracy" : "shows no measurable loss",
        lab_pct(vf[NF - 1].mean), lab_pct(vf[0].mean),
        l1_sparsifies ? "gives more zeros" : "gives no measurably more zeros", lab_pct(lz[2]),
        (double)l1s[2], lab_pct(lz[0]), (double)l1s[0], lab_pct(Q6_TARGET), lab_pct(other[0].mean),
        lab_pct(vf[at_target].mean), gradual_better ? "better" : "no measurable difference",
        lab_pct(other[0].sd), lab_pct(vf[at_target].sd));
    app_xy_series s[2] = {{"one-shot pruning", zf, mf, NF, 0},
                          {"L1 (1e-5, 1e-4, 1e-3)", lz, ml, 3, 1}};
    app_xy_plot p = {"Mean validation accuracy against the fraction of zero weights",
                     "zero weights",
                     "validation accuracy",
                     0,
                     0,
                     NAN};
    lab_xy_figure(ctx, "sparsity", "accuracy against sparsity", &p, s, 2);
}

int lab_q6_sparse(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 6): a sparse model comes from (1) zeroing the small weights "
                "after training, (2) strong L1 regularization, (3) dedicated tooling such as "
                "gradual pruning during training (TF-MOT); pruning after training costs accuracy "
                "as sparsity grows, gradual pruning keeps more of it.\n\n");
    const size_t steps = (size_t)ctx->epochs * ((ctx->train.n + 31) / 32);
    const int ns = lab_seed_count(ctx, 1);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU, He normal), Nadam lr 1e-4, batch 32, %d epochs "
           "each (no early stopping; final weights), %d seeds (weights, shuffles, sparse "
           "pattern). Sparsity counts exact zeros among the kernel weights (biases excluded); "
           "pruning is per layer (each kernel loses its own smallest weights, as TF-MOT and "
           "PyTorch's per-module pruning do). Size: CSR (4-byte value + 2-byte column per "
           "nonzero, 4-byte row pointers), biases dense. L1: weights with |w| <= %g are "
           "zeroed before measuring. Gradual: every 50 steps from step %zu to %zu the "
           "smallest weights are pruned to s_t = %.2f·(1 − (1 − p)³), a mask keeps them at "
           "0. Sparse init: %d nonzero incoming weights per unit (Martens), kept sparse by "
           "a mask. A loss counts when the mean drops by more than the larger seed-to-seed sd "
           "and %.0f point.\n\n",
           ctx->layers, ctx->units, ctx->epochs, ns, Q6_L1_ZERO, steps / 10, steps * 7 / 10,
           Q6_TARGET, Q6_SPARSE_FAN, lab_pct(Q6_TOL));
    static q6_results q[LAB_MAX_SEEDS];
    int rc = 0;
    for (int i = 0; i < ns && !rc; i++) {
        ctx->seed = lab_seed(ctx, i);
        if (!ctx->print_hash)
            fprintf(stderr, "  seed %llu\n", (unsigned long long)ctx->seed);
        rc = one_shot(ctx, &q[i]) || l1_runs(ctx, &q[i]) || masked_runs(ctx, steps, &q[i]);
    }
    ctx->seed = ctx->cfg->seed;
    if (!rc)
        conclude(ctx, q, ns);
    return rc;
}
