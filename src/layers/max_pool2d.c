/* MaxPool2D over NHWC rows: each output pixel the channel-wise maximum of its window (padding
 * "same" leaves the padded cells out, as Keras), the window index of each maximum kept for the
 * backward, which routes the gradient to it. The kernels are the table's maxpool pair. */
#include <stdio.h>

#include "layers/layer.h"
#include "layers/window.h"

static int max_pool2d_check(const sdn_layer *l, char *err, size_t size)
{
    return sdn_window_check(l, err, size);
}

static void max_pool2d_layout(sdn_layer *l, size_t *params, size_t *state)
{
    (void)params, (void)state;
    sdn_window_layout(l, l->in_c);
}

static void max_pool2d_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    a->arg = sdn_bump_take(b, d->max_batch * l->n_out * sizeof(float));
}

/* y[rows r0:r1] = window maxima; arg = where each was */
static void max_pool2d_forward(const sdn_layer *l, const sdn_pass *p)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    const size_t C = l->out_c;
    const float *px[SDN_POOL_MAX_WINDOW];
    for (size_t r = p->r0; r < p->r1; r++)
        for (size_t oy = 0; oy < l->out_h; oy++)
            for (size_t ox = 0; ox < l->out_w; ox++) {
                const size_t n = sdn_window_pixels(l, a->x + r * l->n_in, oy, ox, px);
                const size_t at = r * l->n_out + (oy * l->out_w + ox) * C;
                p->k->maxpool(n, C, px, a->y + at, a->arg + at);
            }
}

/* dx[rows r0:r1] = each output's dy at its maximum, summed where windows overlap (pixels in
 * order, so the sums never depend on threads) */
static void max_pool2d_backward(const sdn_layer *l, const sdn_pass *p)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    const size_t C = l->out_c;
    const float *px[SDN_POOL_MAX_WINDOW];
    if (!l->need_dx || p->r1 == p->r0)
        return;
    memset(a->dx + p->r0 * l->n_in, 0, (p->r1 - p->r0) * l->n_in * sizeof(float));
    for (size_t r = p->r0; r < p->r1; r++)
        for (size_t oy = 0; oy < l->out_h; oy++)
            for (size_t ox = 0; ox < l->out_w; ox++) {
                const size_t n = sdn_window_pixels(l, a->dx + r * l->n_in, oy, ox, px);
                const size_t at = r * l->n_out + (oy * l->out_w + ox) * C;
                p->k->maxpool_grad(n, C, a->arg + at, a->dy + at, (float *const *)px);
            }
}

void sdn_pool_describe(const sdn_layer *l, char *buf, size_t size)
{
    snprintf(buf, size, "%zux%zu /%zu %s", l->kh, l->kw, l->stride_h,
             l->pad_same ? "same" : "valid");
}

const sdn_layer_ops sdn_max_pool2d_ops = {
    .name = "max_pool2d",
    .title = "MaxPooling2D",
    .check = max_pool2d_check,
    .layout = max_pool2d_layout,
    .buffers = max_pool2d_buffers,
    .forward = max_pool2d_forward,
    .backward = max_pool2d_backward,
    .describe = sdn_pool_describe,
};
