/* AvgPool2D over NHWC rows: each output pixel the channel-wise mean of its window's pixels inside
 * the image (padding "same" leaves the padded cells out of the mean, as Keras); the backward
 * spreads dy/count over them. The kernels are the table's avgpool pair; the loops are window.h's.
 */
#include "layers/layer.h"
#include "layers/window.h"

/* y[at] = the mean of the window's pixels */
static void avg_pixel(const sdn_layer *l, const sdn_pass *p, const sdn_acts *a, size_t n,
                      const float **px, size_t at)
{
    p->k->avgpool(n, l->out_c, px, 1.0f / (float)n, a->y + at);
}

/* each window pixel's dx += dy[at]/count */
static void avg_pixel_grad(const sdn_layer *l, const sdn_pass *p, const sdn_acts *a, size_t n,
                           const float **px, size_t at)
{
    p->k->avgpool_grad(n, l->out_c, a->dy + at, 1.0f / (float)n, (float *const *)px);
}

static void avg_pool2d_forward(const sdn_layer *l, const sdn_pass *p)
{
    sdn_pool_forward(l, p, avg_pixel);
}

static void avg_pool2d_backward(const sdn_layer *l, const sdn_pass *p)
{
    sdn_pool_backward(l, p, avg_pixel_grad);
}

const sdn_layer_ops sdn_avg_pool2d_ops = {
    .name = "avg_pool2d",
    .title = "AveragePooling2D",
    .check = sdn_window_check,
    .layout = sdn_pool_layout,
    .forward = avg_pool2d_forward,
    .backward = avg_pool2d_backward,
    .describe = sdn_pool_describe,
};
