/* The column tile: 16 rows of C in one zmm per column, up to 16 columns (16 zmm accumulators),
 * B only broadcast, so it can be read with any strides. For the narrow products whose output
 * width wastes lanes and whose B is transposed: a dense layer's dX = dZ·Wᵀ (100 outputs fill
 * 100 of the 12×32 tile's 112 lanes, and Wᵀ had to be packed every call; here dZ's rows are
 * packed instead, 16 × 100 floats a tile, and W is read in place). The tile is transposed
 * through L1 for the row-major stores. Every element sees the FMAs of the 12×32 tile in the
 * same order, so the two give the same bits. */
#include <immintrin.h>

#include "kernels.h"
#include "transpose.h"

enum { MV = 16, NV = 16 };

#define SDN_INLINE static inline __attribute__((always_inline))

/* nc columns (a compile-time constant once inlined: the accumulators are registers). */
SDN_INLINE void tile(const int nc, size_t m, size_t kc, const float *a, size_t csa,
                     const float *b, size_t rsb, size_t csb, float *c, size_t ldc, float beta,
                     const float *bias)
{
    __m512 acc[NV];
#pragma GCC unroll 16
    for (int j = 0; j < nc; j++)
        acc[j] = _mm512_setzero_ps();
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m512 av = _mm512_loadu_ps(a);
#pragma GCC unroll 16
        for (int j = 0; j < nc; j++)
            acc[j] = _mm512_fmadd_ps(av, _mm512_set1_ps(b[(size_t)j * csb]), acc[j]);
    }
    /* Columns to rows through a 16×16 block in L1; columns past nc are never read. */
    _Alignas(64) float cols[NV * MV], rows[MV * NV];
#pragma GCC unroll 16
    for (int j = 0; j < NV; j++)
        _mm512_store_ps(cols + j * MV, j < nc ? acc[j] : _mm512_setzero_ps());
    sdn_transpose16_avx512(cols, MV, rows, NV);
    /* acc + bias, then + beta·C (as sdn_gemm_store_tile; beta == 0 never reads C). */
    const __mmask16 keep = (__mmask16)((1u << nc) - 1u);
    const __m512 bv = _mm512_set1_ps(beta);
    const __m512 bias_v = bias ? _mm512_maskz_loadu_ps(keep, bias) : _mm512_setzero_ps();
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        __m512 x = _mm512_load_ps(rows + i * NV);
        if (bias)
            x = _mm512_add_ps(x, bias_v);
        if (beta != 0.0f)
            x = _mm512_fmadd_ps(bv, _mm512_maskz_loadu_ps(keep, ci), x);
        _mm512_mask_storeu_ps(ci, keep, x);
    }
}

void sdn_f32_gemm_cols16__avx512(size_t m, size_t n, size_t kc, const float *a, size_t csa,
                                 const float *b, size_t rsb, size_t csb, float *c, size_t ldc,
                                 float beta, const float *bias)
{
#define SDN_COLS(j)                                                                              \
    case j:                                                                                      \
        tile(j, m, kc, a, csa, b, rsb, csb, c, ldc, beta, bias);                                 \
        return;
    switch (n) {
        SDN_COLS(1)
        SDN_COLS(2)
        SDN_COLS(3)
        SDN_COLS(4)
        SDN_COLS(5)
        SDN_COLS(6)
        SDN_COLS(7)
        SDN_COLS(8)
        SDN_COLS(9)
        SDN_COLS(10)
        SDN_COLS(11)
        SDN_COLS(12)
        SDN_COLS(13)
        SDN_COLS(14)
        SDN_COLS(15)
    default:
        tile(NV, m, kc, a, csa, b, rsb, csb, c, ldc, beta, bias);
    }
#undef SDN_COLS
}
