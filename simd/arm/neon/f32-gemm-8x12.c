/* 24 q accumulators (8 rows × 3), 3 B loads, one A value per row multiplied by element: 8×12.
 * A and B are addressed through their strides: one loop for packed panels and operands read in
 * place.
 *
 * Edge tiles run only the rows and vectors they need, and load and copy out only the lanes of
 * the last vector they own: 100 outputs are 8 tiles and a 1-vector one, and B is read in place
 * up to its last column. Every element sees the same FMAs in the same order whatever the tile's
 * shape, so results never depend on the path. The same design as the AVX2 and AVX-512 tiles. */
#include <arm_neon.h>
#include <string.h>

#include "inline.h"
#include "kernels.h"

enum { MR = 8, NR = 12 };

/* Lanes [0, lanes) of p, 1 ≤ lanes ≤ 3, the others zero: no load past B's last column. */
static inline float32x4_t load_lanes(const float *p, size_t lanes)
{
    float32x4_t v = vld1q_lane_f32(p, vdupq_n_f32(0.0f), 0);
    if (lanes > 1)
        v = vld1q_lane_f32(p + 1, v, 1);
    if (lanes > 2)
        v = vld1q_lane_f32(p + 2, v, 2);
    return v;
}

/* rows × nv vectors, and whether the last vector is partial (edge): compile-time constants once
 * inlined, so the accumulators are registers and a full tile loads whole vectors. */
SDN_INLINE void tile(const int rows, const int nv, const int edge, size_t n, size_t kc,
                     const float *a, size_t rsa, size_t csa, const float *b, size_t rsb, float *c,
                     size_t ldc, float beta, const float *bias)
{
    float32x4_t acc[MR][3];
#pragma GCC unroll 8
    for (int i = 0; i < rows; i++)
        acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);
    const size_t tail = n - 4 * (size_t)(nv - 1);
    for (size_t p = 0; p < kc; p++, a += csa, b += rsb) {
        float32x4_t bv[3];
#pragma GCC unroll 3
        for (int v = 0; v < nv; v++)
            bv[v] = edge && v == nv - 1 ? load_lanes(b + 4 * v, tail) : vld1q_f32(b + 4 * v);
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++) {
            const float av = a[(size_t)i * rsa];
#pragma GCC unroll 3
            for (int v = 0; v < nv; v++)
                acc[i][v] = vfmaq_n_f32(acc[i][v], bv[v], av);
        }
    }
    /* acc + bias, then + beta·C (as sdn_gemm_store_tile; beta == 0 never reads C); lanes past n
     * are neither read nor written. */
#pragma GCC unroll 8
    for (int i = 0; i < rows; i++) {
        float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 3
        for (int v = 0; v < nv; v++) {
            const size_t lanes = v < nv - 1 ? 4 : tail;
            float buf[4] = {0};
            float32x4_t x = acc[i][v];
            if (bias) {
                memcpy(buf, bias + 4 * v, lanes * sizeof(float));
                x = vaddq_f32(x, vld1q_f32(buf));
            }
            if (beta != 0.0f) {
                memcpy(buf, ci + 4 * v, lanes * sizeof(float));
                x = vfmaq_n_f32(x, vld1q_f32(buf), beta);
            }
            if (lanes == 4) {
                vst1q_f32(ci + 4 * v, x);
            } else {
                vst1q_f32(buf, x);
                memcpy(ci + 4 * v, buf, lanes * sizeof(float));
            }
        }
    }
}

void sdn_f32_gemm_8x12__neon(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                             const float *b, size_t rsb, float *c, size_t ldc, float beta,
                             const float *bias)
{
#define SDN_VECTORS(r, nv)                                                                         \
    if (n == 4 * (nv))                                                                             \
        tile(r, nv, 0, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);                            \
    else                                                                                           \
        tile(r, nv, 1, n, kc, a, rsa, csa, b, rsb, c, ldc, beta, bias);
#define SDN_SHAPE(r)                                                                               \
    if (n > 8) {                                                                                   \
        SDN_VECTORS(r, 3)                                                                          \
    } else if (n > 4) {                                                                            \
        SDN_VECTORS(r, 2)                                                                          \
    } else {                                                                                       \
        SDN_VECTORS(r, 1)                                                                          \
    }
    SDN_CONST_SWITCH(m, 7, MR, SDN_SHAPE)
#undef SDN_SHAPE
#undef SDN_VECTORS
}
