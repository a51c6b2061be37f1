/* 24 zmm accumulators (12 rows × 2), 2 B loads, 1 A broadcast per row: the AVX-512 12×32 tile
 * (12 rows rather than 14: batches of 32, 128, 512 fill 12-row tiles to 89%, 97%, 99%). A and B
 * are addressed through their strides: one loop for packed panels and operands read in place.
 *
 * Edge tiles run only the rows and vectors they need, and load and store the last vector under
 * a mask: 100 outputs are 3 tiles and a 1-vector one with 4 lanes (not a 12×32 tile computed
 * and copied out), and B is read in place up to its last column. Every element sees the same FMAs in
 * the same order whatever the tile's shape, so results never depend on the path. */
#include <immintrin.h>

#include "kernels.h"

enum { MR = 12, NR = 32 };

#define SDN_INLINE static inline __attribute__((always_inline))

/* rows × nv vectors, both compile-time constants once inlined: the accumulators are registers. */
SDN_INLINE void tile(const int rows, const int nv, size_t n, size_t kc, const float *a, size_t rsa,
                     size_t csa, const float *b, size_t rsb, float *c, size_t ldc, float beta,
                     const float *bias)
{
    __m512 acc[MR][2];
#pragma GCC unroll 12
    for (int i = 0; i < rows; i++)
        acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    /* The last vector's lanes past n: neither loaded from B (read in place up to its edge)
     * nor from the bias or C, nor stored. A masked load costs what a plain one does. */
    const __mmask16 tail = (__mmask16)((1u << (n - 16 * (size_t)(nv - 1))) - 1u);
    /* Rows 0-5 from a, rows 6-11 from a + 6·rsa: six row offsets serve both halves. */
    const size_t r6 = 6 * rsa;
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m512 b0 = nv == 1 ? _mm512_maskz_loadu_ps(tail, b) : _mm512_loadu_ps(b);
        const __m512 b1 = nv == 2 ? _mm512_maskz_loadu_ps(tail, b + 16) : b0;
#pragma GCC unroll 12
        for (int i = 0; i < rows; i++) {
            const __m512 av = _mm512_set1_ps((i < 6 ? a : a + r6)[(size_t)(i % 6) * rsa]);
            acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
            if (nv == 2)
                acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
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
    }
}

void sdn_f32_gemm_12x32__avx512(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                                size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                                float beta, const float *bias)
{
#define SDN_ROWS(r)                                                                              \
    case r:                                                                                      \
        if (n > 16)                                                                              \
            tile(r, 2, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);                          \
        else                                                                                     \
            tile(r, 1, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);                          \
        return;
    switch (m) {
        SDN_ROWS(1)
        SDN_ROWS(2)
        SDN_ROWS(3)
        SDN_ROWS(4)
        SDN_ROWS(5)
        SDN_ROWS(6)
        SDN_ROWS(7)
        SDN_ROWS(8)
        SDN_ROWS(9)
        SDN_ROWS(10)
        SDN_ROWS(11)
    default:
        if (n > 16)
            tile(MR, 2, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);
        else
            tile(MR, 1, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);
    }
#undef SDN_ROWS
}
