/* Reference bytes to standardized floats, y = x·scale + shift: a multiply, then an add (the
 * build turns off FMA contraction, so every compiler and ISA rounds twice). */
#include "kernels.h"

void sdn_f32_u8_affine__ref(size_t n, const uint8_t *x, const float *scale, const float *shift,
                            float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (float)x[i] * scale[i] + shift[i];
}
