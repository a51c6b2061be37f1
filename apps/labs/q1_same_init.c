/* q1: "Is it OK to initialize all the weights to the same value as long as that value is selected
 * randomly using He initialization?" Every kernel of a layer gets ONE He-sampled value; against
 * proper He init we count the distinct units each layer ends with and the accuracy. */
#include <math.h>

#include "lab.h"

/* Units are distinct when their incoming weights differ by more than this, relative to the
 * layer's largest weight. */
#define Q1_TOL 1e-6
/* Proper init must beat the constant one by this much accuracy to call it "worse". */
#define Q1_ACC_MARGIN 0.02

static void one_value_per_layer(sdn_model *m, void *arg)
{
    uint64_t s = *(uint64_t *)arg;
    sdn_tensor k[64];
    const int n = lab_params(m, ".kernel", k, 64);
    for (int l = 0; l < n; l++) {
        const double v = lab_normal(&s) * sqrt(2.0 / (double)k[l].shape[0]); /* He normal */
        for (size_t i = 0; i < k[l].size; i++)
            k[l].data[i] = (float)v;
    }
}

/* The table, the numbers and the verdict. */
static void conclude(lab_ctx *ctx, const sdn_net_spec *sp, const lab_result *c, const lab_result *h)
{
    const sdn_net_spec spec = *sp;
    const lab_result cst = *c, he = *h;
    int dc[64], dh[64];
    const int nl = lab_distinct_units(cst.model, Q1_TOL, dc, 64);
    lab_distinct_units(he.model, Q1_TOL, dh, 64);
    double vc[64], vh[64];
    int max_c = 0, min_h = 1 << 30;
    for (int l = 0; l < nl; l++) {
        vc[l] = dc[l];
        vh[l] = dh[l];
        max_c = dc[l] > max_c ? dc[l] : max_c;
        min_h = dh[l] < min_h ? dh[l] : min_h;
    }
    lab_md(ctx,
           "| init | distinct units per layer (min / max of %d layers) | best val acc | test "
           "acc |\n|---|---:|---:|---:|\n",
           nl);
    int min_c = 1 << 30, max_h = 0;
    for (int l = 0; l < nl; l++) {
        min_c = dc[l] < min_c ? dc[l] : min_c;
        max_h = dh[l] > max_h ? dh[l] : max_h;
    }
    lab_md(ctx, "| constant per layer | %d / %d of %zu | %.2f%% | %.2f%% |\n", min_c, max_c,
           spec.units, lab_pct(cst.val_accuracy), lab_pct(cst.test_accuracy));
    lab_md(ctx, "| He normal | %d / %d of %zu | %.2f%% | %.2f%% |\n\n", min_h, max_h, spec.units,
           lab_pct(he.val_accuracy), lab_pct(he.test_accuracy));
    lab_num(ctx, "units", (double)spec.units);
    lab_nums(ctx, "constant_distinct", vc, nl);
    lab_nums(ctx, "he_distinct", vh, nl);
    lab_num(ctx, "constant_val_accuracy", cst.val_accuracy);
    lab_num(ctx, "he_val_accuracy", he.val_accuracy);
    lab_num(ctx, "constant_test_accuracy", cst.test_accuracy);
    lab_num(ctx, "he_test_accuracy", he.test_accuracy);
    lab_num(ctx, "acc_margin", Q1_ACC_MARGIN);

    /* The verdict, from the numbers above only. */
    const int collapsed = max_c == 1;
    const int worse = he.val_accuracy > cst.val_accuracy + Q1_ACC_MARGIN;
    const char *verdict = collapsed && worse ? "confirmed" : collapsed ? "partly" : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx, "**Verdict: %s.** ", verdict);
    if (collapsed)
        lab_md(ctx,
               "After training, every hidden layer of the constant-init network still has "
               "exactly one distinct unit (He init: at least %d of %zu): the symmetry is "
               "never broken. ",
               min_h, spec.units);
    else
        lab_md(ctx,
               "Some layer of the constant-init network ended with %d distinct units: "
               "something broke the symmetry. ",
               max_c);
    lab_md(ctx,
           "Validation accuracy %.2f%% against %.2f%% with He init (%+.2f points; the "
           "threshold for \"worse\" is %.0f points).\n",
           lab_pct(cst.val_accuracy), lab_pct(he.val_accuracy),
           lab_pct(he.val_accuracy - cst.val_accuracy), lab_pct(Q1_ACC_MARGIN));
}

int lab_q1_same_init(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (Géron, ch. 11, question 1): no — all weights of a layer equal means "
                "every unit of the layer computes the same thing and gets the same gradient, so "
                "they stay equal: the layer behaves like one unit, whatever value He picked.\n\n");
    const sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    lab_run run = lab_run_defaults(ctx, spec, SDN_OPT_NADAM, 1e-4f);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU), Nadam lr %g, batch 32, %d epochs. *Constant*: "
           "every kernel weight of a layer set to one value drawn from He normal "
           "(N(0, 2/fan_in)), biases 0. *He*: He normal per weight. A unit is distinct "
           "when its incoming weights differ from every earlier unit's by more than %g of "
           "the layer's largest weight.\n\n",
           spec.hidden_layers, spec.units, (double)run.opt.learning_rate, run.epochs, Q1_TOL);
    uint64_t seed = ctx->cfg->seed * 7 + 1;
    run.prepare = one_value_per_layer;
    run.arg = &seed;
    lab_result cst, he;
    if (lab_train(ctx, "constant per layer", &run, &cst))
        return 1;
    run.prepare = NULL;
    if (lab_train(ctx, "he_normal", &run, &he)) {
        lab_result_free(&cst);
        return 1;
    }
    conclude(ctx, &spec, &cst, &he);
    const lab_result *runs[2] = {&cst, &he};
    const char *labels[2] = {"constant", "he_normal"};
    lab_accuracy_figure(ctx, "accuracy", runs, labels, 2);
    lab_result_free(&cst);
    lab_result_free(&he);
    return 0;
}
