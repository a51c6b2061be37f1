/* The public calls that run passes: train_batch, evaluate, predict, MC Dropout predict, and the
 * gradient-check entry; each checks its arguments, then runs steps (src/model_pass.c). */
#include <math.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "rng.h"
#include "testhooks.h"

sdn_status sdn_model_check_ready(const sdn_model *m, const char *what)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: model is NULL", what);
    if (!m->compiled)
        return sdn_fail(SDN_ERR_STATE, "%s: the model is not compiled", what);
    return SDN_OK;
}

static sdn_status check_labels(const sdn_model *m, const int32_t *labels, size_t n,
                               const char *what)
{
    if (!labels)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: labels are NULL", what);
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= m->output_size)
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "%s: label %ld at index %zu is out of range [0, %zu)", what,
                            (long)labels[i], i, m->output_size);
    return SDN_OK;
}

static sdn_status check_finite_input(const sdn_model *m, const float *x, size_t n, const char *what)
{
    const size_t d = m->input_size;
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return sdn_fail(SDN_ERR_NUMERIC, "%s: input row %zu, column %zu is %s", what, i / d,
                            i % d, isnan(x[i]) ? "NaN" : "infinite");
    return SDN_OK;
}

/* A workspace of this call's own (inference is re-entrant), with what inference derives from the
 * state (BN's 1/sqrt(var + eps)). */
static sdn_status inference_workspace(const sdn_model *m, sdn_workspace *ws)
{
    sdn_status st = sdn_workspace_new(m, ws);
    if (st)
        return st;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->prepare_inference)
            m->layers[i].ops->prepare_inference(&m->layers[i], &ws->acts[i], m->state);
    return SDN_OK;
}

/* ------------------------------------------------------------------------- training */

sdn_status sdn_model_loss_and_grads(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                    int grads, double *loss_out)
{
    sdn_status st = sdn_model_check_ready(m, "loss_and_grads");
    if (st || (st = check_labels(m, labels, n, "loss_and_grads")))
        return st;
    if (!x || !n || n > m->max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "loss_and_grads: bad batch");
    sdn_step c = sdn_step_new(m, x, labels, n, grads ? SDN_MODE_GRADS : SDN_MODE_EVAL);
    sdn_step_train(&c);
    /* EVAL mode skips the regularization: add it here so both modes return the same loss */
    sdn_step_run(&c);
    *loss_out = c.loss + (grads ? 0.0 : sdn_regularization(m, c.k));
    return SDN_OK;
}

sdn_status sdn_model_train_batch(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                 float *loss, float *accuracy)
{
    sdn_status st = sdn_model_check_ready(m, "train_batch");
    if (st)
        return st;
    if (!x)
        return sdn_fail(SDN_ERR_INVALID_ARG, "train_batch: x is NULL");
    if (!n || n > m->max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "train_batch: batch of %zu rows, expected 1..%zu", n,
                        m->max_batch);
    if ((st = check_labels(m, labels, n, "train_batch")))
        return st;
    sdn_step c = sdn_step_new(m, x, labels, n, SDN_MODE_TRAIN);
    sdn_step_train(&c);
    double mu_product;
    c.scal = sdn_optim_scalars_for(&m->opt, m->step + 1, m->nadam_mu_product, &mu_product);
    sdn_step_run(&c);
    if (loss)
        *loss = (float)c.loss;
    if (accuracy)
        *accuracy = (float)((double)c.correct / (double)n);
    if (!isfinite(c.loss)) {
        if ((st = check_finite_input(m, x, n, "train_batch")))
            return st;
        return sdn_fail(SDN_ERR_NUMERIC,
                        "train_batch: the loss is %s at step %llu; the weights are unchanged "
                        "(try a lower learning rate or gradient clipping)",
                        isnan(c.loss) ? "NaN" : "infinite", (unsigned long long)m->step);
    }
    m->step++;
    m->nadam_mu_product = mu_product;
    return SDN_OK;
}

/* ---- data-parallel training (src/dist/) splits train_batch around the reduction ---- */
sdn_status sdn_model_local_grads(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                 uint64_t row_base, double *loss, size_t *correct)
{
    sdn_status st = sdn_model_check_ready(m, "local_grads");
    if (st || (st = check_labels(m, labels, n, "local_grads")))
        return st;
    if (!x || !n || n > m->max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "local_grads: bad batch of %zu rows", n);
    sdn_step c = sdn_step_new(m, x, labels, n, SDN_MODE_GRADS);
    sdn_step_train(&c);
    c.row_base = row_base;
    sdn_step_run(&c);
    *loss = c.loss;
    *correct = c.correct;
    return SDN_OK;
}

/* ------------------------------------------------------------------------- inference */

size_t sdn_argmax(const float *v, size_t n)
{
    return sdn_index_of_max(v, n);
}

