/* 12 ymm accumulators (6 rows × 2), 2 B loads, 1 A broadcast per row: the AVX2+FMA 6×16 tile.
 * A and B are addressed through their strides, so the same loop serves packed panels and
 * operands read in place (the driver's small-matrix path). */
#include <immintrin.h>

#include "kernels.h"

enum { MR = 6, NR = 16 };

/* Thin edge tiles (m ≤ 3, or n ≤ 8) compute only the half they need: a batch of 32 leaves a
 * 2-row tail, 100 outputs a 4-column one. Each element sees the same FMAs in the same order as
 * in the full tile, so results do not depend on the path. */
static void edge_tile(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                      const float *b, size_t rsb, float *c, size_t ldc, float beta,
                      const float *bias)
{
    _Alignas(32) float tile[MR * NR];
    const size_t r2 = 2 * rsa, r3 = 3 * rsa, r4 = 4 * rsa, r5 = 5 * rsa;
    if (m <= 3) {
        __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
        __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
        __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
        for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
            __m256 av = _mm256_broadcast_ss(a);
            c00 = _mm256_fmadd_ps(av, b0, c00), c01 = _mm256_fmadd_ps(av, b1, c01);
            av = _mm256_broadcast_ss(a + rsa);
            c10 = _mm256_fmadd_ps(av, b0, c10), c11 = _mm256_fmadd_ps(av, b1, c11);
            av = _mm256_broadcast_ss(a + r2);
            c20 = _mm256_fmadd_ps(av, b0, c20), c21 = _mm256_fmadd_ps(av, b1, c21);
        }
        _mm256_store_ps(tile + 0 * NR, c00), _mm256_store_ps(tile + 0 * NR + 8, c01);
        _mm256_store_ps(tile + 1 * NR, c10), _mm256_store_ps(tile + 1 * NR + 8, c11);
        _mm256_store_ps(tile + 2 * NR, c20), _mm256_store_ps(tile + 2 * NR + 8, c21);
    } else {
        __m256 c00 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps();
        __m256 c30 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps();
        for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
            __m256 b0 = _mm256_loadu_ps(b);
            c00 = _mm256_fmadd_ps(_mm256_broadcast_ss(a), b0, c00);
            c10 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + rsa), b0, c10);
            c20 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + r2), b0, c20);
            c30 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + r3), b0, c30);
            c40 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + r4), b0, c40);
            c50 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + r5), b0, c50);
        }
        _mm256_store_ps(tile + 0 * NR, c00), _mm256_store_ps(tile + 1 * NR, c10);
        _mm256_store_ps(tile + 2 * NR, c20), _mm256_store_ps(tile + 3 * NR, c30);
        _mm256_store_ps(tile + 4 * NR, c40), _mm256_store_ps(tile + 5 * NR, c50);
    }
    /* The bias add as in the full tile (acc + bias, then + beta·C in the store). */
    if (bias)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                tile[i * NR + j] += bias[j];
    sdn_gemm_store_tile(m, n, tile, NR, c, ldc, beta, NULL);
}

void sdn_f32_gemm_6x16__avx2(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                             size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                             float beta, const float *bias)
{
    if (m <= 3 || n <= 8) {
        edge_tile(m, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);
        return;
    }
    const __m256 z = _mm256_setzero_ps();
    __m256 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
    __m256 c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;

    const size_t r2 = 2 * rsa, r3 = 3 * rsa, r4 = 4 * rsa, r5 = 5 * rsa;
#define SDN_ROW(i, base, off)                                                                    \
    do {                                                                                         \
        const __m256 av = _mm256_broadcast_ss((base) + (off));                                   \
        c##i##0 = _mm256_fmadd_ps(av, b0, c##i##0);                                              \
        c##i##1 = _mm256_fmadd_ps(av, b1, c##i##1);                                              \
    } while (0)

    /* Unrolled so the loop overhead hides behind the 12 FMAs of each step. */
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        SDN_ROW(0, a, 0);
        SDN_ROW(1, a, rsa);
        SDN_ROW(2, a, r2);
        SDN_ROW(3, a, r3);
        SDN_ROW(4, a, r4);
        SDN_ROW(5, a, r5);
    }
#undef SDN_ROW

#define SDN_EACH_ROW(X) X(0), X(1), X(2), X(3), X(4), X(5)
    if (bias) {
        const __m256 d0 = _mm256_loadu_ps(bias), d1 = _mm256_loadu_ps(bias + 8);
#define SDN_BIAS(i) (c##i##0 = _mm256_add_ps(c##i##0, d0), c##i##1 = _mm256_add_ps(c##i##1, d1))
        SDN_EACH_ROW(SDN_BIAS);
#undef SDN_BIAS
    }

    if (m == MR && n == NR) {
        if (beta != 0.0f) {
            /* v + beta·C, as sdn_gemm_store_tile; beta == 0 never reads C. */
            const __m256 bv = _mm256_set1_ps(beta);
#define SDN_BETA(i)                                                                              \
    (c##i##0 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c + (i) * ldc), c##i##0),                     \
     c##i##1 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c + (i) * ldc + 8), c##i##1))
            SDN_EACH_ROW(SDN_BETA);
#undef SDN_BETA
        }
#define SDN_STORE(i)                                                                             \
    (_mm256_storeu_ps(c + (i) * ldc, c##i##0), _mm256_storeu_ps(c + (i) * ldc + 8, c##i##1))
        SDN_EACH_ROW(SDN_STORE);
#undef SDN_STORE
    } else {
        /* Partial tile: spill the registers, copy out the valid m×n part. */
        _Alignas(32) float tile[MR * NR];
#define SDN_SPILL(i)                                                                             \
    (_mm256_store_ps(tile + (i) * NR, c##i##0), _mm256_store_ps(tile + (i) * NR + 8, c##i##1))
        SDN_EACH_ROW(SDN_SPILL);
#undef SDN_SPILL
        sdn_gemm_store_tile(m, n, tile, NR, c, ldc, beta, NULL);
    }
#undef SDN_EACH_ROW
}
