/* Portable reference GEMM microkernel: the oracle's tile and the fallback on any CPU.
 * Written for clarity; built without fast-math. 4×8 accumulators in an array the compiler may keep
 * in registers. */
#include "kernels.h"

enum { MR = 4, NR = 8 };

void sdn_f32_gemm_4x8__ref(size_t m, size_t n, size_t kc, const float *a, const float *b,
                           float *c, size_t ldc, float beta, const float *bias)
{
    float acc[MR][NR] = {{0}};
    for (size_t p = 0; p < kc; p++) {
        for (int i = 0; i < MR; i++) {
            for (int j = 0; j < NR; j++)
                acc[i][j] += a[p * MR + i] * b[p * NR + j];
        }
    }
    sdn_gemm_store_tile(m, n, &acc[0][0], NR, c, ldc, beta, bias);
}
