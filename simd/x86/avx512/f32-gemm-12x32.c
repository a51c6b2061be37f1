/* The AVX-512 12×32 register tile (f32-gemm-12x32-tile.h): the GEMM driver's microkernel. */
#include "f32-gemm-12x32-tile.h"

void sdn_f32_gemm_12x32__avx512(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                                size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                                float beta, const float *bias)
{
    run(m, 0, n, kc, a, rsa, csa, b, b, rsb, c, ldc, beta, bias);
}
