/* Reference logistic sigmoid and its gradient, both from e = exp(−|x|) so nothing overflows and
 * small results keep their relative accuracy: σ = 1/(1+e) or e/(1+e);  σ' = e/(1+e)². */
#include <math.h>

#include "kernels.h"

void sdn_f32_vsigmoid__ref(size_t n, const float *x, float *y, float alpha)
{
    for (size_t i = 0; i < n; i++) {
        float e = expf(-fabsf(x[i]));
        y[i] = x[i] >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}

void sdn_f32_vsigmoid_grad__ref(size_t n, const float *x, const float *y, const float *dy,
                                float *dx, float alpha)
{
    for (size_t i = 0; i < n; i++) {
        float e = expf(-fabsf(x[i]));
        dx[i] = dy[i] * (e / ((1.0f + e) * (1.0f + e)));
    }
}
