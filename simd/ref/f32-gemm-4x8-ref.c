/* Portable reference GEMM microkernel: the oracle's tile and the fallback on any CPU.
 * Written for clarity; built without fast-math. 4×8 accumulators in an array the compiler may keep
 * in registers. */
#include "kernels.h"

enum { MR = 4, NR = 8 };

void sdn_f32_gemm_4x8__ref(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                           size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                           float beta, const float *bias)
{
    float acc[MR][NR] = {{0}};
    for (size_t p = 0; p < kc; p++) {
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < n; j++)
                acc[i][j] += a[i * rsa + p * csa] * b[p * rsb + j];
        }
    }
    sdn_gemm_store_tile(m, n, &acc[0][0], NR, c, ldc, beta, bias);
}
