/* Conv2D's patch matrices (im2col.c): output pixel q of a batch is sample q / (out_h·out_w). */
#ifndef SDN_LAYER_IM2COL_H
#define SDN_LAYER_IM2COL_H

#include "layers/layer.h"

/* A tile of patches holds about this many floats (a quarter of a 1 MiB L2). The tile depends on
 * the shape alone, never on the host or threads: the weight gradient sums tile by tile. */
#define SDN_CONV_TILE_FLOATS 65536

/* cols[r][0..K) = the patch of output pixel q0 + r of batch x, for r < m (K = kh·kw·in_c) */
void sdn_im2col(const sdn_layer *l, const float *x, size_t q0, size_t m, float *cols);
/* dx[patch cells of output pixel q0 + r] += cols[r], r < m in order */
void sdn_col2im(const sdn_layer *l, const float *cols, size_t q0, size_t m, float *dx);
/* Output pixels per tile (a multiple of 8, from 64 to 1024). */
size_t sdn_conv_tile(const sdn_layer *l);

#endif
