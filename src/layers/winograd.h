/* Winograd F(2×2, 3×3) for Conv2D's stride-1 3×3 layers (winograd.c): the image in 4×4 tiles at a
 * stride of 2, each transformed (Bᵀ·d·B), the 16 products (tiles × C)·(C × F) through the same
 * GEMM as every other product, and the 2×2 outputs transformed back (Aᵀ·m·A + bias). */
#ifndef SDN_LAYER_WINOGRAD_H
#define SDN_LAYER_WINOGRAD_H

#include "layers/layer.h"

/* One correlation of n NHWC images in_h × in_w × in_c with a 3×3 kernel, zeros padding pad_top
 * rows and pad_left columns before the image (and as many as it takes after), into out_h × out_w
 * × out_c images. */
typedef struct sdn_wino_shape {
    size_t in_h, in_w, in_c, out_h, out_w, out_c, pad_top, pad_left;
} sdn_wino_shape;

/* The transformed kernel U [16][C][F] = G·g·Gᵀ of each (c, f) of an HWIO kernel w [9·C × F]. */
void sdn_wino_filter(const sdn_kernels *k, const float *w, size_t C, size_t F, float *u);

/* y = the correlation of x (n images of shape s) with the kernel whose transform is u (+ bias,
 * NULL for none), writing every output. flipped = 0: u is sdn_wino_filter's [16][in_c][out_c].
 * flipped = 1: u is that of a kernel of out_c inputs and in_c filters, used rotated by 180° with
 * its channels swapped (a 'same' convolution's input gradient), which permutes the 16 products
 * and transposes each. buf: the calling thread's sdn_wino_buffer_floats(in_c, out_c) floats, of
 * which the first 16·in_c·out_c may hold u (the rest is overwritten). */
void sdn_wino_conv(const sdn_kernels *k, const sdn_wino_shape *s, size_t n, const float *x,
                   const float *u, int flipped, const float *bias, float *y, float *buf);

/* Rows [i0, i1) of the weight gradient dW [9·C × F] (row = kernel cell·C + channel) into dw (its
 * row i0), summed over n images of x (shape s, C = in_c) and their output gradient dy (F = out_c):
 * dg = Gᵀ·(Σ over tiles, in order, of (Bᵀ·d·B) ⊙ (A·dy·Aᵀ))·G, the sum over a block's tiles by
 * the GEMM (TN), blocks in order. Each element's bits are the same whatever the rows asked for:
 * rows within one kernel cell transform only their channels, others all of them. buf: as for
 * sdn_wino_conv (all of it overwritten). */
void sdn_wino_weight_grads(const sdn_kernels *k, const sdn_wino_shape *s, size_t n, const float *x,
                           const float *dy, size_t i0, size_t i1, float *dw, float *buf);

/* Tiles per block: its transforms and products stay in about a 1 MiB L2. A function of
 * the channels alone, and since tiles are independent, no choice of it changes a bit. */
size_t sdn_wino_block(size_t in_c, size_t out_c);
/* A thread's buffer for a layer of in_c and out_c channels either way round (forward and input
 * gradient): the kernel's transform, a block's input and product transforms, a zero row. */
size_t sdn_wino_buffer_floats(size_t in_c, size_t out_c);

#endif
