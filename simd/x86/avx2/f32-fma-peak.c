/* FMA peak loop: 12 ymm accumulators, each an independent FMA chain (two FMA pipes × 4 cycles of
 * latency need 8 in flight), and 2 constants: 14 of the 16 registers. Returns the FLOPs it did. */
#include <immintrin.h>

#include "kernels.h"

double sdn_f32_fma_peak__avx2(size_t iters)
{
    const __m256 m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
    __m256 a[12];
    for (int j = 0; j < 12; j++)
        a[j] = _mm256_set1_ps((float)j);
    for (size_t i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++)
            a[j] = _mm256_fmadd_ps(a[j], m, c);
    }
    __m256 s = a[0];
    for (int j = 1; j < 12; j++)
        s = _mm256_add_ps(s, a[j]);
    float v[8];
    _mm256_storeu_ps(v, s);
    sdn_peak_sink = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    return (double)iters * 12 * 8 * 2;
}
