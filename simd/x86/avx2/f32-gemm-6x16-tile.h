/* 12 ymm accumulators (6 rows × 2), 2 B loads, 1 A broadcast per row: the AVX2+FMA 6×16 tile.
 * A and B are addressed through their strides, so the same loop serves packed panels and
 * operands read in place (the driver's small-matrix path).
 *
 * Edge tiles run only the rows and vectors they need, and load and store the last vector under
 * a mask, so B is read in place up to its last column. The widened tile (f32-gemm-6x20.c) adds up
 * to 4 columns to a full one: 100 outputs are 5 tiles and a 6×20. Every element sees the same FMAs
 * in the same order whatever the tile's shape, so results never depend on the path. The same design
 * as the AVX-512 12×32 tile. */
#ifndef SDN_F32_GEMM_6X16_TILE_H
#define SDN_F32_GEMM_6X16_TILE_H

#include <immintrin.h>

#include "inline.h"
#include "kernels.h"

enum { MR = 6, NR = 16 };

/* Lanes [0, lanes) of a ymm as a maskload/maskstore mask. */
static inline __m256i lanes_mask(size_t lanes)
{
    static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1};
    return _mm256_loadu_si256((const __m256i *)(ones + 8 - lanes));
}

/* rows × nv vectors, whether the last vector is partial (edge), and (x4) up to 4 more columns
 * from b4 in one ymm per 2 rows, lane 4·r + j holding row r, column j: compile-time constants
 * once inlined, so the accumulators are registers and a full tile has no masked load. */
SDN_INLINE void tile(const int rows, const int nv, const int edge, const int x4, size_t n,
                     size_t kc, const float *a, size_t rsa, size_t csa, const float *b,
                     const float *b4, size_t rsb, float *c, size_t ldc, float beta,
                     const float *bias)
{
    __m256 acc[MR][2], acc4[MR / 2];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++)
        acc[i][0] = acc[i][1] = _mm256_setzero_ps();
#pragma GCC unroll 3
    for (int g = 0; g < (rows + 1) / 2; g++)
        acc4[g] = _mm256_setzero_ps();
    /* The last vector's lanes past n: neither loaded from B (read in place up to its edge) nor
     * from the bias or C, nor stored. With x4 the vectors are full and b4's n − 16 columns are
     * the masked ones. */
    const size_t tail = x4 ? 8 : n - 8 * (size_t)(nv - 1), n4 = x4 ? n - 8 * (size_t)nv : 0;
    const __m256i tail_mask = lanes_mask(tail);
    const __m128i tail4 = _mm256_castsi256_si128(lanes_mask(n4));
    /* Unrolled so the loop overhead hides behind the FMAs of each step. */
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb, b4 += x4 ? rsb : 0) {
        const __m256 bl = edge ? _mm256_maskload_ps(b + 8 * (nv - 1), tail_mask)
                               : _mm256_loadu_ps(b + 8 * (nv - 1));
        const __m256 b0 = nv == 2 ? _mm256_loadu_ps(b) : bl, b1 = bl;
        /* b4's row in both halves; a row's broadcast goes into its half of t */
        __m256 bq = b0, t = b0;
        if (x4) {
            const __m128 r4 = _mm_maskload_ps(b4, tail4);
            bq = _mm256_insertf128_ps(_mm256_castps128_ps256(r4), r4, 1);
        }
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            const __m256 av = _mm256_broadcast_ss(a + (size_t)i * rsa);
            acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
            if (nv == 2)
                acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
            if (x4) {
                t = i % 2 == 0 ? av : _mm256_blend_ps(t, av, 0xF0);
                if (i % 2 == 1 || i == rows - 1)
                    acc4[i / 2] = _mm256_fmadd_ps(t, bq, acc4[i / 2]);
            }
        }
    }
    /* acc + bias, then + beta·C (as sdn_gemm_store_tile; beta == 0 never reads C). */
    const __m256 bv = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
        float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 2
        for (int v = 0; v < nv; v++) {
            const int full = v < nv - 1 || !edge;
            __m256 x = acc[i][v];
            if (bias)
                x = _mm256_add_ps(x, full ? _mm256_loadu_ps(bias + 8 * v)
                                          : _mm256_maskload_ps(bias + 8 * v, tail_mask));
            if (beta != 0.0f)
                x = _mm256_fmadd_ps(bv,
                                    full ? _mm256_loadu_ps(ci + 8 * v)
                                         : _mm256_maskload_ps(ci + 8 * v, tail_mask),
                                    x);
            if (full)
                _mm256_storeu_ps(ci + 8 * v, x);
            else
                _mm256_maskstore_ps(ci + 8 * v, tail_mask, x);
        }
        if (x4) {
            float *c4 = ci + 8 * nv;
            __m128 x =
                i % 2 ? _mm256_extractf128_ps(acc4[i / 2], 1) : _mm256_castps256_ps128(acc4[i / 2]);
            if (bias)
                x = _mm_add_ps(x, _mm_maskload_ps(bias + 8 * nv, tail4));
            if (beta != 0.0f)
                x = _mm_fmadd_ps(_mm256_castps256_ps128(bv), _mm_maskload_ps(c4, tail4), x);
            _mm_maskstore_ps(c4, tail4, x);
        }
    }
}

#endif
