/* The AVX2+FMA 6×16 register tile (f32-gemm-6x16-tile.h): the GEMM driver's microkernel. */
#include "f32-gemm-6x16-tile.h"

void sdn_f32_gemm_6x16__avx2(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                             const float *b, size_t rsb, float *c, size_t ldc, float beta,
                             const float *bias)
{
#define SDN_SHAPE(r)                                                                               \
    if (n == NR)                                                                                   \
        tile(r, 2, 0, 0, n, kc, a, rsa, csa, b, b, rsb, c, ldc, beta, bias);                       \
    else if (n > 8)                                                                                \
        tile(r, 2, 1, 0, n, kc, a, rsa, csa, b, b, rsb, c, ldc, beta, bias);                       \
    else if (n == 8)                                                                               \
        tile(r, 1, 0, 0, n, kc, a, rsa, csa, b, b, rsb, c, ldc, beta, bias);                       \
    else                                                                                           \
        tile(r, 1, 1, 0, n, kc, a, rsa, csa, b, b, rsb, c, ldc, beta, bias);
    SDN_CONST_SWITCH(m, 5, MR, SDN_SHAPE)
#undef SDN_SHAPE
}
