/* The AVX-512 12×32 tile widened by up to 4 columns (f32-gemm-12x32-tile.h). */
#include "f32-gemm-12x32-tile.h"

/* 32 < n ≤ 36: the 12×32 tile and the last n − 32 columns of a product (100 = 3·32 + 4), whose
 * B rows start at b4 with the same stride. */
void sdn_f32_gemm_12x36__avx512(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                                size_t csa, const float *b, const float *b4, size_t rsb, float *c,
                                size_t ldc, float beta, const float *bias)
{
    run(m, 1, n, kc, a, rsa, csa, b, b4, rsb, c, ldc, beta, bias);
}
