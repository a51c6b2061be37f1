/* What the windowed kinds share (Conv2D, MaxPool2D, AvgPool2D): the output shape and "same"
 * padding of a window sliding over an NHWC image, the compile-time check that it fits, and the
 * list of a window's pixels inside the image (padding is left out of the list); and the pooling
 * layers' layout and summary. */
#include <stdio.h>

#include "layers/layer.h"
#include "layers/window.h"

void sdn_window_layout(sdn_layer *l, size_t out_c)
{
    l->out_h = sdn_window_out(l->in_h, l->kh, l->stride_h, l->pad_same);
    l->out_w = sdn_window_out(l->in_w, l->kw, l->stride_w, l->pad_same);
    l->pad_top = sdn_window_pad(l->in_h, l->kh, l->stride_h, l->pad_same);
    l->pad_left = sdn_window_pad(l->in_w, l->kw, l->stride_w, l->pad_same);
    l->out_c = out_c;
    l->n_out = l->out_h * l->out_w * out_c;
}

int sdn_window_check(const sdn_layer *l, char *err, size_t size)
{
    if (l->in_h == 1 && l->in_w == 1 && (l->kh > 1 || l->kw > 1)) {
        snprintf(err, size,
                 "a %zux%zu window needs an image input, got a flat row of %zu (set the model's "
                 "input shape, and put image layers before Flatten and Dense)",
                 l->kh, l->kw, l->n_in);
        return 1;
    }
    if (!l->pad_same && (l->kh > l->in_h || l->kw > l->in_w)) {
        snprintf(err, size,
                 "the %zux%zu window is larger than its %zux%zux%zu input (padding valid; "
                 "padding same pads it)",
                 l->kh, l->kw, l->in_h, l->in_w, l->in_c);
        return 1;
    }
    return 0;
}

size_t sdn_window_rows(size_t o, size_t n, size_t k, size_t s, size_t pad, size_t *first)
{
    /* window rows [o·s − pad, o·s − pad + k) cut to [0, n) */
    const size_t start = o * s, lo = start > pad ? start - pad : 0, hi0 = start + k - pad;
    const size_t hi = hi0 < n ? hi0 : n;
    *first = lo;
    return hi > lo ? hi - lo : 0;
}

size_t sdn_window_pixels(const sdn_layer *l, const float *img, size_t oy, size_t ox,
                         const float **px)
{
    size_t y0, x0;
    const size_t ny = sdn_window_rows(oy, l->in_h, l->kh, l->stride_h, l->pad_top, &y0);
    const size_t nx = sdn_window_rows(ox, l->in_w, l->kw, l->stride_w, l->pad_left, &x0);
    size_t count = 0;
    for (size_t y = y0; y < y0 + ny; y++)
        for (size_t x = x0; x < x0 + nx; x++)
            px[count++] = img + (y * l->in_w + x) * l->in_c;
    return count;
}

void sdn_pool_layout(sdn_layer *l, size_t *params, size_t *state)
{
    (void)params, (void)state;
    sdn_window_layout(l, l->in_c);
}

void sdn_pool_describe(const sdn_layer *l, char *buf, size_t size)
{
    snprintf(buf, size, "%zux%zu /%zu %s", l->kh, l->kw, l->stride_h,
             l->pad_same ? "same" : "valid");
}
