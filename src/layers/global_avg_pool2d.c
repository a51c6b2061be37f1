/* GlobalAveragePooling2D: each row's H × W × C image to the C channel means (a flat row), through
 * the avgpool kernels with every pixel as the window; the backward spreads dy/(H·W) back. */
#include "layers/layer.h"

static void global_avg_pool2d_layout(sdn_layer *l, size_t *params, size_t *state)
{
    (void)params, (void)state;
    l->out_h = l->out_w = 1;
    l->out_c = l->in_c;
    l->n_out = l->in_c;
}

/* The pixels of an image go to the kernel GAP_CHUNK at a time, after the running sum. */
#define GAP_CHUNK 256

/* y = the mean of the image's pixels, summed in pixel order: each chunk after the first is added
 * to the running sum in y (the kernel reads a vector of every window pixel before it stores that
 * vector of y), and only the last chunk scales */
static void gap_row(const sdn_kernels *k, size_t pixels, size_t C, const float *img, float *y)
{
    const float *px[GAP_CHUNK + 1];
    for (size_t i0 = 0; i0 < pixels; i0 += GAP_CHUNK) {
        const size_t n = pixels - i0 < GAP_CHUNK ? pixels - i0 : GAP_CHUNK, lead = i0 ? 1 : 0;
        px[0] = y;
        for (size_t i = 0; i < n; i++)
            px[lead + i] = img + (i0 + i) * C;
        const float scale = i0 + n == pixels ? 1.0f / (float)pixels : 1.0f;
        k->avgpool(lead + n, C, px, scale, y);
    }
}

static void global_avg_pool2d_forward(const sdn_layer *l, const sdn_pass *p)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    for (size_t r = p->r0; r < p->r1; r++)
        gap_row(p->k, sdn_in_pixels(l), l->in_c, a->x + r * l->n_in, a->y + r * l->n_out);
}

static void global_avg_pool2d_backward(const sdn_layer *l, const sdn_pass *p)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    const size_t pixels = sdn_in_pixels(l), C = l->in_c;
    float *px[GAP_CHUNK];
    if (!l->need_dx || p->r1 == p->r0)
        return;
    memset(a->dx + p->r0 * l->n_in, 0, (p->r1 - p->r0) * l->n_in * sizeof(float));
    for (size_t r = p->r0; r < p->r1; r++)
        for (size_t i0 = 0; i0 < pixels; i0 += GAP_CHUNK) {
            const size_t n = pixels - i0 < GAP_CHUNK ? pixels - i0 : GAP_CHUNK;
            for (size_t i = 0; i < n; i++)
                px[i] = a->dx + r * l->n_in + (i0 + i) * C;
            p->k->avgpool_grad(n, C, a->dy + r * l->n_out, 1.0f / (float)pixels, px);
        }
}

const sdn_layer_ops sdn_global_avg_pool2d_ops = {
    .name = "global_avg_pool2d",
    .title = "GlobalAveragePooling2D",
    .flat_out = 1,
    .layout = global_avg_pool2d_layout,
    .forward = global_avg_pool2d_forward,
    .backward = global_avg_pool2d_backward,
};
