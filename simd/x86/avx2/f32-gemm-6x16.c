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
    const size_t r2 = 2 * rsa, r3 = 3 * rsa, r4 = 4 * rsa, r5 = 5 * rsa;
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

#define SDN_ROW(i, off)                                                                          \
    av = _mm256_broadcast_ss(a + (off));                                                         \
    c##i##0 = _mm256_fmadd_ps(av, b0, c##i##0), c##i##1 = _mm256_fmadd_ps(av, b1, c##i##1)

    /* Unrolled so the loop overhead hides behind the 12 FMAs of each step. */
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 av;
        SDN_ROW(0, 0);
        SDN_ROW(1, rsa);
        SDN_ROW(2, r2);
        SDN_ROW(3, r3);
        SDN_ROW(4, r4);
        SDN_ROW(5, r5);
    }
#undef SDN_ROW

    if (bias) {
        __m256 bias0 = _mm256_loadu_ps(bias), bias1 = _mm256_loadu_ps(bias + 8);
        c00 = _mm256_add_ps(c00, bias0), c01 = _mm256_add_ps(c01, bias1);
        c10 = _mm256_add_ps(c10, bias0), c11 = _mm256_add_ps(c11, bias1);
        c20 = _mm256_add_ps(c20, bias0), c21 = _mm256_add_ps(c21, bias1);
        c30 = _mm256_add_ps(c30, bias0), c31 = _mm256_add_ps(c31, bias1);
        c40 = _mm256_add_ps(c40, bias0), c41 = _mm256_add_ps(c41, bias1);
        c50 = _mm256_add_ps(c50, bias0), c51 = _mm256_add_ps(c51, bias1);
    }

    if (m == MR && n == NR) {
        float *c0 = c, *c1 = c + ldc, *c2 = c + 2 * ldc, *c3 = c + 3 * ldc, *c4 = c + 4 * ldc,
              *c5 = c + 5 * ldc;
        if (beta != 0.0f) {
            /* v + beta·C, as sdn_gemm_store_tile; beta == 0 never reads C. */
            __m256 bv = _mm256_set1_ps(beta);
            c00 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c0), c00);
            c01 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c0 + 8), c01);
            c10 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c1), c10);
            c11 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c1 + 8), c11);
            c20 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c2), c20);
            c21 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c2 + 8), c21);
            c30 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c3), c30);
            c31 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c3 + 8), c31);
            c40 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c4), c40);
            c41 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c4 + 8), c41);
            c50 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c5), c50);
            c51 = _mm256_fmadd_ps(bv, _mm256_loadu_ps(c5 + 8), c51);
        }
        _mm256_storeu_ps(c0, c00), _mm256_storeu_ps(c0 + 8, c01);
        _mm256_storeu_ps(c1, c10), _mm256_storeu_ps(c1 + 8, c11);
        _mm256_storeu_ps(c2, c20), _mm256_storeu_ps(c2 + 8, c21);
        _mm256_storeu_ps(c3, c30), _mm256_storeu_ps(c3 + 8, c31);
        _mm256_storeu_ps(c4, c40), _mm256_storeu_ps(c4 + 8, c41);
        _mm256_storeu_ps(c5, c50), _mm256_storeu_ps(c5 + 8, c51);
    } else {
        /* Partial tile: spill the registers, copy out the valid m×n part. */
        _Alignas(32) float tile[MR * NR];
        _mm256_store_ps(tile + 0 * NR, c00), _mm256_store_ps(tile + 0 * NR + 8, c01);
        _mm256_store_ps(tile + 1 * NR, c10), _mm256_store_ps(tile + 1 * NR + 8, c11);
        _mm256_store_ps(tile + 2 * NR, c20), _mm256_store_ps(tile + 2 * NR + 8, c21);
        _mm256_store_ps(tile + 3 * NR, c30), _mm256_store_ps(tile + 3 * NR + 8, c31);
        _mm256_store_ps(tile + 4 * NR, c40), _mm256_store_ps(tile + 4 * NR + 8, c41);
        _mm256_store_ps(tile + 5 * NR, c50), _mm256_store_ps(tile + 5 * NR + 8, c51);
        sdn_gemm_store_tile(m, n, tile, NR, c, ldc, beta, NULL);
    }
}
