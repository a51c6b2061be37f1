/* Portable reference GEMM microkernel: the oracle's tile and the fallback on any CPU. Each
 * element of C is one chain of fused multiply-adds from zero, k in order, as in every SIMD tile,
 * so all give the same bits (fmaf is a software routine on a CPU without FMA: slow, exact). */
#include <math.h>

#include "inline.h"
#include "kernels.h"

enum { MR = 4, NR = 8 };

SDN_INLINE void tile(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                     const float *b, size_t rsb, float acc[MR][NR])
{
    for (size_t p = 0; p < kc; p++) {
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < n; j++)
                acc[i][j] = fmaf(a[i * rsa + p * csa], b[p * rsb + j], acc[i][j]);
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* On an x86 CPU with FMA the same loop with fmaf as one instruction (the tests and the model
 * check run the reference often); the bits are fmaf's either way. */
__attribute__((target("fma"))) static void tile_fma(size_t m, size_t n, size_t kc, const float *a,
                                                    size_t rsa, size_t csa, const float *b,
                                                    size_t rsb, float acc[MR][NR])
{
    tile(m, n, kc, a, rsa, csa, b, rsb, acc);
}
#endif

void sdn_f32_gemm_4x8__ref(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                           const float *b, size_t rsb, float *c, size_t ldc, float beta,
                           const float *bias)
{
    float acc[MR][NR] = {{0}};
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("fma"))
        tile_fma(m, n, kc, a, rsa, csa, b, rsb, acc);
    else
#endif
        tile(m, n, kc, a, rsa, csa, b, rsb, acc);
    sdn_gemm_store_tile(m, n, &acc[0][0], NR, c, ldc, beta, bias);
}
