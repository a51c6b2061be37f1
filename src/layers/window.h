/* The pixels of one window of a windowed layer, and the loops of the pooling layers (window.c). */
#ifndef SDN_LAYER_WINDOW_H
#define SDN_LAYER_WINDOW_H

#include "inline.h"
#include "layers/layer.h"

/* The largest window a pooling layer takes (its pointer list lives on the stack). */
#define SDN_POOL_MAX_WINDOW 256

/* Of the window o (stride s, size k, padding pad before the first) over n rows: the first row
 * inside the image (*first) and how many are inside. */
size_t sdn_window_rows(size_t o, size_t n, size_t k, size_t s, size_t pad, size_t *first);
/* px[0..count) = the pixels (first channel) of output (oy, ox)'s window inside img, row by row. */
size_t sdn_window_pixels(const sdn_layer *l, const float *img, size_t oy, size_t ox,
                         const float **px);

/* ---- what the pooling layers (MaxPool2D, AvgPool2D) share ---- */

/* Their layout (out_c = in_c) and summary column ("2x2 /2 valid"); their check is
 * sdn_window_check. */
void sdn_pool_layout(sdn_layer *l, size_t *params, size_t *state);
void sdn_pool_describe(const sdn_layer *l, char *buf, size_t size);

/* One output pixel: its window's n pixels px (in x forward, in dx backward) and `at`, the offset
 * of its channels in y and dy. */
typedef void sdn_pool_pixel_fn(const sdn_layer *l, const sdn_pass *p, const sdn_acts *a, size_t n,
                               const float **px, size_t at);

/* fn on every output pixel of rows [r0, r1), windows taken in img (the rows' x or dx). Always
 * inlined, so that each layer's fn, a constant, is inlined into its own loop as if written there.
 */
SDN_INLINE void sdn_pool_each(const sdn_layer *l, const sdn_pass *p, const float *img,
                              sdn_pool_pixel_fn *fn)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    const float *px[SDN_POOL_MAX_WINDOW];
    for (size_t r = p->r0; r < p->r1; r++)
        for (size_t oy = 0; oy < l->out_h; oy++)
            for (size_t ox = 0; ox < l->out_w; ox++) {
                const size_t n = sdn_window_pixels(l, img + r * l->n_in, oy, ox, px);
                fn(l, p, a, n, px, r * l->n_out + (oy * l->out_w + ox) * l->out_c);
            }
}

/* The forward: fn on each output pixel's window in x. */
SDN_INLINE void sdn_pool_forward(const sdn_layer *l, const sdn_pass *p, sdn_pool_pixel_fn *fn)
{
    sdn_pool_each(l, p, sdn_acts_of(p, l)->x, fn);
}

/* The backward: dx of rows [r0, r1) zeroed, then fn on each output pixel's window in dx, pixels in
 * order (the sums where windows overlap never depend on threads). Nothing when dx is not needed. */
SDN_INLINE void sdn_pool_backward(const sdn_layer *l, const sdn_pass *p, sdn_pool_pixel_fn *fn)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    if (!l->need_dx || p->r1 == p->r0)
        return;
    memset(a->dx + p->r0 * l->n_in, 0, (p->r1 - p->r0) * l->n_in * sizeof(float));
    sdn_pool_each(l, p, a->dx, fn);
}

#endif
