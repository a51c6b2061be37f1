/* Copy-out of the reference tile into C: the store rule (bias, then beta·C fused, C never read
 * when beta is 0) that the SIMD tiles follow with masked vector stores. */
#include <math.h>

#include "kernels.h"

void sdn_gemm_store_tile(size_t m, size_t n, const float *tile, size_t nr, float *c, size_t ldc,
                         float beta, const float *bias)
{
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        const float *t = tile + i * nr;
        for (size_t j = 0; j < n; j++) {
            float v = t[j];
            if (bias)
                v += bias[j];
            /* beta == 0 must not read C: it may hold NaN. */
            row[j] = beta == 0.0f ? v : fmaf(beta, row[j], v);
        }
    }
}
