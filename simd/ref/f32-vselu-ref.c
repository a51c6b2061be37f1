/* Reference SELU and its gradient: y = λ·(x > 0 ? x : α·expm1(x));  f'(x) = x > 0 ? λ : λα·exp(x),
 * with Klambauer's fixed λ, α (the alpha argument is ignored). NaN propagates. */
#include <math.h>

#include "kernels.h"

static const float lambda = (float)SDN_SELU_LAMBDA;
static const float lambda_alpha = (float)(SDN_SELU_LAMBDA * SDN_SELU_ALPHA);

void sdn_f32_vselu__ref(size_t n, const float *x, float *y, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0 ? lambda * x[i] : lambda_alpha * expm1f(x[i]);
}

void sdn_f32_vselu_grad__ref(size_t n, const float *x, const float *y, const float *dy, float *dx,
                             float alpha)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * (x[i] > 0 ? lambda : lambda_alpha * expf(x[i]));
}
