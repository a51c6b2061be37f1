/* Reference Σ x² accumulated in double (the global gradient norm for clipping). */
#include "kernels.h"

double sdn_f32_sumsq__ref(size_t n, const float *x)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return s;
}
