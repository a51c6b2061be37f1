/* FMA peak loop: 16 zmm accumulators, each an independent FMA chain (two FMA pipes × 4 cycles of
 * latency need 8 in flight), and 2 constants. Returns the FLOPs it did. */
#include <immintrin.h>

#include "kernels.h"

double sdn_f32_fma_peak__avx512(size_t iters)
{
    const __m512 m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
    __m512 a[16];
    for (int j = 0; j < 16; j++)
        a[j] = _mm512_set1_ps((float)j);
    for (size_t i = 0; i < iters; i++) {
#pragma GCC unroll 16
        for (int j = 0; j < 16; j++)
            a[j] = _mm512_fmadd_ps(a[j], m, c);
    }
    __m512 s = a[0];
    for (int j = 1; j < 16; j++)
        s = _mm512_add_ps(s, a[j]);
    sdn_peak_sink = _mm512_reduce_add_ps(s);
    return (double)iters * 16 * 16 * 2;
}
