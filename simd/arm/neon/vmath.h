/* NEON (AArch64 Advanced SIMD) vector vocabulary for the elementwise bodies in simd/vec/: 4 floats
 * per q register, masks as all-ones lanes, tails through a zeroed stack copy, exp/expm1 as in the
 * AVX2 vmath.h (≤ 2 ulp). Every function is static inline: each kernel file includes this once. */
#ifndef SDN_NEON_VMATH_H
#define SDN_NEON_VMATH_H

#include <arm_neon.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

#define SDN_VLEN 4
#define SDN_VFN(name) name##__neon

typedef float32x4_t vf;
typedef uint32x4_t vm;

/* Lanes [0, rem) of a partial vector (rem < SDN_VLEN). */
static inline vm vm_part(size_t rem)
{
    static const uint32_t iota[4] = {0, 1, 2, 3};
    return vcltq_u32(vld1q_u32(iota), vdupq_n_u32((uint32_t)rem));
}
static inline vf vf_load(const float *p)
{
    return vld1q_f32(p);
}
static inline void vf_store(float *p, vf v)
{
    vst1q_f32(p, v);
}
/* A store that another core reads next: a plain store here. */
static inline void vf_store_stream(float *p, vf v)
{
    vst1q_f32(p, v);
}
static inline void vf_stream_fence(void) {}
/* Partial loads read only lanes [0, rem) (others are 0); partial stores write only those. */
static inline vf vf_load_part(const float *p, size_t rem)
{
    float buf[4] = {0};
    memcpy(buf, p, rem * sizeof *p);
    return vld1q_f32(buf);
}
static inline void vf_store_part(float *p, vf v, size_t rem)
{
    float buf[4];
    vst1q_f32(buf, v);
    memcpy(p, buf, rem * sizeof *p);
}

static inline vf vf_set1(float s)
{
    return vdupq_n_f32(s);
}
static inline vf vf_zero(void)
{
    return vdupq_n_f32(0.0f);
}
static inline vf vf_add(vf a, vf b)
{
    return vaddq_f32(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
    return vsubq_f32(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
    return vmulq_f32(a, b);
}
static inline vf vf_div(vf a, vf b)
{
    return vdivq_f32(a, b);
}
static inline vf vf_sqrt(vf a)
{
    return vsqrtq_f32(a);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
    return vfmaq_f32(c, a, b);
} /* a·b + c */
static inline vf vf_fnma(vf a, vf b, vf c)
{
    return vfmsq_f32(c, a, b);
} /* c − a·b */
static inline vf vf_max(vf a, vf b)
{
    return vmaxq_f32(a, b);
}
/* min/max propagate NaN on NEON. */
static inline vf vf_min_nan(vf c, vf x)
{
    return vminq_f32(c, x);
}
static inline vf vf_max_nan(vf c, vf x)
{
    return vmaxq_f32(c, x);
}
static inline vf vf_abs(vf a)
{
    return vabsq_f32(a);
}
static inline vf vf_copysign(vf mag, vf sgn)
{
    return vbslq_f32(vdupq_n_u32(0x80000000u), sgn, vabsq_f32(mag));
}

/* Ordered comparisons: false when either side is NaN. */
static inline vm vm_gt(vf a, vf b)
{
    return vcgtq_f32(a, b);
}
static inline vm vm_ge(vf a, vf b)
{
    return vcgeq_f32(a, b);
}
static inline vm vm_lt(vf a, vf b)
{
    return vcltq_f32(a, b);
}
/* x > 0 or NaN: not (x ≤ 0). */
static inline vm vm_gt0_or_nan(vf x)
{
    return vmvnq_u32(vcleq_f32(x, vdupq_n_f32(0.0f)));
}
static inline vf vf_sel(vm m, vf t, vf f)
{
    return vbslq_f32(m, t, f);
}
static inline vf vf_and_mask(vm m, vf v)
{
    return vreinterpretq_f32_u32(vandq_u32(m, vreinterpretq_u32_f32(v)));
}
/* keep[0..3] != 0, one lane per byte. */
static inline vm vm_keep(const uint8_t *keep)
{
    uint32_t w;
    memcpy(&w, keep, sizeof w);
    uint16x8_t h = vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(w)));
    return vtstq_u32(vmovl_u16(vget_low_u16(h)), vdupq_n_u32(0xffu));
}
/* p[0..3] as floats (0..255, exact). */
static inline vf vf_from_u8(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    uint16x8_t h = vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(w)));
    return vcvtq_f32_u32(vmovl_u16(vget_low_u16(h)));
}

static inline float vf_hmax(vf v)
{
    return vmaxvq_f32(v);
}

/* Double-precision accumulators (sums of squares, softmax denominators). */
typedef struct vdacc {
    float64x2_t lo, hi;
} vdacc;
static inline vdacc vdacc_zero(void)
{
    return (vdacc){vdupq_n_f64(0), vdupq_n_f64(0)};
}
static inline void vdacc_add(vdacc *a, vf x)
{
    a->lo = vaddq_f64(a->lo, vcvt_f64_f32(vget_low_f32(x)));
    a->hi = vaddq_f64(a->hi, vcvt_high_f64_f32(x));
}
static inline void vdacc_add_sq(vdacc *a, vf x)
{
    float64x2_t l = vcvt_f64_f32(vget_low_f32(x)), h = vcvt_high_f64_f32(x);
    a->lo = vfmaq_f64(a->lo, l, l);
    a->hi = vfmaq_f64(a->hi, h, h);
}
/* The lanes in order, as doubles (vec/vsum.h reduces them in its fixed order). */
static inline void vdacc_store(double *p, vdacc a)
{
    vst1q_f64(p, a.lo);
    vst1q_f64(p + 2, a.hi);
}
/* The per-lane sums rounded to float (lanes in order). */
static inline vf vdacc_lanes(vdacc a)
{
    return vcvt_high_f32_f64(vcvt_f32_f64(a.lo), a.hi);
}

/* The integer lanes exp needs (simd/vec/vexp.h). */
typedef int32x4_t vi;
static inline vf vf_round_nearest(vf x)
{
    return vrndnq_f32(x);
}
static inline vi vi_from_vf(vf x) /* x integral */
{
    return vcvtq_s32_f32(x);
}
static inline vi vi_half(vi n) /* n >> 1, arithmetic */
{
    return vshrq_n_s32(n, 1);
}
static inline vi vi_sub(vi a, vi b)
{
    return vsubq_s32(a, b);
}
static inline vf vf_pow2i(vi n) /* 2ⁿ for n in the normal exponent range */
{
    return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n, vdupq_n_s32(127)), 23));
}

#include "vec/vexp.h"

#endif
