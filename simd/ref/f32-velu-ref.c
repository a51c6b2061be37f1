/* Reference ELU and its gradient: y = x > 0 ? x : α·expm1(x);  f'(x) = x > 0 ? 1 : α·exp(x).
 * The gradient reads x (α·exp(x) from y + α would lose digits as y → −α). NaN propagates. */
#include <math.h>

#include "kernels.h"

void sdn_f32_velu__ref(size_t n, const float *x, float *y, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : alpha * expm1f(x[i]);
}

void sdn_f32_velu_grad__ref(size_t n, const float *x, const float *y, const float *dy, float *dx,
                            float alpha)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = x[i] > 0 ? dy[i] : dy[i] * (alpha * expf(x[i]));
}
