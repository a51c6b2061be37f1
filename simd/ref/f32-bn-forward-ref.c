/* Reference batch-norm normalize, scale and shift: xhat = (x − mean)·inv_std, y = γ·xhat + β.
 * xhat may be NULL (inference); y may alias x. */
#include "kernels.h"

void sdn_f32_bn_forward__ref(size_t rows, size_t cols, const float *x, const float *mean,
                             const float *inv_std, const float *gamma, const float *beta,
                             float *xhat, float *y)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) {
            size_t i = r * cols + j;
            float h = (x[i] - mean[j]) * inv_std[j];
            if (xhat)
                xhat[i] = h;
            y[i] = gamma[j] * h + beta[j];
        }
}
