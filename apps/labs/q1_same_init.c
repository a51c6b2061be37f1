/* q1: "Is it OK to initialize all the weights to the same value as long as that value is selected
 * randomly using He initialization?" Every kernel of a layer gets ONE He-sampled value; against
 * proper He init we count the distinct units each layer ends with and the accuracy, over seeds. */
#include <math.h>

#include "lab.h"

/* Units are distinct when their incoming weights differ by more than this, relative to the
 * layer's largest weight. */
#define Q1_TOL 1e-6
/* The smallest difference of accuracy that counts, whatever the spread (one seed: the noise). */
#define Q1_ACC_MARGIN 0.02

static void one_value_per_layer(sdn_model *m, void *arg)
{
    const lab_ctx *ctx = arg;
    uint64_t s = ctx->seed * 7 + 1;
    sdn_tensor k[64];
    const int n = lab_params(m, ".kernel", k, 64);
    for (int l = 0; l < n; l++) {
        const double v = lab_normal(&s) * sqrt(2.0 / (double)k[l].shape[0]); /* He normal */
        for (size_t i = 0; i < k[l].size; i++)
            k[l].data[i] = (float)v;
    }
}

/* The fewest and most distinct units of any hidden layer, over every seed's trained model. */
typedef struct distinct_range {
    int lo, hi;
} distinct_range;

static void count_distinct(lab_ctx *ctx, const lab_result *r, int i, void *arg)
{
    distinct_range *d = arg;
    int dl[64];
    const int nl = lab_distinct_units(r->model, Q1_TOL, dl, 64);
    for (int l = 0; l < nl; l++) {
        d->lo = dl[l] < d->lo ? dl[l] : d->lo;
        d->hi = dl[l] > d->hi ? dl[l] : d->hi;
    }
}

int lab_q1_same_init(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (Géron, ch. 11, question 1): no — all weights of a layer equal means "
                "every unit of the layer computes the same thing and gets the same gradient, so "
                "they stay equal: the layer behaves like one unit, whatever value He picked.\n\n");
    const sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    lab_run run = lab_run_defaults(ctx, spec, SDN_OPT_NADAM, 1e-4f);
    const int ns = lab_seed_count(ctx, 1);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU), Nadam lr %g, batch 32, %d epochs, %d seeds each "
           "(weights, shuffles and the constant). *Constant*: every kernel weight of a layer "
           "set to one value drawn from He normal (N(0, 2/fan_in)), biases 0. *He*: He normal "
           "per weight. A unit is distinct when its incoming weights differ from every earlier "
           "unit's by more than %g of the layer's largest weight. \"Worse\" needs a gap of mean "
           "validation accuracy larger than the larger seed-to-seed standard deviation and than "
           "%.0f points.\n\n",
           spec.hidden_layers, spec.units, (double)run.opt.learning_rate, run.epochs, ns, Q1_TOL,
           lab_pct(Q1_ACC_MARGIN));
    run.prepare = one_value_per_layer;
    run.arg = ctx;
    lab_result cst, he;
    double cv[LAB_MAX_SEEDS], ct[LAB_MAX_SEEDS], hv[LAB_MAX_SEEDS], ht[LAB_MAX_SEEDS];
    distinct_range dc = {1 << 30, 0}, dh = {1 << 30, 0};
    if (lab_train_seeds(ctx, "constant per layer", &run, ns, &cst, cv, ct, count_distinct, &dc))
        return 1;
    run.prepare = NULL;
    if (lab_train_seeds(ctx, "he_normal", &run, ns, &he, hv, ht, count_distinct, &dh)) {
        lab_result_free(&cst);
        return 1;
    }
    const lab_spread scv = lab_spread_of(cv, ns), shv = lab_spread_of(hv, ns),
                     sct = lab_spread_of(ct, ns), sht = lab_spread_of(ht, ns);
    char a[48], b[48];
    lab_md(ctx,
           "| init | distinct units per layer (fewest / most, any layer, any seed) | best val acc "
           "| test acc |\n|---|---:|---:|---:|\n");
    lab_md(ctx, "| constant per layer | %d / %d of %zu | %s | %s |\n", dc.lo, dc.hi, spec.units,
           lab_spread_cell(a, sizeof a, scv, 1), lab_spread_cell(b, sizeof b, sct, 1));
    lab_md(ctx, "| He normal | %d / %d of %zu | %s | %s |\n\n", dh.lo, dh.hi, spec.units,
           lab_spread_cell(a, sizeof a, shv, 1), lab_spread_cell(b, sizeof b, sht, 1));
    lab_num(ctx, "units", (double)spec.units);
    lab_num(ctx, "constant_max_distinct", dc.hi);
    lab_num(ctx, "he_min_distinct", dh.lo);
    lab_nums(ctx, "constant_val", cv, ns);
    lab_nums(ctx, "he_val", hv, ns);
    lab_nums(ctx, "constant_test", ct, ns);
    lab_nums(ctx, "he_test", ht, ns);
    lab_num(ctx, "acc_margin", Q1_ACC_MARGIN);

    /* The verdict, from the numbers above only. */
    const int collapsed = dc.hi == 1;
    const int worse = lab_compare(shv, scv, Q1_ACC_MARGIN) > 0;
    const char *verdict = collapsed && worse ? "confirmed" : collapsed ? "partly" : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx, "**Verdict: %s.** ", verdict);
    if (collapsed)
        lab_md(ctx,
               "After training, every hidden layer of every constant-init network still has "
               "exactly one distinct unit (He init: at least %d of %zu): the symmetry is never "
               "broken. ",
               dh.lo, spec.units);
    else
        lab_md(ctx,
               "Some layer of a constant-init network ended with %d distinct units: something "
               "broke the symmetry. ",
               dc.hi);
    lab_md(ctx,
           "Mean validation accuracy %.2f%% against %.2f%% with He init: %+.2f points against a "
           "noise of %.2f points (the larger seed-to-seed sd, at least %.0f), so %s.\n",
           lab_pct(scv.mean), lab_pct(shv.mean), lab_pct(shv.mean - scv.mean),
           lab_pct(lab_noise(scv, shv, Q1_ACC_MARGIN)), lab_pct(Q1_ACC_MARGIN),
           worse ? "constant init is worse" : "no measurable difference");
    const lab_result *runs[2] = {&cst, &he};
    const char *labels[2] = {"constant", "he_normal"};
    lab_accuracy_figure(ctx, "accuracy", runs, labels, 2);
    lab_result_free(&cst);
    lab_result_free(&he);
    return 0;
}
