/* Building a model: the constructor, the destructor and one `add` per layer kind, which checks the
 * options and records them (shapes and buffers come at compile, src/model_compile.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"

sdn_dense_options sdn_dense_defaults(size_t units)
{
    sdn_dense_options d;
    memset(&d, 0, sizeof d);
    d.units = units;
    d.activation = SDN_ACT_LINEAR;
    d.kernel_init.kind = SDN_INIT_GLOROT_UNIFORM;
    d.bias_init.kind = SDN_INIT_ZEROS;
    d.use_bias = 1;
    return d;
}

sdn_model *sdn_model_new(uint64_t seed)
{
    sdn_model *m = calloc(1, sizeof *m);
    if (m) {
        m->seed = seed;
        m->nadam_mu_product = 1.0;
    }
    return m;
}

void sdn_model_free(sdn_model *m)
{
    if (!m)
        return;
    sdn_model_release_compiled(m);
    free(m->layers);
    free(m);
}

sdn_status sdn_model_add_layer(sdn_model *m, const sdn_layer_ops *ops, sdn_layer **out)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "model is NULL");
    if (m->compiled)
        return sdn_fail(SDN_ERR_STATE, "cannot add a %s layer: the model is already compiled",
                        ops->name);
    if (m->n_layers == m->cap_layers) {
        int cap = m->cap_layers ? 2 * m->cap_layers : 16;
        sdn_layer *l = realloc(m->layers, (size_t)cap * sizeof *l);
        if (!l)
            return sdn_fail(SDN_ERR_NOMEM, "out of memory adding a layer");
        m->layers = l;
        m->cap_layers = cap;
    }
    int same_kind = 0; /* names count per kind: dense_0, dense_1, batch_norm_0 */
    for (int i = 0; i < m->n_layers; i++)
        same_kind += m->layers[i].ops == ops;
    sdn_layer *l = &m->layers[m->n_layers];
    memset(l, 0, sizeof *l);
    l->ops = ops;
    l->index = m->n_layers++;
    snprintf(l->name, sizeof l->name, "%s_%d", ops->name, same_kind);
    *out = l;
    return SDN_OK;
}

sdn_status sdn_model_add_flatten(sdn_model *m)
{
    sdn_layer *l = NULL;
    return sdn_model_add_layer(m, &sdn_flatten_ops, &l);
}

sdn_status sdn_model_add_dense(sdn_model *m, const sdn_dense_options *o)
{
    if (!o)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: options are NULL");
    if (!o->units)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: units must be at least 1");
    if ((unsigned)o->activation >= SDN_ACT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: unknown activation %d", (int)o->activation);
    if ((unsigned)o->kernel_init.kind >= SDN_INIT_COUNT ||
        (unsigned)o->bias_init.kind >= SDN_INIT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: unknown initializer");
    if (sdn_bad_nonneg(o->l1) || sdn_bad_nonneg(o->l2))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "dense: l1 and l2 must be finite and >= 0 (got %g, %g)", (double)o->l1,
                        (double)o->l2);
    if (!isfinite(o->activation_alpha))
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: activation alpha must be finite");
    sdn_layer *l = NULL;
    sdn_status st = sdn_model_add_layer(m, &sdn_dense_ops, &l);
    if (st)
        return st;
    l->n_out = o->units;
    l->act = o->activation;
    l->alpha = o->activation_alpha;
    l->kernel_init = o->kernel_init;
    l->bias_init = o->bias_init;
    l->use_bias = o->use_bias != 0;
    l->l1 = o->l1;
    l->l2 = o->l2;
    return SDN_OK;
}

sdn_status sdn_model_add_batch_norm(sdn_model *m, float momentum, float epsilon)
{
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        return sdn_fail(SDN_ERR_INVALID_ARG, "batch_norm: momentum must be in [0, 1] (got %g)",
                        (double)momentum);
    if (!(epsilon > 0.0f) || !isfinite(epsilon))
        return sdn_fail(SDN_ERR_INVALID_ARG, "batch_norm: epsilon must be > 0 (got %g)",
                        (double)epsilon);
    sdn_layer *l = NULL;
    sdn_status st = sdn_model_add_layer(m, &sdn_batch_norm_ops, &l);
    if (!st) {
        l->momentum = momentum;
        l->epsilon = epsilon;
    }
    return st;
}

sdn_status sdn_model_add_activation(sdn_model *m, sdn_activation act, float alpha)
{
    if ((unsigned)act >= SDN_ACT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "activation: unknown activation %d", (int)act);
    if (!isfinite(alpha))
        return sdn_fail(SDN_ERR_INVALID_ARG, "activation: alpha must be finite");
    sdn_layer *l = NULL;
    sdn_status st = sdn_model_add_layer(m, &sdn_activation_ops, &l);
    if (!st) {
        l->act = act;
        l->alpha = alpha;
    }
    return st;
}

static sdn_status add_dropout(sdn_model *m, const sdn_layer_ops *ops, float rate)
{
    if (!(rate >= 0.0f && rate < 1.0f))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: rate must be in [0, 1) (got %g)", ops->name,
                        (double)rate);
    sdn_layer *l = NULL;
    sdn_status st = sdn_model_add_layer(m, ops, &l);
    if (st)
        return st;
    l->rate = rate;
    if (ops == &sdn_dropout_ops) { /* inverted dropout; alpha dropout keeps SELU's moments */
        l->drop_a = 1.0f / (1.0f - rate);
        l->drop_b = l->drop_c = 0.0f;
    } else {
        sdn_alpha_dropout_constants(rate, &l->drop_a, &l->drop_b, &l->drop_c);
    }
    return SDN_OK;
}

sdn_status sdn_model_add_dropout(sdn_model *m, float rate)
{
    return add_dropout(m, &sdn_dropout_ops, rate);
}
sdn_status sdn_model_add_alpha_dropout(sdn_model *m, float rate)
{
    return add_dropout(m, &sdn_alpha_dropout_ops, rate);
}
