/* What a compiled model holds and shows: accessors, the Keras-style summary, the tensor list,
 * parameters and state as flat copies, sparsity and magnitude pruning. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"

size_t sdn_model_input_size(const sdn_model *m)
{
    return m ? m->input_size : 0;
}
size_t sdn_model_output_size(const sdn_model *m)
{
    return m ? m->output_size : 0;
}
size_t sdn_model_param_count(const sdn_model *m)
{
    return m ? m->n_params : 0;
}

sdn_status sdn_model_set_learning_rate(sdn_model *m, float lr)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "set_learning_rate: model is NULL");
    if (!(lr > 0.0f) || !isfinite(lr))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "set_learning_rate: %g is not a learning rate (finite and > 0); the model "
                        "keeps %g",
                        (double)lr, (double)m->opt.learning_rate);
    m->opt.learning_rate = lr;
    return SDN_OK;
}
sdn_status sdn_model_set_momentum(sdn_model *m, float momentum)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "set_momentum: model is NULL");
    if (!(momentum >= 0.0f && momentum < 1.0f))
        return sdn_fail(SDN_ERR_INVALID_ARG, "set_momentum: %g is not in [0, 1)", (double)momentum);
    if (m->opt.kind == SDN_OPT_ADAM || m->opt.kind == SDN_OPT_NADAM) {
        m->opt.beta1 = momentum;
        return SDN_OK;
    }
    /* SGD's velocity slot exists only when it was compiled with momentum */
    if (m->opt.kind != SDN_OPT_SGD || !m->opt_m)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "set_momentum: the %s optimizer has no momentum to set%s",
                        sdn_optimizer_name(m->opt.kind),
                        m->opt.kind == SDN_OPT_SGD ? " (compiled with momentum 0)" : "");
    m->opt.momentum = momentum;
    return SDN_OK;
}
float sdn_model_learning_rate(const sdn_model *m)
{
    return m ? m->opt.learning_rate : 0.0f;
}
uint64_t sdn_model_step(const sdn_model *m)
{
    return m ? m->step : 0;
}

void sdn_model_set_step(sdn_model *m, uint64_t step)
{
    if (!m)
        return;
    m->step = step;
    double prod = 1.0; /* Nadam's Π μ_1..μ_step, as if those steps had run */
    for (uint64_t t = 1; t <= step; t++)
        prod *= sdn_nadam_mu(m->opt.beta1, t);
    m->nadam_mu_product = prod;
}

/* Keras' shape column: (None, n) for a flat row, (None, h, w, c) for an image */
static void shape_text(char *buf, size_t size, const sdn_layer *l)
{
    if (sdn_out_pixels(l) > 1)
        snprintf(buf, size, "(None, %zu, %zu, %zu)", l->out_h, l->out_w, l->out_c);
    else
        snprintf(buf, size, "(None, %zu)", l->n_out);
}

sdn_status sdn_model_summary(const sdn_model *m, FILE *out)
{
    if (!m || !out)
        return sdn_fail(SDN_ERR_INVALID_ARG, "summary: model or stream is NULL");
    const char *rule =
        "________________________________________________________________________________\n";
    const char *dbl =
        "================================================================================\n";
    fprintf(out, "Model: \"sequential\"\n%s", rule);
    fprintf(out, " %-38s %-16s %-11s %s\n%s", "Layer (type)", "Output Shape", "Param #", "Details",
            dbl);
    size_t trainable = 0, non_trainable = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        char title[64], shape[64];
        snprintf(title, sizeof title, "%s (%s)", l->name, l->ops->title);
        if (m->compiled)
            shape_text(shape, sizeof shape, l);
        else
            snprintf(shape, sizeof shape, "?");
        size_t p = 0;
        if (m->compiled) {
            p = l->w_size + l->b_size + l->s_size;
            trainable += l->w_size + l->b_size;
            non_trainable += l->s_size;
        }
        char act[48] = "";
        if (l->ops->describe)
            l->ops->describe(l, act, sizeof act);
        char params[24];
        snprintf(params, sizeof params, "%zu", p);
        if (*act)
            fprintf(out, " %-38s %-16s %-11s %s\n", title, shape, params, act);
        else
            fprintf(out, " %-38s %-16s %s\n", title, shape, params);
        if (i + 1 < m->n_layers)
            fputc('\n', out);
    }
    fprintf(out, "%s", dbl);
    fprintf(out, "Total params: %zu\nTrainable params: %zu\nNon-trainable params: %zu\n%s",
            trainable + non_trainable, trainable, non_trainable, rule);
    return SDN_OK;
}

