/* The CLI's learning-rate schedule (--schedule and its parameters) as an sdn_schedule, and --lr
 * auto through the range test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train.h"

/* "a,b,c" into at most max numbers; count or -1. */
static int parse_list(const char *text, double *out, int max)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || n == max || !isfinite(v))
            return -1;
        out[n++] = v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return n;
}

static double or_default(double v, double d)
{
    return isnan(v) ? d : v;
}

int app_train_schedule(const app_train_config *c, const sdn_optimizer_options *opt,
                       size_t steps_per_epoch, sdn_schedule *out)
{
    const float lr = opt->learning_rate;
    sdn_schedule s = sdn_schedule_defaults(c->schedule, lr);
    s.decay_steps = or_default(c->decay_steps, s.decay_steps);
    s.decay_rate = (float)or_default(c->decay_rate, s.decay_rate);
    s.power = (float)or_default(c->power, s.power);
    s.staircase = c->staircase;
    s.factor = (float)or_default(c->factor, s.factor);
    s.min_lr = (float)or_default(c->min_lr, s.min_lr);
    s.min_delta = or_default(c->plateau_min_delta, s.min_delta);
    s.patience = c->plateau_patience;
    s.cooldown = c->cooldown;
    if (c->schedule == SDN_SCHEDULE_ONECYCLE) {
        /* --lr (or --max-lr) is the peak, as fastai's lr_max; Géron starts at a tenth of it */
        s.max_lr = (float)or_default(c->max_lr, lr);
        s.lr0 = s.max_lr / 10.0f;
        s.total_steps = (uint64_t)c->epochs * steps_per_epoch;
        s.max_momentum = c->cycle_momentum ? (float)or_default(c->max_momentum, 0.95) : 0.0f;
        s.min_momentum = c->cycle_momentum ? (float)or_default(c->min_momentum, 0.85) : 0.0f;
    }
    if (c->schedule == SDN_SCHEDULE_PIECEWISE) {
        double b[SDN_SCHEDULE_MAX_PIECES + 1], v[SDN_SCHEDULE_MAX_PIECES + 2];
        int nb = parse_list(c->boundaries, b, SDN_SCHEDULE_MAX_PIECES);
        int nv = parse_list(c->values, v, SDN_SCHEDULE_MAX_PIECES + 1);
        if (nb < 1 || nv != nb + 1) {
            fprintf(stderr,
                    "simdnn: --schedule piecewise needs --boundaries (1 to %d steps, comma-"
                    "separated) and --values with one rate more (got '%s' and '%s')\n",
                    SDN_SCHEDULE_MAX_PIECES, c->boundaries, c->values);
            return 2;
        }
        s.n_boundaries = nb;
        for (int i = 0; i < nb; i++) {
            if (b[i] < 0 || b[i] != floor(b[i])) {
                fprintf(stderr, "simdnn: bad value '%g' in --boundaries (whole steps >= 0)\n",
                        b[i]);
                return 2;
            }
            s.boundaries[i] = (uint64_t)b[i];
        }
        for (int i = 0; i <= nb; i++)
            s.values[i] = (float)v[i];
    }
    if (sdn_schedule_check(&s)) {
        fprintf(stderr, "simdnn: %s\n", sdn_last_error());
        return 2;
    }
    *out = s;
    return 0;
}

int app_lr_auto(const app_train_config *c, const sdn_net_spec *spec,
                const sdn_optimizer_options *opt, const sdn_dataset *train,
                const sdn_preprocess *pre, float *lr)
{
    sdn_model *scratch;
    if (sdn_net_build(spec, c->seed, c->batch_size, opt, &scratch))
        return app_error();
    sdn_lr_find_options o = sdn_lr_find_defaults();
    o.batch_size = c->batch_size;
    o.seed = c->seed;
    sdn_lr_find_result r;
    sdn_status s = sdn_lr_find(scratch, train, pre, &o, &r);
    sdn_model_free(scratch);
    if (s)
        return app_error();
    /* 1cycle's peak is the largest rate at which the loss still falls (Smith); a constant rate
     * sits a tenth below it (Géron) */
    const int peak = c->schedule == SDN_SCHEDULE_ONECYCLE;
    *lr = (float)(peak ? r.min_loss_lr : r.suggested);
    fprintf(stderr,
            "--lr auto: range test over %zu steps (%g to %g): lowest smoothed loss %.4f at lr "
            "%.3g; using %.3g%s\n",
            r.n, r.lr[0], r.lr[r.n - 1], r.min_loss, r.min_loss_lr, (double)*lr,
            peak ? " as the 1cycle peak" : "");
    sdn_lr_find_result_free(&r);
    return 0;
}
