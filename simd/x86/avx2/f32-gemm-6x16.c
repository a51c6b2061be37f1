/* 12 ymm accumulators (6 rows × 2), 2 B loads, 1 A broadcast per row: the AVX2+FMA 6×16 tile.
 * A and B are addressed through their strides, so the same loop serves packed panels and
 * operands read in place (the driver's small-matrix path).
 *
 * Edge tiles run only the rows and vectors they need, and load and store the last vector under
 * a mask: 100 outputs end in a 1-vector tile with 4 lanes, and B is read in place up to its last
 * column. Every element sees
 * the same FMAs in the same order whatever the tile's shape, so results never depend on the
 * path. The same design as the AVX-512 12×32 tile. */
#include <immintrin.h>

#include "kernels.h"

enum { MR = 6, NR = 16 };

#define SDN_INLINE static inline __attribute__((always_inline))

/* Lanes [0, lanes) of a ymm as a maskload/maskstore mask. */
static inline __m256i lanes_mask(size_t lanes)
{
    static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1};
    return _mm256_loadu_si256((const __m256i *)(ones + 8 - lanes));
}

/* rows × nv vectors, and whether the last vector is partial (edge): compile-time constants once
 * inlined, so the accumulators are registers and a full tile has no masked load. */
SDN_INLINE void tile(const int rows, const int nv, const int edge, size_t n, size_t kc,
                     const float *a, size_t rsa, size_t csa, const float *b, size_t rsb, float *c,
                     size_t ldc, float beta, const float *bias)
{
    __m256 acc[MR][2];
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++)
        acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    /* The last vector's lanes past n: neither loaded from B (read in place up to its edge) nor
     * from the bias or C, nor stored. */
    const size_t tail = n - 8 * (size_t)(nv - 1);
    const __m256i tail_mask = lanes_mask(tail);
    /* Unrolled so the loop overhead hides behind the FMAs of each step. */
#pragma GCC unroll 4
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        const __m256 bl = edge ? _mm256_maskload_ps(b + 8 * (nv - 1), tail_mask)
                               : _mm256_loadu_ps(b + 8 * (nv - 1));
        const __m256 b0 = nv == 2 ? _mm256_loadu_ps(b) : bl, b1 = bl;
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            const __m256 av = _mm256_broadcast_ss(a + (size_t)i * rsa);
            acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
            if (nv == 2)
                acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
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
    }
}

void sdn_f32_gemm_6x16__avx2(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                             size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                             float beta, const float *bias)
{
#define SDN_SHAPE(r)                                                                             \
    if (n == NR)                                                                                 \
        tile(r, 2, 0, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);                           \
    else if (n > 8)                                                                              \
        tile(r, 2, 1, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);                           \
    else if (n == 8)                                                                             \
        tile(r, 1, 0, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);                           \
    else                                                                                         \
        tile(r, 1, 1, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);
#define SDN_ROWS(r)                                                                              \
    case r:                                                                                      \
        SDN_SHAPE(r)                                                                             \
        return;
    switch (m) {
        SDN_ROWS(1)
        SDN_ROWS(2)
        SDN_ROWS(3)
        SDN_ROWS(4)
        SDN_ROWS(5)
    default:
        SDN_SHAPE(MR)
    }
#undef SDN_ROWS
#undef SDN_SHAPE
}
