/* 24 zmm accumulators (12 rows × 2), 2 B loads, 1 A broadcast per row: the AVX-512 12×32 tile
 * (12 rows rather than 14: batches of 32, 128, 512 fill 12-row tiles to 89%, 97%, 99%). A and B
 * are addressed through their strides: one loop for packed panels and operands read in place. */
#include <immintrin.h>

#include "kernels.h"

enum { MR = 12, NR = 32 };

void sdn_f32_gemm_12x32__avx512(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                                size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                                float beta, const float *bias)
{
    const __m512 z = _mm512_setzero_ps();
    __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    __m512 c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    __m512 c80 = z, c81 = z, c90 = z, c91 = z, cA0 = z, cA1 = z, cB0 = z, cB1 = z;

    /* Rows 0-5 from a, rows 6-11 from a + 6·rsa: five row offsets serve both halves. */
    const size_t r2 = 2 * rsa, r3 = 3 * rsa, r4 = 4 * rsa, r5 = 5 * rsa, r6 = 6 * rsa;
#define SDN_ROW(i, base, off)                                                                    \
    do {                                                                                         \
        const __m512 av = _mm512_set1_ps((base)[off]);                                           \
        c##i##0 = _mm512_fmadd_ps(av, b0, c##i##0);                                              \
        c##i##1 = _mm512_fmadd_ps(av, b1, c##i##1);                                              \
    } while (0)

    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
        const float *a6 = a + r6;
        SDN_ROW(0, a, 0);
        SDN_ROW(1, a, rsa);
        SDN_ROW(2, a, r2);
        SDN_ROW(3, a, r3);
        SDN_ROW(4, a, r4);
        SDN_ROW(5, a, r5);
        SDN_ROW(6, a6, 0);
        SDN_ROW(7, a6, rsa);
        SDN_ROW(8, a6, r2);
        SDN_ROW(9, a6, r3);
        SDN_ROW(A, a6, r4);
        SDN_ROW(B, a6, r5);
    }
#undef SDN_ROW

#define SDN_EACH_ROW(X) X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(A), X(B)
    if (bias) {
        const __m512 d0 = _mm512_loadu_ps(bias), d1 = _mm512_loadu_ps(bias + 16);
#define SDN_BIAS(i) (c##i##0 = _mm512_add_ps(c##i##0, d0), c##i##1 = _mm512_add_ps(c##i##1, d1))
        SDN_EACH_ROW(SDN_BIAS);
#undef SDN_BIAS
    }

    /* Row index of each accumulator pair, for the stores. */
    enum { R0 = 0, R1, R2, R3, R4, R5, R6, R7, R8, R9, RA, RB };
    if (m == MR && n == NR) {
        if (beta != 0.0f) {
            /* v + beta·C, as sdn_gemm_store_tile; beta == 0 never reads C. */
            const __m512 bv = _mm512_set1_ps(beta);
#define SDN_BETA(i)                                                                              \
    (c##i##0 = _mm512_fmadd_ps(bv, _mm512_loadu_ps(c + R##i * ldc), c##i##0),                    \
     c##i##1 = _mm512_fmadd_ps(bv, _mm512_loadu_ps(c + R##i * ldc + 16), c##i##1))
            SDN_EACH_ROW(SDN_BETA);
#undef SDN_BETA
        }
#define SDN_STORE(i)                                                                             \
    (_mm512_storeu_ps(c + R##i * ldc, c##i##0), _mm512_storeu_ps(c + R##i * ldc + 16, c##i##1))
        SDN_EACH_ROW(SDN_STORE);
#undef SDN_STORE
    } else {
        /* Partial tile: spill the registers, copy out the valid m×n part. */
        _Alignas(64) float tile[MR * NR];
#define SDN_SPILL(i)                                                                             \
    (_mm512_store_ps(tile + R##i * NR, c##i##0), _mm512_store_ps(tile + R##i * NR + 16, c##i##1))
        SDN_EACH_ROW(SDN_SPILL);
#undef SDN_SPILL
        sdn_gemm_store_tile(m, n, tile, NR, c, ldc, beta, NULL);
    }
#undef SDN_EACH_ROW
}
