/* Reference leaky ReLU and its gradient: y = x > 0 ? x : α·x;  dx = x > 0 ? dy : α·dy. */
#include "kernels.h"

void sdn_f32_vlrelu__ref(size_t n, const float *x, float *y, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0 ? x[i] : alpha * x[i];
}

void sdn_f32_vlrelu_grad__ref(size_t n, const float *x, const float *y, const float *dy, float *dx,
                              float alpha)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
}
