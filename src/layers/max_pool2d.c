/* MaxPool2D over NHWC rows: each output pixel the channel-wise maximum of its window (padding
 * "same" leaves the padded cells out, as Keras), the window index of each maximum kept for the
 * backward, which routes the gradient to it. The kernels are the table's maxpool pair; the loops
 * are window.h's. */
#include "layers/layer.h"
#include "layers/window.h"

static void max_pool2d_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    a->arg = sdn_bump_take(b, d->max_batch * l->n_out * sizeof(float));
}

/* y[at] = the window's maxima; arg[at] = where each was */
static void max_pixel(const sdn_layer *l, const sdn_pass *p, const sdn_acts *a, size_t n,
                      const float **px, size_t at)
{
    p->k->maxpool(n, l->out_c, px, a->y + at, a->arg + at);
}

/* dy[at] added to dx at each maximum, summed where windows overlap */
static void max_pixel_grad(const sdn_layer *l, const sdn_pass *p, const sdn_acts *a, size_t n,
                           const float **px, size_t at)
{
    p->k->maxpool_grad(n, l->out_c, a->arg + at, a->dy + at, (float *const *)px);
}

static void max_pool2d_forward(const sdn_layer *l, const sdn_pass *p)
{
    sdn_pool_forward(l, p, max_pixel);
}

static void max_pool2d_backward(const sdn_layer *l, const sdn_pass *p)
{
    sdn_pool_backward(l, p, max_pixel_grad);
}

const sdn_layer_ops sdn_max_pool2d_ops = {
    .name = "max_pool2d",
    .title = "MaxPooling2D",
    .check = sdn_window_check,
    .layout = sdn_pool_layout,
    .buffers = max_pool2d_buffers,
    .forward = max_pool2d_forward,
    .backward = max_pool2d_backward,
    .describe = sdn_pool_describe,
};
