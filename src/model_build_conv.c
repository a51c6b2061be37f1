/* Building a convolutional model: the input's image shape and one `add` per image layer kind,
 * which checks the options and records them (shapes, padding and their checks come at compile,
 * src/model_compile.c and src/layers/window.c). */
#include <math.h>
#include <string.h>

#include "error.h"
#include "layers/window.h"
#include "model.h"

sdn_conv2d_options sdn_conv2d_defaults(size_t filters, size_t kernel)
{
    sdn_conv2d_options o;
    memset(&o, 0, sizeof o);
    o.filters = filters;
    o.kernel_h = o.kernel_w = kernel;
    o.stride_h = o.stride_w = 1;
    o.padding = SDN_PAD_VALID;
    o.activation = SDN_ACT_LINEAR;
    o.kernel_init.kind = SDN_INIT_GLOROT_UNIFORM;
    o.bias_init.kind = SDN_INIT_ZEROS;
    o.use_bias = 1;
    return o;
}

sdn_status sdn_model_set_input_shape(sdn_model *m, size_t height, size_t width, size_t channels)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "input shape: model is NULL");
    if (m->compiled)
        return sdn_fail(SDN_ERR_STATE, "input shape: the model is already compiled");
    if (!height || !width || !channels || height > ((size_t)1 << 20) || width > ((size_t)1 << 20) ||
        channels > ((size_t)1 << 20))
        return sdn_fail(SDN_ERR_INVALID_ARG, "input shape: %zu x %zu x %zu (each from 1 to 2^20)",
                        height, width, channels);
    m->in_h = height, m->in_w = width, m->in_c = channels;
    return SDN_OK;
}

static sdn_status check_conv(const sdn_conv2d_options *o)
{
    if (!o)
        return sdn_fail(SDN_ERR_INVALID_ARG, "conv2d: options are NULL");
    if (!o->filters || !o->kernel_h || !o->kernel_w || !o->stride_h || !o->stride_w)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "conv2d: filters, kernel size and strides must be at least 1 (got %zu "
                        "filters, %zu x %zu kernel, strides %zu, %zu)",
                        o->filters, o->kernel_h, o->kernel_w, o->stride_h, o->stride_w);
    if (o->kernel_h > 4096 || o->kernel_w > 4096 || o->filters > ((size_t)1 << 20))
        return sdn_fail(SDN_ERR_INVALID_ARG, "conv2d: kernel or filters out of range");
    if ((unsigned)o->padding > SDN_PAD_SAME)
        return sdn_fail(SDN_ERR_INVALID_ARG, "conv2d: unknown padding %d", (int)o->padding);
    if ((unsigned)o->activation >= SDN_ACT_COUNT || o->activation == SDN_ACT_SOFTMAX)
        return sdn_fail(SDN_ERR_INVALID_ARG, "conv2d: unknown or softmax activation %d",
                        (int)o->activation);
    if ((unsigned)o->kernel_init.kind >= SDN_INIT_COUNT ||
        (unsigned)o->bias_init.kind >= SDN_INIT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "conv2d: unknown initializer");
    if (sdn_bad_nonneg(o->l1) || sdn_bad_nonneg(o->l2) || !isfinite(o->activation_alpha))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "conv2d: l1, l2 must be finite and >= 0 and alpha finite");
    return SDN_OK;
}

sdn_status sdn_model_add_conv2d(sdn_model *m, const sdn_conv2d_options *o)
{
    sdn_status st = check_conv(o);
    sdn_layer *l = NULL;
    if (st || (st = sdn_model_add_layer(m, &sdn_conv2d_ops, &l)))
        return st;
    l->filters = o->filters;
    l->kh = o->kernel_h, l->kw = o->kernel_w;
    l->stride_h = o->stride_h, l->stride_w = o->stride_w;
    l->pad_same = o->padding == SDN_PAD_SAME;
    l->act = o->activation;
    l->alpha = o->activation_alpha;
    l->kernel_init = o->kernel_init;
    l->bias_init = o->bias_init;
    l->use_bias = o->use_bias != 0;
    l->l1 = o->l1;
    l->l2 = o->l2;
    return SDN_OK;
}

static sdn_status add_pool(sdn_model *m, const sdn_layer_ops *ops, size_t pool, size_t stride,
                           sdn_padding padding)
{
    if (!pool || pool * pool > SDN_POOL_MAX_WINDOW)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: pool size %zu is not from 1 to 16", ops->name,
                        pool);
    if ((unsigned)padding > SDN_PAD_SAME || stride > ((size_t)1 << 20))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: unknown padding or stride out of range",
                        ops->name);
    sdn_layer *l = NULL;
    sdn_status st = sdn_model_add_layer(m, ops, &l);
    if (st)
        return st;
    l->kh = l->kw = pool;
    l->stride_h = l->stride_w = stride ? stride : pool;
    l->pad_same = padding == SDN_PAD_SAME;
    return SDN_OK;
}

sdn_status sdn_model_add_max_pool2d(sdn_model *m, size_t pool, size_t stride, sdn_padding padding)
{
    return add_pool(m, &sdn_max_pool2d_ops, pool, stride, padding);
}

sdn_status sdn_model_add_avg_pool2d(sdn_model *m, size_t pool, size_t stride, sdn_padding padding)
{
    return add_pool(m, &sdn_avg_pool2d_ops, pool, stride, padding);
}

sdn_status sdn_model_add_global_avg_pool2d(sdn_model *m)
{
    sdn_layer *l = NULL;
    return sdn_model_add_layer(m, &sdn_global_avg_pool2d_ops, &l);
}
