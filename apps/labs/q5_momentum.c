/* q5: "What happens if you set the momentum hyperparameter too close to 1 (e.g., 0.99999) when
 * using an SGD optimizer?" The training loss of every step for momentum 0.9 to 0.99999; each run
 * is classed converging, oscillating or diverging from its own numbers. */
#include <math.h>
#include <stdlib.h>

#include "lab.h"

#define Q5_WINDOW 25        /* steps per window mean */
#define Q5_RISE 0.02        /* a window "rises" when 2% above the one before */
#define Q5_OSCILLATING 0.25 /* ... and a run oscillates when a quarter of its windows rise */
#define Q5_DIVERGED 1.5     /* or diverges when its last window ends 1.5x above its first */

static const double momenta[4] = {0.9, 0.99, 0.999, 0.99999};

typedef struct trace {
    double *window;  /* window means of the step losses */
    int n, nan_step; /* windows; the step of a NaN loss (0: none) */
} trace;

/* The class of a run: 0 converging, 1 oscillating, 2 diverging. */
static int classify(const trace *t, double *rise_fraction)
{
    int rises = 0;
    for (int i = 1; i < t->n; i++)
        rises += t->window[i] > (1 + Q5_RISE) * t->window[i - 1];
    *rise_fraction = t->n > 1 ? (double)rises / (t->n - 1) : 0;
    if (t->nan_step || (t->n > 1 && t->window[t->n - 1] > Q5_DIVERGED * t->window[0]))
        return 2;
    return *rise_fraction >= Q5_OSCILLATING;
}

static int run_momentum(lab_ctx *ctx, double momentum, int epochs, trace *t)
{
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_SGD); /* lr 0.01 as Keras */
    opt.momentum = (float)momentum;
    const sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    const size_t steps = (size_t)epochs * ((ctx->train.n + 31) / 32);
    double *loss = malloc(steps * sizeof *loss);
    t->window = malloc((steps / Q5_WINDOW + 1) * sizeof *t->window);
    sdn_model *m = NULL;
    if (!loss || !t->window || sdn_net_build(&spec, ctx->cfg->seed, 32, &opt, &m)) {
        free(loss);
        return app_error();
    }
    const long ran = lab_fit_steps(ctx, m, &ctx->train, epochs, 32, NULL, NULL, loss, steps);
    sdn_model_free(m);
    if (ran < 0) {
        free(loss);
        return 1;
    }
    t->n = 0;
    t->nan_step = 0;
    for (long s = 0; s < ran; s += Q5_WINDOW) {
        double sum = 0;
        long k = s;
        for (; k < ran && k < s + Q5_WINDOW && isfinite(loss[k]); k++)
            sum += loss[k];
        if (k < ran && k < s + Q5_WINDOW) {
            t->nan_step = (int)k + 1;
            break;
        }
        t->window[t->n++] = sum / (double)(k - s);
    }
    free(loss);
    return 0;
}

int lab_q5_momentum(lab_ctx *ctx)
{
    static const char *const names[3] = {"converges", "oscillates", "diverges"};
    lab_md(ctx, "**Claim** (question 5): with momentum too close to 1 the optimizer keeps too "
                "much of its past velocity: it overshoots and oscillates around the minimum, "
                "and may diverge, instead of settling.\n\n");
    const int epochs = ctx->quick ? 2 : 3;
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU, He normal), SGD lr 0.01 (Keras' default), batch "
           "32, %d epochs; the loss of every step, averaged over windows of %d steps. A run "
           "*diverges* when a loss is NaN or its last window ends above %.1fx its first, "
           "*oscillates* when at least %.0f%% of its windows rise more than %.0f%% above "
           "the window before, and *converges* otherwise.\n\n",
           ctx->layers, ctx->units, epochs, Q5_WINDOW, Q5_DIVERGED, lab_pct(Q5_OSCILLATING),
           lab_pct(Q5_RISE));
    trace t[4] = {{0}};
    double cls[4], rises[4], first[4], last[4], nan_step[4];
    int rc = 0;
    lab_md(ctx, "| momentum | first window loss | last window loss | rising windows | NaN at "
                "step | behaviour |\n|---:|---:|---:|---:|---:|---|\n");
    for (int k = 0; k < 4 && !rc; k++) {
        if ((rc = run_momentum(ctx, momenta[k], epochs, &t[k])))
            break;
        cls[k] = classify(&t[k], &rises[k]);
        first[k] = t[k].n ? t[k].window[0] : NAN;
        last[k] = t[k].n ? t[k].window[t[k].n - 1] : NAN;
        nan_step[k] = t[k].nan_step;
        fprintf(stderr, "  momentum %-8g %s\n", momenta[k], names[(int)cls[k]]);
        lab_md(ctx, "| %g | %.4f | %.4f | %.0f%% | %s | %s |\n", momenta[k], first[k], last[k],
               lab_pct(rises[k]), t[k].nan_step ? "yes" : "no", names[(int)cls[k]]);
    }
    if (!rc) {
        lab_nums(ctx, "momentum", momenta, 4);
        lab_nums(ctx, "first_window", first, 4);
        lab_nums(ctx, "last_window", last, 4);
        lab_nums(ctx, "rising_fraction", rises, 4);
        lab_nums(ctx, "nan_step", nan_step, 4);
        lab_nums(ctx, "behaviour", cls, 4); /* 0 converges, 1 oscillates, 2 diverges */
        lab_num(ctx, "rise", Q5_RISE);
        lab_num(ctx, "oscillating", Q5_OSCILLATING);
        lab_num(ctx, "diverged", Q5_DIVERGED);
        /* confirmed: 0.9 converges and the momenta near 1 do not */
        const int near_bad = cls[2] > 0 && cls[3] > 0;
        const char *verdict = cls[0] == 0 && near_bad ? "confirmed"
                              : cls[3] > 0            ? "partly"
                                                      : "refuted";
        lab_str(ctx, "verdict", verdict);
        lab_md(ctx, "\n**Verdict: %s.** Momentum 0.9 %s; 0.99 %s; 0.999 %s; 0.99999 %s.\n", verdict,
               names[(int)cls[0]], names[(int)cls[1]], names[(int)cls[2]], names[(int)cls[3]]);
        double *x[4];
        app_xy_series s[4];
        char labels[4][32];
        for (int k = 0; k < 4; k++) {
            x[k] = malloc((size_t)(t[k].n + 1) * sizeof **x);
            for (int i = 0; x[k] && i < t[k].n; i++)
                x[k][i] = (i + 1.0) * Q5_WINDOW;
            snprintf(labels[k], sizeof labels[k], "momentum %g", momenta[k]);
            s[k] = (app_xy_series){labels[k], x[k], t[k].window, x[k] ? t[k].n : 0, 0};
        }
        app_xy_plot p = {"Training loss, window means (SGD lr 0.01)", "step", "loss", 0, 1, NAN};
        lab_xy_figure(ctx, "loss", "loss per step window", &p, s, 4);
        for (int k = 0; k < 4; k++)
            free(x[k]);
    }
    for (int k = 0; k < 4; k++)
        free(t[k].window);
    return rc;
}
