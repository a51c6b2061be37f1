/* A 16×16 float transpose in registers, for the AVX-512 files that need one (the transposed-B
 * packing and the column tile's stores): pairs of rows interleaved, then pairs of pairs, then
 * 128-bit lanes twice. dst[j·ldd + i] = src[i·lds + j]. */
#ifndef SDN_AVX512_TRANSPOSE_H
#define SDN_AVX512_TRANSPOSE_H

#include <immintrin.h>
#include <stddef.h>

static inline void sdn_transpose16_avx512(const float *src, size_t lds, float *dst, size_t ldd)
{
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++)
        r[i] = _mm512_loadu_ps(src + (size_t)i * lds);
    /* Within each 128-bit lane: rows 4g..4g+3 → r[4g + e] holds their column 4L + e in lane L. */
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int g = 0; g < 16; g += 4) {
        const __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
        const __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
        r[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        r[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        r[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        r[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    /* Then a 4×4 transpose of 128-bit lanes across the four row groups, for each e. */
    for (int e = 0; e < 4; e++) {
        const __m512 x0 = _mm512_shuffle_f32x4(r[e], r[4 + e], 0x44);
        const __m512 x1 = _mm512_shuffle_f32x4(r[e], r[4 + e], 0xEE);
        const __m512 x2 = _mm512_shuffle_f32x4(r[8 + e], r[12 + e], 0x44);
        const __m512 x3 = _mm512_shuffle_f32x4(r[8 + e], r[12 + e], 0xEE);
        _mm512_storeu_ps(dst + (size_t)e * ldd, _mm512_shuffle_f32x4(x0, x2, 0x88));
        _mm512_storeu_ps(dst + (size_t)(4 + e) * ldd, _mm512_shuffle_f32x4(x0, x2, 0xDD));
        _mm512_storeu_ps(dst + (size_t)(8 + e) * ldd, _mm512_shuffle_f32x4(x1, x3, 0x88));
        _mm512_storeu_ps(dst + (size_t)(12 + e) * ldd, _mm512_shuffle_f32x4(x1, x3, 0xDD));
    }
}

#endif
