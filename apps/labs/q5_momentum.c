/* q5: "What happens if you set the momentum hyperparameter too close to 1 (e.g., 0.99999) when
 * using an SGD optimizer?" The training loss of every step for momentum 0.9 to 0.99999, at a
 * matched effective step (lr / (1 − momentum) held constant, so only momentum changes) and at a
 * fixed lr (where the effective step grows with momentum); each run is classed converging,
 * oscillating or diverging from its own numbers, over seeds. */
#include <math.h>
#include <stdlib.h>

#include "lab.h"

#define Q5_WINDOW 25        /* steps per window mean */
#define Q5_RISE 0.02        /* a window "rises" when 2% above the one before */
#define Q5_OSCILLATING 0.25 /* ... and a run oscillates when a quarter of its windows rise */
#define Q5_DIVERGED 1.5     /* or diverges when its last window ends 1.5x above its first */
#define Q5_MIN_STEPS 200    /* the fewest steps a run makes (full runs) */

static const double momenta[4] = {0.9, 0.99, 0.999, 0.99999};
#define Q5_LR 0.01 /* Keras' default: the fixed arm's lr, and the matched arm's at momentum 0.9 */

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

static int run_momentum(lab_ctx *ctx, double momentum, double lr, int epochs, trace *t)
{
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_SGD);
    opt.momentum = (float)momentum;
    opt.learning_rate = (float)lr;
    const sdn_net_spec spec = lab_spec(ctx, SDN_ACT_ELU, SDN_INIT_HE_NORMAL);
    const size_t steps = (size_t)epochs * ((ctx->train.n + 31) / 32);
    double *loss = malloc(steps * sizeof *loss);
    t->window = malloc((steps / Q5_WINDOW + 1) * sizeof *t->window);
    sdn_model *m = NULL;
    if (!loss || !t->window || sdn_net_build(&spec, ctx->seed, 32, &opt, &m)) {
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

/* The first seed's loss curves of an arm. */
static void figure(lab_ctx *ctx, int matched, const trace *shown)
{
    double *x[4];
    app_xy_series s[4];
    char labels[4][32];
    for (int k = 0; k < 4; k++) {
        x[k] = malloc((size_t)(shown[k].n + 1) * sizeof **x);
        for (int i = 0; x[k] && i < shown[k].n; i++)
            x[k][i] = (i + 1.0) * Q5_WINDOW;
        snprintf(labels[k], sizeof labels[k], "momentum %g", momenta[k]);
        s[k] = (app_xy_series){labels[k], x[k], shown[k].window, x[k] ? shown[k].n : 0, 0};
    }
    app_xy_plot p = {matched ? "Training loss, window means: matched effective step"
                             : "Training loss, window means: fixed lr 0.01 (ends at a NaN)",
                     "step",
                     "loss",
                     0,
                     1,
                     NAN};
    lab_xy_figure(ctx, matched ? "loss-matched" : "loss-fixed",
                  matched ? "loss per step window, matched step" : "loss per step window, fixed lr",
                  &p, s, 4);
    for (int k = 0; k < 4; k++)
        free(x[k]);
}

/* One arm (matched effective step or fixed lr) over ns seeds: a row per momentum, its numbers in
 * the JSON under "<arm>_...", one value per momentum and seed (momentum-major), and the first
 * seed's curves as a figure. cls[k] gets how many seeds did not converge. */
static int arm(lab_ctx *ctx, int matched, int ns, int epochs, int *not_converging)
{
    const char *key = matched ? "matched" : "fixed";
    double cls[4 * LAB_MAX_SEEDS], rise[4 * LAB_MAX_SEEDS], first[4 * LAB_MAX_SEEDS];
    double last[4 * LAB_MAX_SEEDS], nan_at[4 * LAB_MAX_SEEDS];
    trace shown[4] = {{0}};
    int rc = 0;
    lab_md(
        ctx,
        "\n%s (%d seed%s):\n\n| momentum | lr | first window loss | last window loss | rising "
        "windows | converges / oscillates / diverges (seeds) |\n|---:|---:|---:|---:|---:|---|\n",
        matched ? "Matched effective step, lr = 0.1 · (1 − momentum)"
                : "Fixed lr 0.01 (the effective step grows as 1 / (1 − momentum))",
        ns, ns > 1 ? "s" : "");
    for (int k = 0; k < 4 && !rc; k++) {
        const double lr = matched ? Q5_LR * (1 - momenta[k]) / (1 - momenta[0]) : Q5_LR;
        int count[3] = {0, 0, 0};
        for (int i = 0; i < ns && !rc; i++) {
            const int at = k * ns + i;
            trace t = {0};
            ctx->seed = lab_seed(ctx, i);
            rc = run_momentum(ctx, momenta[k], lr, epochs, &t);
            ctx->seed = ctx->cfg->seed;
            if (rc) {
                free(t.window);
                break;
            }
            cls[at] = classify(&t, &rise[at]);
            first[at] = t.n ? t.window[0] : NAN;
            last[at] = t.n ? t.window[t.n - 1] : NAN;
            nan_at[at] = t.nan_step;
            count[(int)cls[at]]++;
            if (i)
                free(t.window);
            else
                shown[k] = t;
        }
        if (rc)
            break;
        /* the table's losses are those of the runs without a NaN (the JSON keeps them all) */
        double fk[LAB_MAX_SEEDS], lk[LAB_MAX_SEEDS], rk[LAB_MAX_SEEDS];
        for (int i = 0; i < ns; i++) {
            const int at = k * ns + i, nan_run = nan_at[at] > 0;
            fk[i] = nan_run ? NAN : first[at];
            lk[i] = nan_run ? NAN : last[at];
            rk[i] = nan_run ? NAN : rise[at];
        }
        lab_spread f = lab_spread_of(fk, ns), l = lab_spread_of(lk, ns), r = lab_spread_of(rk, ns);
        char c[3][48];
        lab_md(ctx, "| %g | %.3g | %s | %s | %s | %d / %d / %d%s |\n", momenta[k], lr,
               lab_spread_cell(c[0], 48, f, 0), lab_spread_cell(c[1], 48, l, 0),
               lab_spread_cell(c[2], 48, r, 1), count[0], count[1], count[2],
               f.n < ns ? " (losses of runs with a NaN left out)" : "");
        not_converging[k] = count[1] + count[2];
        if (!ctx->print_hash)
            fprintf(stderr, "  %s momentum %-8g lr %-8.3g %d/%d/%d\n", key, momenta[k], lr,
                    count[0], count[1], count[2]);
    }
    if (!rc) {
        char name[48];
        const char *fields[5] = {"behaviour", "first_window", "last_window", "rising_fraction",
                                 "nan_step"};
        const double *vals[5] = {cls, first, last, rise, nan_at};
        for (int f = 0; f < 5; f++) {
            snprintf(name, sizeof name, "%s_%s", key, fields[f]);
            lab_nums(ctx, name, vals[f], 4 * ns);
        }
        figure(ctx, matched, shown);
    }
    for (int k = 0; k < 4; k++)
        free(shown[k].window);
    return rc;
}

int lab_q5_momentum(lab_ctx *ctx)
{
    lab_md(ctx, "**Claim** (question 5): with momentum too close to 1 the optimizer keeps too "
                "much of its past velocity: it overshoots and oscillates around the minimum, "
                "and may diverge, instead of settling.\n\n");
    /* at least Q5_MIN_STEPS steps, so that a small subset still gives a curve of windows */
    const int per_epoch = (int)((ctx->train.n + 31) / 32);
    int epochs = (Q5_MIN_STEPS + per_epoch - 1) / per_epoch;
    epochs = ctx->quick ? 2 : epochs < 3 ? 3 : epochs > 12 ? 12 : epochs;
    const int nd = lab_seed_count(ctx, 1), nf = lab_seed_count(ctx, 0);
    lab_md(ctx,
           "**Setup**: %d x Dense(%zu, ELU, He normal), SGD, batch 32, %d epochs; the loss of "
           "every step, averaged over windows of %d steps. Momentum β multiplies the step by "
           "1 / (1 − β) once the velocity has built up, so changing β at a fixed lr changes the "
           "step size too: the *matched* arm holds lr / (1 − β) at 0.1 (lr 0.01 at β 0.9), so "
           "only β changes; the *fixed* arm keeps lr 0.01 for every β, as the question is "
           "usually tried. A run *diverges* when a loss is NaN or its last window ends above "
           "%.1fx its first, *oscillates* when at least %.0f%% of its windows rise more than "
           "%.0f%% above the window before, and *converges* otherwise. The verdict rests on the "
           "matched arm.\n",
           ctx->layers, ctx->units, epochs, Q5_WINDOW, Q5_DIVERGED, lab_pct(Q5_OSCILLATING),
           lab_pct(Q5_RISE));
    int bad_matched[4], bad_fixed[4];
    if (arm(ctx, 1, nd, epochs, bad_matched) || arm(ctx, 0, nf, epochs, bad_fixed))
        return 1;
    lab_num(ctx, "rise", Q5_RISE);
    lab_num(ctx, "oscillating", Q5_OSCILLATING);
    lab_num(ctx, "diverged", Q5_DIVERGED);
    lab_nums(ctx, "momentum", momenta, 4);
    /* confirmed: at the matched step 0.9 converges in every seed and 0.999 and 0.99999 fail to
     * converge in every seed */
    const int settled = bad_matched[0] == 0;
    const int near_bad = bad_matched[2] == nd && bad_matched[3] == nd;
    const int some_bad = bad_matched[2] + bad_matched[3] > 0;
    const char *verdict = settled && near_bad ? "confirmed" : some_bad ? "partly" : "refuted";
    lab_str(ctx, "verdict", verdict);
    lab_md(ctx,
           "\n**Verdict: %s.** At the matched effective step, runs that did not converge out of "
           "%d seeds: β 0.9: %d, 0.99: %d, 0.999: %d, 0.99999: %d. At the fixed lr 0.01 (out of "
           "%d): %d, %d, %d, %d — there the step grows %gx from β 0.9 to 0.99999, which is what "
           "breaks those runs, not momentum alone.\n",
           verdict, nd, bad_matched[0], bad_matched[1], bad_matched[2], bad_matched[3], nf,
           bad_fixed[0], bad_fixed[1], bad_fixed[2], bad_fixed[3],
           (1 - momenta[0]) / (1 - momenta[3]));
    /* what else could explain it: a velocity that never built up within the run */
    const long steps = (long)epochs * per_epoch;
    int longer = 4;
    for (int k = 3; k >= 0; k--)
        longer = 1 / (1 - momenta[k]) > (double)steps ? k : longer;
    lab_num(ctx, "steps", (double)steps);
    if (longer < 4)
        lab_md(ctx,
               "Each run makes %ld steps, while momentum β remembers about 1 / (1 − β) steps "
               "(10, 100, 1000, 100000): from β %g on, the velocity is still building up when "
               "the run ends, so at the matched step these runs show the slow start of heavy "
               "momentum, not its behaviour once the velocity has built up.\n",
               steps, momenta[longer]);
    return 0;
}
