/* The AVX2+FMA 6×16 tile widened by up to 4 columns (f32-gemm-6x16-tile.h). */
#include "f32-gemm-6x16-tile.h"

/* 16 < n ≤ 20: the 6×16 tile and the last n − 16 columns of a product (100 = 6·16 + 4), whose B
 * rows start at b4 with the same stride. 16 ymm cannot hold 6 rows' 15 accumulators and B, so
 * the rows go in passes of at most 3 (8 accumulators each, enough to hide the FMA latency); a
 * pass reads B again, from L1. */
void sdn_f32_gemm_6x20__avx2(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                             const float *b, const float *b4, size_t rsb, float *c, size_t ldc,
                             float beta, const float *bias)
{
    if (m > 3) {
        const size_t first = (m + 1) / 2;
        sdn_f32_gemm_6x20__avx2(first, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);
        sdn_f32_gemm_6x20__avx2(m - first, n, kc, a + first * rsa, rsa, csa, b, b4, rsb,
                                c + first * ldc, ldc, beta, bias);
        return;
    }
    switch (m) {
    case 1:
        tile(1, 2, 0, 1, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);
        return;
    case 2:
        tile(2, 2, 0, 1, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);
        return;
    default:
        tile(3, 2, 0, 1, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);
        return;
    }
}
