/* A 16×16 float transpose in registers, for the AVX-512 files that need one (the transposed-B
 * packing and the column tile's stores): pairs of rows interleaved, then pairs of pairs, then
 * 128-bit lanes twice. dst[j·ldd + i] = src[i·lds + j]. */
#ifndef SDN_AVX512_TRANSPOSE_H
#define SDN_AVX512_TRANSPOSE_H

#include <immintrin.h>
#include <stddef.h>

/* r[i] holds row i; on return r[j] holds column j. */
static inline void sdn_transpose16_regs_avx512(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    /* Within each 128-bit lane: rows 4g..4g+3 → r[4g + e] holds their column 4L + e in lane L. */
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
        t[e] = _mm512_shuffle_f32x4(x0, x2, 0x88);
        t[4 + e] = _mm512_shuffle_f32x4(x0, x2, 0xDD);
        t[8 + e] = _mm512_shuffle_f32x4(x1, x3, 0x88);
        t[12 + e] = _mm512_shuffle_f32x4(x1, x3, 0xDD);
    }
    for (int j = 0; j < 16; j++)
        r[j] = t[j];
}

static inline void sdn_transpose16_avx512(const float *src, size_t lds, float *dst, size_t ldd)
{
    __m512 r[16];
    for (int i = 0; i < 16; i++)
        r[i] = _mm512_loadu_ps(src + (size_t)i * lds);
    sdn_transpose16_regs_avx512(r);
    for (int j = 0; j < 16; j++)
        _mm512_storeu_ps(dst + (size_t)j * ldd, r[j]);
}

/* The first `rows` rows and `cols` columns only (a block at a panel's or kc's edge): masked loads
 * and stores, nothing else read or written. */
static inline void sdn_transpose16_part_avx512(const float *src, size_t lds, float *dst, size_t ldd,
                                               size_t rows, size_t cols)
{
    const __mmask16 in = (__mmask16)((1u << cols) - 1u), out = (__mmask16)((1u << rows) - 1u);
    __m512 r[16];
    for (size_t i = 0; i < 16; i++)
        r[i] = i < rows ? _mm512_maskz_loadu_ps(in, src + i * lds) : _mm512_setzero_ps();
    sdn_transpose16_regs_avx512(r);
    for (size_t j = 0; j < cols; j++)
        _mm512_mask_storeu_ps(dst + j * ldd, out, r[j]);
}

#endif
