/* Reference batch-norm backward: the two column reductions (Σ dy, Σ dy·xhat, added into the
 * outputs) and dx = γ·inv_std·(dy − mean_dy − xhat·mean_dy_xhat); dx may alias dy. */
#include "kernels.h"

void sdn_f32_bn_backward_reduce__ref(size_t rows, size_t cols, const float *dy, const float *xhat,
                                     float *sum_dy, float *sum_dy_xhat)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) {
            size_t i = r * cols + j;
            sum_dy[j] += dy[i];
            sum_dy_xhat[j] += dy[i] * xhat[i];
        }
}

void sdn_f32_bn_backward_dx__ref(size_t rows, size_t cols, const float *dy, const float *xhat,
                                 const float *gamma, const float *inv_std, const float *mean_dy,
                                 const float *mean_dy_xhat, float *dx)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++) {
            size_t i = r * cols + j;
            dx[i] = gamma[j] * inv_std[j] * (dy[i] - mean_dy[j] - xhat[i] * mean_dy_xhat[j]);
        }
}
