/* q4: "Which activation function should you use, and when?" Each activation's kernel cost per
 * element (forward and backward, the dispatched kernels alone), the accuracy of the same deep
 * network after the same budget, and softmax against sigmoid outputs on a two-class task. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define Q4_CHEAP_SLACK 1.10   /* "ReLU is the cheapest": within 10% of the fastest forward */
#define Q4_BINARY_MARGIN 0.02 /* softmax and sigmoid outputs "equivalent" within 2 points */
#define Q4_CLASS_A 0          /* airplane ... */
#define Q4_CLASS_B 8          /* ... against ship */

typedef struct contender {
    const char *name;
    sdn_activation act;
    sdn_init_kind init; /* the one it is meant for (Keras' glorot for the saturating ones) */
} contender;

static const contender acts[6] = {{"elu", SDN_ACT_ELU, SDN_INIT_HE_NORMAL},
                                  {"selu", SDN_ACT_SELU, SDN_INIT_LECUN_NORMAL},
                                  {"relu", SDN_ACT_RELU, SDN_INIT_HE_NORMAL},
                                  {"leaky_relu", SDN_ACT_LEAKY_RELU, SDN_INIT_HE_NORMAL},
                                  {"tanh", SDN_ACT_TANH, SDN_INIT_GLOROT_UNIFORM},
                                  {"sigmoid", SDN_ACT_SIGMOID, SDN_INIT_GLOROT_UNIFORM}};

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over 5 timings of ns per element, forward (which = 0) or backward. */
static double kernel_ns(sdn_activation act, int which, size_t n, double total, float *x, float *y,
                        float *g)
{
    double t[5];
    const int reps = (int)(total / (double)n) + 1; /* `total` elements a timing */
    for (int k = 0; k < 5; k++) {
        const double t0 = lab_now();
        for (int r = 0; r < reps; r++)
            if (which)
                sdn_activation_backward_n(act, 0, n, x, y, y, g);
            else
                sdn_activation_forward_n(act, 0, n, x, y);
        t[k] = (lab_now() - t0) * 1e9 / ((double)reps * (double)n);
    }
    qsort(t, 5, sizeof *t, cmp_double);
    return t[2];
}

/* The two classes of `d` as an owned set with labels 0 and 1. */
static int two_classes(const sdn_dataset *d, sdn_dataset *out)
{
    memset(out, 0, sizeof *out);
    *out = *d;
    out->owns = 1;
    out->classes = 2;
    out->n = 0;
    out->pixels = malloc(d->n * d->features);
    out->labels = malloc(d->n * sizeof *out->labels);
    if (!out->pixels || !out->labels)
        return 1;
    for (size_t i = 0; i < d->n; i++)
        if (d->labels[i] == Q4_CLASS_A || d->labels[i] == Q4_CLASS_B) {
            memcpy(out->pixels + out->n * d->features, d->pixels + i * d->features, d->features);
            out->labels[out->n++] = d->labels[i] == Q4_CLASS_B;
        }
    return 0;
}

/* Sigmoid output as softmax over (z, 0): the output layer's second unit has weights and bias 0,
 * reset after every step, so p = sigmoid(z) and the loss is binary cross-entropy exactly. */
static int freeze_second_logit(sdn_model *m, size_t step, float loss, void *arg)
{
    sdn_tensor k[64], b[64];
    const int n = lab_params(m, ".kernel", k, 64);
    lab_params(m, ".bias", b, 64);
    for (size_t r = 0; r < k[n - 1].shape[0]; r++)
        k[n - 1].data[r * 2 + 1] = 0.0f;
    b[n - 1].data[1] = 0.0f;
    return 0;
}

/* Accuracy on the binary task's test set, softmax (sigmoid = 0) or sigmoid output. */
static double binary_run(lab_ctx *ctx, const sdn_dataset *tr, const sdn_dataset *te, int sigmoid,
                         int epochs)
{
    sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    spec.classes = 2;
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_NADAM);
    opt.learning_rate = 1e-4f;
    sdn_model *m;
    if (sdn_net_build(&spec, ctx->cfg->seed, 32, &opt, &m))
        return app_error(), NAN;
    if (sigmoid)
        freeze_second_logit(m, 0, 0, NULL);
    double acc = NAN;
    if (lab_fit_steps(ctx, m, tr, epochs, 32, sigmoid ? freeze_second_logit : NULL, NULL, NULL,
                      0) >= 0)
        acc = lab_accuracy(ctx, m, te, &ctx->pre_std);
    sdn_model_free(m);
    return acc;
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
    for (int a = 0; a < 6; a++)
        for (int w = 0; w < 2; w++)
            ns[a][w] = kernel_ns(acts[a].act, w, n, ctx->quick ? 2e5 : 4e7, x, y, g);
    free(x), free(y), free(g);
    return 0;
}