size_t sdn_model_tensor_count(const sdn_model *m)
{
    return m ? m->n_tensors : 0;
}

sdn_status sdn_model_tensor(const sdn_model *m, size_t index, sdn_tensor *out)
{
    if (!m || !out)
        return sdn_fail(SDN_ERR_INVALID_ARG, "tensor: model or out is NULL");
    if (index >= m->n_tensors)
        return sdn_fail(SDN_ERR_INVALID_ARG, "tensor: index %zu out of range [0, %zu)", index,
                        m->n_tensors);
    *out = m->tensors[index];
    return SDN_OK;
}

static sdn_status check_count(const sdn_model *m, size_t count, size_t want, const void *buf,
                              const char *what)
{
    sdn_status st = sdn_model_check_ready(m, what);
    if (st)
        return st;
    if (!buf)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: buffer is NULL", what);
    if (count != want)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: count %zu, the model has %zu", what, count, want);
    return SDN_OK;
}

sdn_status sdn_model_get_params(const sdn_model *m, float *dst, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params : 0, dst, "get_params");
    if (!st)
        memcpy(dst, m->params, count * sizeof(float));
    return st;
}

sdn_status sdn_model_set_params(sdn_model *m, const float *src, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params : 0, src, "set_params");
    if (!st)
        memcpy(m->params, src, count * sizeof(float));
    return st;
}

size_t sdn_model_state_count(const sdn_model *m)
{
    return m ? m->n_params + m->n_state : 0;
}

sdn_status sdn_model_get_state(const sdn_model *m, float *dst, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params + m->n_state : 0, dst, "get_state");
    if (!st) {
        memcpy(dst, m->params, m->n_params * sizeof(float));
        memcpy(dst + m->n_params, m->state, m->n_state * sizeof(float));
    }
    return st;
}

sdn_status sdn_model_set_state(sdn_model *m, const float *src, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params + m->n_state : 0, src, "set_state");
    if (!st) {
        memcpy(m->params, src, m->n_params * sizeof(float));
        memcpy(m->state, src + m->n_params, m->n_state * sizeof(float));
    }
    return st;
}

/* ------------------------------------------------------------------------- sparsity */

double sdn_model_sparsity(const sdn_model *m, float threshold)
{
    if (!m || !m->compiled)
        return 0.0;
    size_t zero = 0, total = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (!l->ops->weight_matrix)
            continue;
        for (size_t j = 0; j < l->w_size; j++)
            zero += fabsf(m->params[l->w_off + j]) <= threshold;
        total += l->w_size;
    }
    return total ? (double)zero / (double)total : 0.0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

sdn_status sdn_model_prune(sdn_model *m, double fraction)
{
    sdn_status st = sdn_model_check_ready(m, "prune");
    if (st)
        return st;
    if (!(fraction >= 0.0 && fraction <= 1.0))
        return sdn_fail(SDN_ERR_INVALID_ARG, "prune: fraction must be in [0, 1] (got %g)",
                        fraction);
    size_t total = 0;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->weight_matrix)
            total += m->layers[i].w_size;
    if (!total || fraction == 0.0)
        return SDN_OK;
    float *mag = malloc(total * sizeof(float));
    if (!mag)
        return sdn_fail(SDN_ERR_NOMEM, "prune: out of memory");
    size_t k = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->ops->weight_matrix)
            for (size_t j = 0; j < l->w_size; j++)
                mag[k++] = fabsf(m->params[l->w_off + j]);
    }
    qsort(mag, total, sizeof(float), cmp_float);
    const size_t q = (size_t)(fraction * (double)total);
    const float thr = q >= total ? INFINITY : mag[q];
    free(mag);
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->ops->weight_matrix)
            for (size_t j = 0; j < l->w_size; j++)
                if (fabsf(m->params[l->w_off + j]) < thr)
                    m->params[l->w_off + j] = 0.0f;
    }
    return SDN_OK;
}
