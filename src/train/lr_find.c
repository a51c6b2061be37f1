/* The learning-rate range test: one batch per rate on an exponential sweep, the loss smoothed as
 * fastai does, stopped when it blows up; the suggestion is a tenth of the best rate (Géron). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detmath.h"
#include "error.h"
#include "simdnn_fit.h"

sdn_lr_find_options sdn_lr_find_defaults(void)
{
    sdn_lr_find_options o = {0};
    o.min_lr = 1e-6;
    o.max_lr = 10.0;
    o.batch_size = 32;
    o.seed = 42;
    o.smoothing = 0.98;
    o.stop_factor = 4.0;
    return o;
}

void sdn_lr_find_result_free(sdn_lr_find_result *r)
{
    free(r->lr);
    free(r->loss);
    free(r->raw);
    memset(r, 0, sizeof *r);
}

static sdn_status check(const sdn_model *m, const sdn_dataset *d, const sdn_lr_find_options *o)
{
    if (!m || !d || !d->n || !o || !o->batch_size)
        return sdn_fail(SDN_ERR_INVALID_ARG, "lr_find: no model, data or batch size");
    if (!(o->min_lr > 0 && o->max_lr > o->min_lr && isfinite(o->max_lr)))
        return sdn_fail(SDN_ERR_INVALID_ARG, "lr_find: need 0 < min_lr < max_lr (got %g, %g)",
                        o->min_lr, o->max_lr);
    if (!(o->smoothing >= 0 && o->smoothing < 1 && o->stop_factor > 1))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "lr_find: smoothing must be in [0, 1) and stop_factor > 1");
    if (d->features != sdn_model_input_size(m))
        return sdn_fail(SDN_ERR_INVALID_ARG, "lr_find: data has %zu features, the model takes %zu",
                        d->features, sdn_model_input_size(m));
    return SDN_OK;
}

sdn_status sdn_lr_find(sdn_model *model, const sdn_dataset *d, const sdn_preprocess *pre,
                       const sdn_lr_find_options *o, sdn_lr_find_result *r)
{
    memset(r, 0, sizeof *r);
    sdn_status st = check(model, d, o);
    if (st)
        return st;
    const size_t bs = o->batch_size, f = d->features, epoch = (d->n + bs - 1) / bs;
    const size_t steps = o->max_steps && o->max_steps < epoch ? o->max_steps : epoch;
    float *x = malloc(bs * f * sizeof *x);
    int32_t *y = malloc(bs * sizeof *y);
    size_t *index = malloc(d->n * sizeof *index);
    r->lr = malloc(steps * sizeof *r->lr);
    r->loss = malloc(steps * sizeof *r->loss);
    r->raw = malloc(steps * sizeof *r->raw);
    if (!x || !y || !index || !r->lr || !r->loss || !r->raw) {
        st = sdn_fail(SDN_ERR_NOMEM, "lr_find: out of memory");
        goto done;
    }
    sdn_shuffle_indices(index, d->n, o->seed, 0);
    const double growth = steps > 1 ? sdn_det_log(o->max_lr / o->min_lr) / (double)(steps - 1) : 0;
    double avg = 0;
    r->min_loss = INFINITY;
    for (size_t s = 0; s < steps; s++) {
        const size_t nb = d->n - s * bs < bs ? d->n - s * bs : bs;
        const double lr = o->min_lr * sdn_det_exp(growth * (double)s);
        sdn_preprocess_batch(pre, d, index, s * bs, nb, x);
        for (size_t i = 0; i < nb; i++)
            y[i] = d->labels[index[s * bs + i]];
        sdn_model_set_learning_rate(model, (float)lr);
        float loss;
        st = sdn_model_train_batch(model, x, y, nb, &loss, NULL);
        if (st == SDN_ERR_NUMERIC) {
            st = SDN_OK;
            r->diverged = 1;
            break;
        }
        if (st)
            goto done;
        avg = o->smoothing * avg + (1 - o->smoothing) * loss;
        const double smooth = avg / (1 - sdn_det_pow(o->smoothing, (double)(s + 1)));
        r->lr[r->n] = lr;
        r->raw[r->n] = loss;
        r->loss[r->n++] = smooth;
        if (smooth < r->min_loss) {
            r->min_loss = smooth;
            r->min_loss_lr = lr;
        }
        if (s > 0 && smooth > o->stop_factor * r->min_loss) {
            r->diverged = 1;
            break;
        }
    }
    if (!r->n) {
        st = sdn_fail(SDN_ERR_NUMERIC, "lr_find: the loss was NaN from the first step at lr %g",
                      o->min_lr);
        goto done;
    }
    r->suggested = r->min_loss_lr / 10.0;
done:
    free(x);
    free(y);
    free(index);
    if (st)
        sdn_lr_find_result_free(r);
    return st;
}
