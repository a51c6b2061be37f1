/* FMA peak loop: 16 q accumulators, each an independent FMLA chain (up to four pipes × 4 cycles
 * of latency), and 2 constants. Returns the FLOPs it did. */
#include <arm_neon.h>

#include "kernels.h"

double sdn_f32_fma_peak__neon(size_t iters)
{
    const float32x4_t m = vdupq_n_f32(0.9999999f), c = vdupq_n_f32(1e-7f);
    float32x4_t a[16];
    for (int j = 0; j < 16; j++)
        a[j] = vdupq_n_f32((float)j);
    for (size_t i = 0; i < iters; i++) {
#pragma GCC unroll 16
        for (int j = 0; j < 16; j++)
            a[j] = vfmaq_f32(c, a[j], m);
    }
    float32x4_t s = a[0];
    for (int j = 1; j < 16; j++)
        s = vaddq_f32(s, a[j]);
    sdn_peak_sink = vaddvq_f32(s);
    return (double)iters * 16 * 4 * 2;
}
