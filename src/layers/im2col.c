/* Conv2D's patches: im2col copies the K = kh·kw·in_c inputs of each output pixel into one row
 * (kernel row, kernel column, channel: the order of the HWIO kernel's rows), zeros where the
 * window hangs over the padding; col2im adds such rows back into the input gradient, pixels in
 * order and each window's cells in order, so the sums never depend on the tiling or threads. */
#include <string.h>

#include "layers/im2col.h"

/* The input cell (iy, ix) of kernel cell (ky, kx) for output pixel (oy, ox); 0 in the padding. */
static int cell_of(const sdn_layer *l, size_t oy, size_t ox, size_t ky, size_t kx, size_t *at)
{
    const size_t y = oy * l->stride_h + ky, x = ox * l->stride_w + kx;
    if (y < l->pad_top || x < l->pad_left)
        return 0;
    const size_t iy = y - l->pad_top, ix = x - l->pad_left;
    if (iy >= l->in_h || ix >= l->in_w)
        return 0;
    *at = (iy * l->in_w + ix) * l->in_c;
    return 1;
}

/* Row ky of a patch: kw cells of C floats. Inside the image they are kw·C contiguous floats of
 * the input (one copy); at an edge, cell by cell with zeros in the padding. */
static void patch_row(const sdn_layer *l, const float *img, size_t oy, size_t ox, size_t ky,
                      float *dst)
{
    const size_t C = l->in_c, y = oy * l->stride_h + ky, x0 = ox * l->stride_w;
    if (y >= l->pad_top && y - l->pad_top < l->in_h && x0 >= l->pad_left &&
        x0 - l->pad_left + l->kw <= l->in_w) {
        memcpy(dst, img + ((y - l->pad_top) * l->in_w + x0 - l->pad_left) * C,
               l->kw * C * sizeof(float));
        return;
    }
    for (size_t kx = 0; kx < l->kw; kx++) {
        size_t at;
        if (cell_of(l, oy, ox, ky, kx, &at))
            memcpy(dst + kx * C, img + at, C * sizeof(float));
        else
            memset(dst + kx * C, 0, C * sizeof(float));
    }
}

void sdn_im2col(const sdn_layer *l, const float *x, size_t q0, size_t m, float *cols)
{
    const size_t C = l->in_c, op = sdn_out_pixels(l), K = l->kh * l->kw * C;
    for (size_t r = 0; r < m; r++) {
        const size_t q = q0 + r, n = q / op, o = q % op, oy = o / l->out_w, ox = o % l->out_w;
        for (size_t ky = 0; ky < l->kh; ky++)
            patch_row(l, x + n * l->n_in, oy, ox, ky, cols + r * K + ky * l->kw * C);
    }
}

/* dx += row ky of a patch: inside the image one loop over kw·C contiguous floats, at an edge
 * cell by cell; each element gets the same single add either way. */
static void unpatch_row(const sdn_layer *l, const float *src, size_t oy, size_t ox, size_t ky,
                        float *img)
{
    const size_t C = l->in_c, y = oy * l->stride_h + ky, x0 = ox * l->stride_w;
    if (y >= l->pad_top && y - l->pad_top < l->in_h && x0 >= l->pad_left &&
        x0 - l->pad_left + l->kw <= l->in_w) {
        float *d = img + ((y - l->pad_top) * l->in_w + x0 - l->pad_left) * C;
        for (size_t i = 0; i < l->kw * C; i++)
            d[i] += src[i];
        return;
    }
    for (size_t kx = 0; kx < l->kw; kx++) {
        size_t at;
        if (!cell_of(l, oy, ox, ky, kx, &at))
            continue;
        float *d = img + at;
        for (size_t c = 0; c < C; c++)
            d[c] += src[kx * C + c];
    }
}

void sdn_col2im(const sdn_layer *l, const float *cols, size_t q0, size_t m, float *dx)
{
    const size_t C = l->in_c, op = sdn_out_pixels(l), K = l->kh * l->kw * C;
    for (size_t r = 0; r < m; r++) {
        const size_t q = q0 + r, n = q / op, o = q % op, oy = o / l->out_w, ox = o % l->out_w;
        for (size_t ky = 0; ky < l->kh; ky++)
            unpatch_row(l, cols + r * K + ky * l->kw * C, oy, ox, ky, dx + n * l->n_in);
    }
}

size_t sdn_conv_tile(const sdn_layer *l)
{
    const size_t K = l->kh * l->kw * l->in_c;
    size_t t = SDN_CONV_TILE_FLOATS / K;
    t = t < 64 ? 64 : t > 1024 ? 1024 : t;
    return t / 8 * 8;
}
