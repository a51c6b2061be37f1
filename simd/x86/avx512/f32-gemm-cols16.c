/* The column tile: rows of C in zmm lanes, one zmm per column and 16 rows (or two per column
 * and 32 rows, for at most 8 columns), B only broadcast, so it can be read with any strides.
 * For products whose output width wastes the register tile's lanes:
 * - a dense layer's dX = dZ·Wᵀ (100 outputs fill 100 of the 12×32 tile's 112 lanes, and Wᵀ
 *   had to be packed every call; here dZ's rows are packed instead, 16 × 100 floats a tile,
 *   and W is read in place);
 * - the last 4 of 100 columns, which the register tile computes one row per FMA with 4 of 16
 *   lanes busy, and this tile 16 rows per FMA.
 * A's rows past m are neither loaded nor stored, so A can be read in place to its edge. The
 * tile is transposed in registers for the row-major stores. Every element sees the FMAs of the
 * 12×32 tile in the same order, so the two give the same bits. */
#include <immintrin.h>

#include "inline.h"
#include "kernels.h"
#include "transpose.h"

enum { MV = 16, NV = 16 };

/* mv row vectors × nc columns (compile-time constants once inlined: the accumulators are
 * registers); m rows of the last row vector are real. */
SDN_INLINE void tile(const int mv, const int nc, size_t m, size_t kc, const float *a, size_t csa,
                     const float *b, size_t rsb, size_t csb, float *c, size_t ldc, float beta,
                     const float *bias)
{
    __m512 acc[2][NV];
    const __mmask16 rows = (__mmask16)((1u << (m - MV * (size_t)(mv - 1))) - 1u);
#pragma GCC unroll 2
    for (int v = 0; v < mv; v++)
#pragma GCC unroll 16
        for (int j = 0; j < nc; j++)
            acc[v][j] = _mm512_setzero_ps();
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m512 a0 = mv == 1 ? _mm512_maskz_loadu_ps(rows, a) : _mm512_loadu_ps(a);
        const __m512 a1 = mv == 2 ? _mm512_maskz_loadu_ps(rows, a + MV) : a0;
#pragma GCC unroll 16
        for (int j = 0; j < nc; j++) {
            const __m512 bj = _mm512_set1_ps(b[(size_t)j * csb]);
            acc[0][j] = _mm512_fmadd_ps(a0, bj, acc[0][j]);
            if (mv == 2)
                acc[1][j] = _mm512_fmadd_ps(a1, bj, acc[1][j]);
        }
    }
    /* Columns to rows in registers; the columns past nc are zeros and are never stored. */
    const __mmask16 keep = (__mmask16)((1u << nc) - 1u);
    const __m512 bv = _mm512_set1_ps(beta);
    const __m512 bias_v = bias ? _mm512_maskz_loadu_ps(keep, bias) : _mm512_setzero_ps();
#pragma GCC unroll 2
    for (int v = 0; v < mv; v++) {
        __m512 r[NV];
#pragma GCC unroll 16
        for (int j = 0; j < NV; j++)
            r[j] = j < nc ? acc[v][j] : _mm512_setzero_ps();
        sdn_transpose16_regs_avx512(r);
        /* acc + bias, then + beta·C (as sdn_gemm_store_tile; beta == 0 never reads C). */
        const size_t i1 = v == mv - 1 ? m - MV * (size_t)v : MV;
        for (size_t i = 0; i < i1; i++) {
            float *ci = c + (MV * (size_t)v + i) * ldc;
            __m512 x = r[i];
            if (bias)
                x = _mm512_add_ps(x, bias_v);
            if (beta != 0.0f)
                x = _mm512_fmadd_ps(bv, _mm512_maskz_loadu_ps(keep, ci), x);
            _mm512_mask_storeu_ps(ci, keep, x);
        }
    }
}

/* m ≤ 16, or m ≤ 32 with n ≤ 8 (16 accumulators either way). */
void sdn_f32_gemm_cols16__avx512(size_t m, size_t n, size_t kc, const float *a, size_t csa,
                                 const float *b, size_t rsb, size_t csb, float *c, size_t ldc,
                                 float beta, const float *bias)
{
#define SDN_COLS_32ROWS(j) tile(2, j, m, kc, a, csa, b, rsb, csb, c, ldc, beta, bias);
#define SDN_COLS_16ROWS(j) tile(1, j, m, kc, a, csa, b, rsb, csb, c, ldc, beta, bias);
    if (m > MV) {
        SDN_CONST_SWITCH(n, 7, 8, SDN_COLS_32ROWS)
        return;
    }
    SDN_CONST_SWITCH(n, 15, NV, SDN_COLS_16ROWS)
#undef SDN_COLS_16ROWS
#undef SDN_COLS_32ROWS
}
