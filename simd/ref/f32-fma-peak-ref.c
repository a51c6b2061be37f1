/* Multiply-add peak of portable C: 16 independent chains of fmaf, the reference GEMM's operation
 * (an instruction where the baseline ISA has FMA, a libm routine elsewhere). Returns the FLOPs
 * it did. */
#include <math.h>

#include "kernels.h"

volatile float sdn_peak_sink;

double sdn_f32_fma_peak__ref(size_t iters)
{
    const float m = 0.9999999f, c = 1e-7f;
    float a[16];
    for (int j = 0; j < 16; j++)
        a[j] = (float)j;
    for (size_t i = 0; i < iters; i++)
        for (int j = 0; j < 16; j++)
            a[j] = fmaf(a[j], m, c);
    float s = 0;
    for (int j = 0; j < 16; j++)
        s += a[j];
    sdn_peak_sink = s;
    return (double)iters * 16 * 2;
}
