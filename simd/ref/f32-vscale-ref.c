/* Reference in-place scaling x *= s (gradient clipping). */
#include "kernels.h"

void sdn_f32_vscale__ref(size_t n, float *x, float s)
{
    for (size_t i = 0; i < n; i++)
        x[i] *= s;
}