int lab_q4_activations(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 4 and the chapter's advice): in general SELU > ELU > leaky "
                "ReLU > ReLU > tanh > sigmoid for deep networks; ReLU is the cheapest to compute; "
                "for a binary output one sigmoid unit does what a two-unit softmax does.\n\n");
    double ns[6][2];
    if (kernel_costs(ctx, ns)) {
        fprintf(stderr, "simdnn: out of memory\n");
        return 1;
    }
    lab_run run =
        lab_run_defaults(ctx, lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL), SDN_OPT_NADAM, 1e-4f);
    run.epochs = ctx->epochs * 6 / 10 > 1 ? ctx->epochs * 6 / 10 : 2;
    lab_md(ctx,
           "**Setup**: kernel cost = median of 5 timings of the dispatched kernel (ISA %s) "
           "over %s elements, in ns per element. Accuracy: %d x Dense(%zu) with each "
           "activation and its initializer, Nadam lr %g, batch 32, %d epochs (the same "
           "budget for all). Binary task: classes %d and %d only, the same stack (ELU), %d "
           "epochs, a 2-unit softmax against one sigmoid unit (a softmax over (z, 0), the "
           "second logit frozen at 0: exactly sigmoid + binary cross-entropy).\n\n",
           sdn_isa_name(sdn_active_isa()), ctx->quick ? "16K" : "1M", ctx->layers, ctx->units,
           (double)run.opt.learning_rate, run.epochs, Q4_CLASS_A, Q4_CLASS_B, run.epochs);
    double val[6], test[6], fwd[6], bwd[6];
    lab_md(ctx, "| activation | init | forward ns/elt | backward ns/elt | best val acc | test acc "
                "|\n|---|---|---:|---:|---:|---:|\n");
    for (int a = 0; a < 6; a++) {
        run.spec = lab_spec(ctx, acts[a].act, acts[a].init);
        lab_result r;
        if (lab_train(ctx, acts[a].name, &run, &r))
            return 1;
        val[a] = r.val_accuracy;
        test[a] = r.test_accuracy;
        fwd[a] = ns[a][0];
        bwd[a] = ns[a][1];
        lab_result_free(&r);
        lab_md(ctx, "| %s | %s | %.3f | %.3f | %.2f%% | %.2f%% |\n", acts[a].name,
               sdn_init_name(acts[a].init), fwd[a], bwd[a], lab_pct(val[a]), lab_pct(test[a]));
    }
    sdn_dataset btr = {0}, bte = {0};
    double bin[2] = {NAN, NAN};
    if (!two_classes(&ctx->train, &btr) && !two_classes(&ctx->test, &bte))
        for (int k = 0; k < 2; k++)
            bin[k] = binary_run(ctx, &btr, &bte, k, run.epochs);
    sdn_dataset_free(&btr);
    sdn_dataset_free(&bte);
    lab_md(ctx,
           "\n| binary output (classes %d vs %d) | test acc |\n|---|---:|\n| softmax, 2 units "
           "| %.2f%% |\n| sigmoid, 1 unit | %.2f%% |\n\n",
           Q4_CLASS_A, Q4_CLASS_B, lab_pct(bin[0]), lab_pct(bin[1]));
    lab_nums(ctx, "forward_ns", fwd, 6); /* elu selu relu leaky_relu tanh sigmoid */
    lab_nums(ctx, "backward_ns", bwd, 6);
    lab_nums(ctx, "val_accuracy", val, 6);
    lab_nums(ctx, "binary_test_accuracy", bin, 2); /* softmax, sigmoid */
    lab_num(ctx, "cheap_slack", Q4_CHEAP_SLACK);
    lab_num(ctx, "binary_margin", Q4_BINARY_MARGIN);

    int best = 0, worst = 0, cheapest = 0;
    for (int a = 1; a < 6; a++) {
        best = val[a] > val[best] ? a : best;
        worst = val[a] < val[worst] ? a : worst;
        cheapest = fwd[a] < fwd[cheapest] ? a : cheapest;
    }
    const int relu_cheap = fwd[2] <= Q4_CHEAP_SLACK * fwd[cheapest];
    const int sigmoid_worst = worst == 5;
    const int binary_same = fabs(bin[0] - bin[1]) <= Q4_BINARY_MARGIN;
    const int held = relu_cheap + sigmoid_worst + binary_same;
    const char *verdict = lab_verdict(ctx, held, 3);
    lab_md(ctx,
           "**Verdict: %s.** Most accurate after the budget: %s (%.2f%%); least: %s (%.2f%%)%s. "
           "Cheapest forward kernel: %s (%.3f ns/element); ReLU %s (%.3f). Binary task: "
           "softmax %.2f%% against sigmoid %.2f%%: %s.\n",
           verdict, acts[best].name, lab_pct(val[best]), acts[worst].name, lab_pct(val[worst]),
           sigmoid_worst ? ", as the claim says" : ", not sigmoid as the claim says",
           acts[cheapest].name, fwd[cheapest], relu_cheap ? "is within 10% of it" : "is not",
           fwd[2], lab_pct(bin[0]), lab_pct(bin[1]),
           binary_same ? "equivalent within 2 points" : "they differ by more than 2 points");
    return 0;
}
