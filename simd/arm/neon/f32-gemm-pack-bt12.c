/* Transposed-B packing into the 8×12 tile's 12-column panels: 4×4 blocks transposed in registers
 * (32-bit pairs interleaved, then 64-bit pairs). */
#include <arm_neon.h>

#include "gemm-pack-bt.h"
#include "kernels.h"

static void transpose4(const float *src, size_t lds, float *dst, size_t ldd)
{
    const float32x4_t r0 = vld1q_f32(src), r1 = vld1q_f32(src + lds);
    const float32x4_t r2 = vld1q_f32(src + 2 * lds), r3 = vld1q_f32(src + 3 * lds);
    const float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(r0, r1)); /* a0 b0 a2 b2 */
    const float64x2_t t1 = vreinterpretq_f64_f32(vtrn2q_f32(r0, r1)); /* a1 b1 a3 b3 */
    const float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(r2, r3));
    const float64x2_t t3 = vreinterpretq_f64_f32(vtrn2q_f32(r2, r3));
    vst1q_f32(dst, vreinterpretq_f32_f64(vtrn1q_f64(t0, t2)));
    vst1q_f32(dst + ldd, vreinterpretq_f32_f64(vtrn1q_f64(t1, t3)));
    vst1q_f32(dst + 2 * ldd, vreinterpretq_f32_f64(vtrn2q_f64(t0, t2)));
    vst1q_f32(dst + 3 * ldd, vreinterpretq_f32_f64(vtrn2q_f64(t1, t3)));
}

void sdn_f32_gemm_pack_bt12__neon(size_t kc, size_t nc, const float *b, size_t ldb, float *dst)
{
    sdn_pack_bt_panels(kc, nc, b, ldb, dst, 12, 4, transpose4, NULL);
}
