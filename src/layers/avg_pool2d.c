/* AvgPool2D over NHWC rows: each output pixel the channel-wise mean of its window's pixels inside
 * the image (padding "same" leaves the padded cells out of the mean, as Keras); the backward
 * spreads dy/count over them. The kernels are the table's avgpool pair. */
#include "layers/layer.h"
#include "layers/window.h"

static int avg_pool2d_check(const sdn_layer *l, char *err, size_t size)
{
    return sdn_window_check(l, err, size);
}

static void avg_pool2d_layout(sdn_layer *l, size_t *params, size_t *state)
{
    (void)params, (void)state;
    sdn_window_layout(l, l->in_c);
}

static void avg_pool2d_forward(const sdn_layer *l, const sdn_pass *p)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    const size_t C = l->out_c;
    const float *px[SDN_POOL_MAX_WINDOW];
    for (size_t r = p->r0; r < p->r1; r++)
        for (size_t oy = 0; oy < l->out_h; oy++)
            for (size_t ox = 0; ox < l->out_w; ox++) {
                const size_t n = sdn_window_pixels(l, a->x + r * l->n_in, oy, ox, px);
                const size_t at = r * l->n_out + (oy * l->out_w + ox) * C;
                p->k->avgpool(n, C, px, 1.0f / (float)n, a->y + at);
            }
}

/* dx[rows r0:r1] = Σ over the windows holding a pixel of dy/count (pixels in order) */
static void avg_pool2d_backward(const sdn_layer *l, const sdn_pass *p)
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
                p->k->avgpool_grad(n, C, a->dy + at, 1.0f / (float)n, (float *const *)px);
            }
}

const sdn_layer_ops sdn_avg_pool2d_ops = {
    .name = "avg_pool2d",
    .title = "AveragePooling2D",
    .check = avg_pool2d_check,
    .layout = avg_pool2d_layout,
    .forward = avg_pool2d_forward,
    .backward = avg_pool2d_backward,
    .describe = sdn_pool_describe,
};
