/* Predictions over a whole dataset in chunks, plain and (with MC samples) MC Dropout, shared by
 * `predict` and the exercise's MC Dropout part. */
#include <stdlib.h>

#include "train.h"

enum { CHUNK = 500 };

/* Tallies one row; the callback sees it too. */
static void tally(app_prediction_totals *t, const app_prediction *r)
{
    t->right += r->predicted == r->label;
    t->confidence += r->probs[r->predicted];
    if (r->mean) {
        t->right_mc += r->predicted_mc == r->label;
        t->spread += r->std[r->predicted_mc];
        t->confidence_mc += r->mean[r->predicted_mc];
    }
    t->n++;
}

int app_predict_set(sdn_model *model, const sdn_preprocess *pre, const sdn_dataset *d,
                    int mc_samples, app_prediction_fn each, void *ctx,
                    app_prediction_totals *totals)
{
    const size_t k = sdn_model_output_size(model);
    float *x = malloc(CHUNK * d->features * sizeof *x), *probs = malloc(CHUNK * k * sizeof *probs),
          *mean = malloc(CHUNK * k * sizeof *mean), *sd = malloc(CHUNK * k * sizeof *sd);
    int rc = 1;
    *totals = (app_prediction_totals){0};
    if (!x || !probs || !mean || !sd) {
        fprintf(stderr, "simdnn: out of memory\n");
        goto done;
    }
    for (size_t at = 0; at < d->n; at += CHUNK) {
        const size_t n = d->n - at < CHUNK ? d->n - at : CHUNK;
        sdn_preprocess_batch(pre, d, NULL, at, n, x);
        if (sdn_model_predict(model, x, n, probs) ||
            (mc_samples && sdn_model_predict_mc(model, x, n, mc_samples, mean, sd))) {
            app_error();
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            app_prediction r = {at + i, d->labels[at + i], k, probs + i * k, NULL, NULL, 0, 0};
            r.predicted = (int)sdn_argmax(r.probs, k);
            if (mc_samples) {
                r.mean = mean + i * k;
                r.std = sd + i * k;
                r.predicted_mc = (int)sdn_argmax(r.mean, k);
            }
            tally(totals, &r);
            if (each)
                each(ctx, &r);
        }
    }
    rc = 0;
done:
    free(x);
    free(probs);
    free(mean);
    free(sd);
    return rc;
}
