/* Reference column sums of squared deviations (batch-norm variance, two-pass so no cancellation):
 * sumsq[j] += Σ_r (x[r][j] − mean[j])². */
#include "kernels.h"

void sdn_f32_colsumsq_dev__ref(size_t rows, size_t cols, const float *x, const float *mean,
                               float *sumsq)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) {
            float d = x[r * cols + j] - mean[j];
            sumsq[j] += d * d;
        }
}
