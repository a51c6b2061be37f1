/* 24 zmm accumulators (12 rows × 2), 2 B loads, 1 A broadcast per row: the AVX-512 12×32 tile
 * (12 rows rather than 14: batches of 32, 128, 512 fill 12-row tiles to 89%, 97%, 99%). A and B
 * are addressed through their strides: one loop for packed panels and operands read in place.
 *
 * Edge tiles run only the rows and vectors they need, and load and store the last vector under
 * a mask (not a 12×32 tile computed and copied out), so B is read in place up to its last
 * column. The widened tile (f32-gemm-12x36.c) adds up to 4 columns to a full one: 100 outputs are 2
 * tiles and a 12×36. Every element sees the same FMAs in the same order whatever the tile's shape,
 * so results never depend on the path. */
#ifndef SDN_F32_GEMM_12X32_TILE_H
#define SDN_F32_GEMM_12X32_TILE_H

#include <immintrin.h>

#include "inline.h"
#include "kernels.h"

enum { MR = 12, NR = 32 };

/* Quarter q of v (the extract's index must be a constant before unrolling, for clang). */
SDN_INLINE __m128 quarter(__m512 v, const int q)
{
    switch (q) {
    case 0:
        return _mm512_castps512_ps128(v);
    case 1:
        return _mm512_extractf32x4_ps(v, 1);
    case 2:
        return _mm512_extractf32x4_ps(v, 2);
    default:
        return _mm512_extractf32x4_ps(v, 3);
    }
}

/* rows × nv vectors, plus (x4) up to 4 more columns from b4 in "4×4 lanes": one zmm per 4 rows,
 * lane 4·r + j holding row r, column j. All three are compile-time constants once inlined: the
 * accumulators are registers (27 of 32 for 12 rows with x4). */
SDN_INLINE void tile(const int rows, const int nv, const int x4, size_t n, size_t kc,
                     const float *a, size_t rsa, size_t csa, const float *b, const float *b4,
                     size_t rsb, float *c, size_t ldc, float beta, const float *bias)
{
    __m512 acc[MR][2], acc4[MR / 4];
#pragma GCC unroll 12
    for (int i = 0; i < rows; i++)
        acc[i][0] = acc[i][1] = _mm512_setzero_ps();
#pragma GCC unroll 3
    for (int g = 0; g < (rows + 3) / 4; g++)
        acc4[g] = _mm512_setzero_ps();
    /* The last vector's lanes past n: neither loaded from B (read in place up to its edge)
     * nor from the bias or C, nor stored. A masked load costs what a plain one does. With x4
     * the vectors are full and the n − 32 columns of b4 are the masked ones. */
    const size_t n4 = x4 ? n - 16 * (size_t)nv : 0;
    const __mmask16 tail =
        x4 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - 16 * (size_t)(nv - 1))) - 1u);
    const __mmask8 tail4 = (__mmask8)((1u << n4) - 1u);
    /* Rows 0-5 from a, rows 6-11 from a + 6·rsa: six row offsets serve both halves. */
    const size_t r6 = 6 * rsa;
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb, b4 += x4 ? rsb : 0) {
        const __m512 b0 = nv == 1 ? _mm512_maskz_loadu_ps(tail, b) : _mm512_loadu_ps(b);
        const __m512 b1 = nv == 2 ? _mm512_maskz_loadu_ps(tail, b + 16) : b0;
        /* b4's row in each 128-bit quarter; a row's broadcast goes into its quarter of t */
        const __m512 bq = x4 ? _mm512_broadcast_f32x4(_mm_maskz_loadu_ps(tail4, b4)) : b0;
        __m512 t = b0;
#pragma GCC unroll 12
        for (int i = 0; i < rows; i++) {
            const __m512 av = _mm512_set1_ps((i < 6 ? a : a + r6)[(size_t)(i % 6) * rsa]);
            acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
            if (nv == 2)
                acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
            if (x4) {
                t = i % 4 == 0 ? av : _mm512_mask_mov_ps(t, (__mmask16)(0xFu << 4 * (i % 4)), av);
                if (i % 4 == 3 || i == rows - 1)
                    acc4[i / 4] = _mm512_fmadd_ps(t, bq, acc4[i / 4]);
            }
        }
    }
    /* acc + bias, then + beta·C (as sdn_gemm_store_tile; beta == 0 never reads C). */
    const __m512 bv = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int i = 0; i < rows; i++) {
        float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++) {
            const __mmask16 keep = v == nv - 1 ? tail : (__mmask16)0xFFFF;
            __m512 x = acc[i][v];
            if (bias)
                x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(keep, bias + 16 * v));
            if (beta != 0.0f)
                x = _mm512_fmadd_ps(bv, _mm512_maskz_loadu_ps(keep, ci + 16 * v), x);
            _mm512_mask_storeu_ps(ci + 16 * v, keep, x);
        }
        if (x4) {
            float *c4 = ci + 16 * nv;
            __m128 x = quarter(acc4[i / 4], i % 4);
            if (bias)
                x = _mm_add_ps(x, _mm_maskz_loadu_ps(tail4, bias + 16 * nv));
            if (beta != 0.0f)
                x = _mm_fmadd_ps(_mm512_castps512_ps128(bv), _mm_maskz_loadu_ps(tail4, c4), x);
            _mm_mask_storeu_ps(c4, tail4, x);
        }
    }
}

/* The tile for m rows, each case a compile-time row count: x4 widens it (and is a constant in
 * each entry point, so each keeps only its own shapes). */
SDN_INLINE void run(size_t m, const int x4, size_t n, size_t kc, const float *a, size_t rsa,
                    size_t csa, const float *b, const float *b4, size_t rsb, float *c, size_t ldc,
                    float beta, const float *bias)
{
#define SDN_SHAPE(r)                                                                               \
    if (x4)                                                                                        \
        tile(r, 2, 1, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);                         \
    else if (n > 16)                                                                               \
        tile(r, 2, 0, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);                         \
    else                                                                                           \
        tile(r, 1, 0, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);
    SDN_CONST_SWITCH(m, 11, MR, SDN_SHAPE)
#undef SDN_SHAPE
}

#endif
