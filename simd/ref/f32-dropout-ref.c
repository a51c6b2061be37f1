/* Reference dropout / alpha-dropout apply: y = keep ? a·x + b : c;  backward dx = keep ? a·dy : 0.
 */
#include "kernels.h"

void sdn_f32_dropout__ref(size_t n, const float *x, const uint8_t *keep, float a, float b, float c,
                          float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = keep[i] ? a * x[i] + b : c;
}

void sdn_f32_dropout_grad__ref(size_t n, const float *dy, const uint8_t *keep, float a, float *dx)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = keep[i] ? a * dy[i] : 0.0f;
}