sdn_status sdn_model_predict(sdn_model *m, const float *x, size_t n, float *probs)
{
    sdn_status st = sdn_model_check_ready(m, "predict");
    if (st)
        return st;
    if ((!x || !probs) && n)
        return sdn_fail(SDN_ERR_INVALID_ARG, "predict: x or probs is NULL");
    sdn_workspace ws;
    if ((st = check_finite_input(m, x, n, "predict")) || (st = inference_workspace(m, &ws)))
        return st;
    const size_t out = m->output_size;
    const sdn_acts *last = &ws.acts[m->n_layers - 1];
    for (size_t r = 0; r < n; r += m->max_batch) {
        sdn_step c = sdn_step_new(m, x + r * m->input_size, NULL, sdn_min_size(m->max_batch, n - r),
                                  SDN_MODE_PREDICT);
        c.ws = &ws;
        sdn_step_run(&c);
        memcpy(probs + r * out, last->y, c.n * out * sizeof(float));
    }
    sdn_workspace_free(&ws);
    return SDN_OK;
}

sdn_status sdn_model_evaluate(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                              float *loss, float *accuracy)
{
    sdn_status st = sdn_model_check_ready(m, "evaluate");
    if (st)
        return st;
    if (!x || !n)
        return sdn_fail(SDN_ERR_INVALID_ARG, "evaluate: x is NULL or n is 0");
    sdn_workspace ws;
    if ((st = check_labels(m, labels, n, "evaluate")) ||
        (st = check_finite_input(m, x, n, "evaluate")) || (st = inference_workspace(m, &ws)))
        return st;
    double sum = 0.0;
    size_t correct = 0;
    for (size_t r = 0; r < n; r += m->max_batch) {
        sdn_step c = sdn_step_new(m, x + r * m->input_size, labels + r,
                                  sdn_min_size(m->max_batch, n - r), SDN_MODE_EVAL);
        c.ws = &ws;
        sdn_step_run(&c);
        sum += c.loss * (double)c.n;
        correct += c.correct;
    }
    sdn_workspace_free(&ws);
    /* Keras reports the regularization inside the evaluated loss too */
    const double l = sum / (double)n + sdn_regularization(m, sdn_kernels_active());
    if (loss)
        *loss = (float)l;
    if (accuracy)
        *accuracy = (float)((double)correct / (double)n);
    return SDN_OK;
}

/* The first layer whose output can differ between MC samples (a dropout layer), at most
 * the output layer. */
static int mc_first_random_layer(const sdn_model *m)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->random && m->layers[i].rate > 0.0f)
            return i;
    return m->n_layers - 1;
}

sdn_status sdn_model_predict_mc(sdn_model *m, const float *x, size_t n, int samples, float *mean,
                                float *std)
{
    sdn_status st = sdn_model_check_ready(m, "predict_mc");
    if (st)
        return st;
    if (samples < 1)
        return sdn_fail(SDN_ERR_INVALID_ARG, "predict_mc: samples must be >= 1 (got %d)", samples);
    if (n && (!x || !mean))
        return sdn_fail(SDN_ERR_INVALID_ARG, "predict_mc: x or mean is NULL");
    sdn_workspace ws;
    if ((st = check_finite_input(m, x, n, "predict_mc")) || (st = inference_workspace(m, &ws)))
        return st;
    /* this call's masks: fresh ones for every call, also when calls run at once */
    const uint64_t call = __atomic_fetch_add(&m->mc_calls, 1, __ATOMIC_RELAXED);
    const size_t out = m->output_size;
    const sdn_acts *last = &ws.acts[m->n_layers - 1];
    memset(mean, 0, n * out * sizeof(float));
    if (std)
        memset(std, 0, n * out * sizeof(float));
    /* The layers before the first dropout layer give the same result in every sample:
     * they run once per chunk and only the rest is repeated (each output still sums its samples
     * in sample order: the same bits as full passes). */
    const int first = SDN_HOOK(sdn_debug_mc_full_passes, 0) ? 0 : mc_first_random_layer(m);
    for (size_t r = 0; r < n; r += m->max_batch) {
        const size_t nb = sdn_min_size(m->max_batch, n - r);
        if (first > 0) {
            sdn_step c = sdn_step_new(m, x + r * m->input_size, NULL, nb, SDN_MODE_PREDICT);
            c.ws = &ws;
            c.end_layer = first;
            sdn_step_run(&c);
        }
        for (int s = 0; s < samples; s++) {
            sdn_step c = sdn_step_new(m, x + r * m->input_size, NULL, nb, SDN_MODE_PREDICT);
            c.ws = &ws;
            c.dropout_active = 1; /* BN stays in inference mode */
            c.stream_base = SDN_STREAM_MC;
            c.rng_step = call * (uint64_t)samples + (uint64_t)s;
            c.row_base = r;
            c.first_layer = first;
            sdn_step_run(&c);
            for (size_t i = 0; i < c.n * out; i++) {
                const float pv = last->y[i];
                mean[r * out + i] += pv;
                if (std)
                    std[r * out + i] += pv * pv;
            }
        }
    }
    for (size_t i = 0; i < n * out; i++) {
        mean[i] /= (float)samples;
        if (std) {
            const float v = std[i] / (float)samples - mean[i] * mean[i];
            std[i] = v > 0.0f ? sqrtf(v) : 0.0f;
        }
    }
    sdn_workspace_free(&ws);
    return SDN_OK;
}
