/* 24 q accumulators (8 rows × 3), 3 B loads, 2 A loads used lane by lane (vfmaq_laneq): 8×12.
 * A and B are addressed through their strides: one loop for packed panels and operands read in
 * place; A's 8 values of a step are gathered when its rows are not adjacent (rsa ≠ 1). */
#include <arm_neon.h>

#include "kernels.h"

enum { MR = 8, NR = 12 };

void sdn_f32_gemm_8x12__neon(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                             size_t csa, const float *b, size_t rsb, float *c, size_t ldc,
                             float beta, const float *bias)
{
    const float32x4_t z = vdupq_n_f32(0.0f);
    float32x4_t c00 = z, c01 = z, c02 = z, c10 = z, c11 = z, c12 = z;
    float32x4_t c20 = z, c21 = z, c22 = z, c30 = z, c31 = z, c32 = z;
    float32x4_t c40 = z, c41 = z, c42 = z, c50 = z, c51 = z, c52 = z;
    float32x4_t c60 = z, c61 = z, c62 = z, c70 = z, c71 = z, c72 = z;

#define SDN_ROW(i, av, lane)                                                                     \
    do {                                                                                         \
        c##i##0 = vfmaq_laneq_f32(c##i##0, b0, av, lane);                                        \
        c##i##1 = vfmaq_laneq_f32(c##i##1, b1, av, lane);                                        \
        c##i##2 = vfmaq_laneq_f32(c##i##2, b2, av, lane);                                        \
    } while (0)

    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        float32x4_t a0, a1;
        if (rsa == 1) {
            a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        } else {
            const float g0[4] = {a[0], a[rsa], a[2 * rsa], a[3 * rsa]};
            const float g1[4] = {a[4 * rsa], a[5 * rsa], a[6 * rsa], a[7 * rsa]};
            a0 = vld1q_f32(g0), a1 = vld1q_f32(g1);
        }
        const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        SDN_ROW(0, a0, 0);
        SDN_ROW(1, a0, 1);
        SDN_ROW(2, a0, 2);
        SDN_ROW(3, a0, 3);
        SDN_ROW(4, a1, 0);
        SDN_ROW(5, a1, 1);
        SDN_ROW(6, a1, 2);
        SDN_ROW(7, a1, 3);
    }
#undef SDN_ROW

#define SDN_EACH_ROW(X) X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7)
    if (bias) {
        const float32x4_t d0 = vld1q_f32(bias), d1 = vld1q_f32(bias + 4), d2 = vld1q_f32(bias + 8);
#define SDN_BIAS(i)                                                                              \
    (c##i##0 = vaddq_f32(c##i##0, d0), c##i##1 = vaddq_f32(c##i##1, d1),                         \
     c##i##2 = vaddq_f32(c##i##2, d2))
        SDN_EACH_ROW(SDN_BIAS);
#undef SDN_BIAS
    }

    if (m == MR && n == NR) {
        if (beta != 0.0f) {
            /* v + beta·C, as sdn_gemm_store_tile; beta == 0 never reads C. */
#define SDN_BETA(i)                                                                              \
    (c##i##0 = vfmaq_n_f32(c##i##0, vld1q_f32(c + (i) * ldc), beta),                             \
     c##i##1 = vfmaq_n_f32(c##i##1, vld1q_f32(c + (i) * ldc + 4), beta),                         \
     c##i##2 = vfmaq_n_f32(c##i##2, vld1q_f32(c + (i) * ldc + 8), beta))
            SDN_EACH_ROW(SDN_BETA);
#undef SDN_BETA
        }
#define SDN_STORE(i)                                                                             \
    (vst1q_f32(c + (i) * ldc, c##i##0), vst1q_f32(c + (i) * ldc + 4, c##i##1),                   \
     vst1q_f32(c + (i) * ldc + 8, c##i##2))
        SDN_EACH_ROW(SDN_STORE);
#undef SDN_STORE
    } else {
        /* Partial tile: spill the registers, copy out the valid m×n part. */
        float tile[MR * NR];
#define SDN_SPILL(i)                                                                             \
    (vst1q_f32(tile + (i) * NR, c##i##0), vst1q_f32(tile + (i) * NR + 4, c##i##1),               \
     vst1q_f32(tile + (i) * NR + 8, c##i##2))
        SDN_EACH_ROW(SDN_SPILL);
#undef SDN_SPILL
        sdn_gemm_store_tile(m, n, tile, NR, c, ldc, beta, NULL);
    }
#undef SDN_EACH_ROW
}
