/* The pixels of one window of a windowed layer (window.c). */
#ifndef SDN_LAYER_WINDOW_H
#define SDN_LAYER_WINDOW_H

#include "layers/layer.h"

/* The largest window a pooling layer takes (its pointer list lives on the stack). */
#define SDN_POOL_MAX_WINDOW 256

/* Of the window o (stride s, size k, padding pad before the first) over n rows: the first row
 * inside the image (*first) and how many are inside. */
size_t sdn_window_rows(size_t o, size_t n, size_t k, size_t s, size_t pad, size_t *first);
/* px[0..count) = the pixels (first channel) of output (oy, ox)'s window inside img, row by row. */
size_t sdn_window_pixels(const sdn_layer *l, const float *img, size_t oy, size_t ox,
                         const float **px);

/* The pooling layers' summary column: "2x2 /2 valid" (max_pool2d.c). */
void sdn_pool_describe(const sdn_layer *l, char *buf, size_t size);

#endif
