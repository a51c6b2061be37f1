/* Reference ReLU and its gradient: y = max(x, 0) with NaN propagated;  dx = x > 0 ? dy : 0
 * (a NaN input passes no gradient, as PyTorch's threshold_backward). */
#include "kernels.h"

void sdn_f32_vrelu__ref(size_t n, const float *x, float *y, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] <= 0 ? 0.0f : x[i]; /* NaN <= 0 is false: NaN stays */
}

void sdn_f32_vrelu_grad__ref(size_t n, const float *x, const float *y, const float *dy, float *dx,
                             float alpha)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = x[i] > 0 ? dy[i] : 0.0f;
}
