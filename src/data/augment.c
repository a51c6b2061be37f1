/* CIFAR-style augmentation of HWC float batches: a random crop of the image padded by `pad`
 * (a shift with zeros where the frame is left) and a left-right flip, drawn from a counter-based
 * stream of (seed, epoch, row in the epoch), so a run augments the same way on any thread count. */
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "simdnn_data.h"

/* One image: dst(y, x) = src(y + dy, x + dx), mirrored in x when flip; zeros outside. */
static void shift_image(const sdn_augment *a, const float *src, float *dst, long dy, long dx,
                        int flip)
{
    const long H = (long)a->height, W = (long)a->width;
    const size_t C = a->channels;
    for (long y = 0; y < H; y++)
        for (long x = 0; x < W; x++) {
            const long sy = y + dy, sx = (flip ? W - 1 - x : x) + dx;
            float *d = dst + ((size_t)y * (size_t)W + (size_t)x) * C;
            if (sy < 0 || sy >= H || sx < 0 || sx >= W)
                memset(d, 0, C * sizeof(float));
            else
                memcpy(d, src + ((size_t)sy * (size_t)W + (size_t)sx) * C, C * sizeof(float));
        }
}

void sdn_augment_batch(const sdn_augment *a, float *x, size_t n, uint64_t seed, uint64_t epoch,
                       uint64_t first)
{
    if (!a || !a->height || !a->width || !a->channels || (a->pad <= 0 && !a->flip))
        return;
    const size_t size = a->height * a->width * a->channels;
    float *tmp = malloc(size * sizeof(float));
    if (!tmp)
        return; /* no augmentation rather than a failed step: the batch stays as it was */
    const long pad = a->pad > 0 ? a->pad : 0;
    const uint32_t span = 2u * (uint32_t)pad + 1u;
    for (size_t i = 0; i < n; i++) {
        uint32_t r[3];
        sdn_rng_u32(seed, SDN_STREAM_AUGMENT, epoch, 3 * (first + i), 3, r);
        const long dy = (long)(r[0] % span) - pad, dx = (long)(r[1] % span) - pad;
        const int flip = a->flip && (r[2] & 1u);
        memcpy(tmp, x + i * size, size * sizeof(float));
        shift_image(a, tmp, x + i * size, dy, dx, flip);
    }
    free(tmp);
}
