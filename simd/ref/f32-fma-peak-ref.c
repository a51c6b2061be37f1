/* Multiply-add peak of portable C: 16 independent chains of fmaf, the reference GEMM's operation,
 * run as that tile runs it (one instruction on an x86 CPU with FMA, else libm's routine). Returns
 * the FLOPs it did. */
#include <math.h>

#include "inline.h"
#include "kernels.h"

volatile float sdn_peak_sink;

SDN_INLINE float chains(size_t iters)
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
    return s;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("fma"))) static float chains_fma(size_t iters)
{
    return chains(iters);
}
#endif

double sdn_f32_fma_peak__ref(size_t iters)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("fma"))
        sdn_peak_sink = chains_fma(iters);
    else
#endif
        sdn_peak_sink = chains(iters);
    return (double)iters * 16 * 2;
}
