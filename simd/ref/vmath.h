/* The reference's vector vocabulary for the elementwise bodies in simd/vec/: one float per
 * "vector", in portable C. The reference runs the very operations every SIMD ISA runs (each
 * fused multiply-add through fmaf, rounded once), so it gives their bits: it is the definition of
 * the results, not an approximation of them. On a CPU without FMA, fmaf is a software routine
 * (glibc: exact, several times slower than a multiply and an add). Lane semantics follow x86:
 * max(a, b) is a > b ? a : b, comparisons are false on NaN. */
#ifndef SDN_REF_VMATH_H
#define SDN_REF_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

#define SDN_VLEN 1
#define SDN_VFN(name) name##__ref

typedef float vf;
typedef int vm; /* 1 = lane on */

static inline vm vm_part(size_t rem)
{
    return rem > 0;
}
static inline vf vf_load(const float *p)
{
    return *p;
}
static inline void vf_store(float *p, vf v)
{
    *p = v;
}
/* A store that another core reads next: a plain store here. */
static inline void vf_store_stream(float *p, vf v)
{
    *p = v;
}
static inline void vf_stream_fence(void) {}
static inline vf vf_load_part(const float *p, size_t rem)
{
    return rem ? *p : 0.0f;
}
static inline void vf_store_part(float *p, vf v, size_t rem)
{
    if (rem)
        *p = v;
}

static inline vf vf_set1(float s)
{
    return s;
}
static inline vf vf_zero(void)
{
    return 0.0f;
}
static inline vf vf_add(vf a, vf b)
{
    return a + b;
}
static inline vf vf_sub(vf a, vf b)
{
    return a - b;
}
static inline vf vf_mul(vf a, vf b)
{
    return a * b;
}
static inline vf vf_div(vf a, vf b)
{
    return a / b;
}
static inline vf vf_sqrt(vf a)
{
    return sqrtf(a);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
    return fmaf(a, b, c);
} /* a·b + c */
static inline vf vf_fnma(vf a, vf b, vf c)
{
    return fmaf(-a, b, c);
} /* c − a·b */
static inline vf vf_max(vf a, vf b)
{
    return a > b ? a : b;
}
/* min(c, x) and max(c, x) that keep a NaN x. */
static inline vf vf_min_nan(vf c, vf x)
{
    return c < x ? c : x;
}
static inline vf vf_max_nan(vf c, vf x)
{
    return c > x ? c : x;
}
static inline vf vf_abs(vf a)
{
    return fabsf(a);
}
static inline vf vf_copysign(vf mag, vf sgn)
{
    return copysignf(mag, sgn);
}

/* Ordered comparisons: false when either side is NaN. */
static inline vm vm_gt(vf a, vf b)
{
    return a > b;
}
static inline vm vm_ge(vf a, vf b)
{
    return a >= b;
}
static inline vm vm_lt(vf a, vf b)
{
    return a < b;
}
/* x > 0 or NaN. */
static inline vm vm_gt0_or_nan(vf x)
{
    return !(x <= 0.0f);
}
static inline vf vf_sel(vm m, vf t, vf f)
{
    return m ? t : f;
}
static inline vf vf_and_mask(vm m, vf v)
{
    return m ? v : 0.0f;
}
static inline vm vm_keep(const uint8_t *keep)
{
    return keep[0] != 0;
}
static inline vf vf_from_u8(const uint8_t *p)
{
    return (float)p[0];
}

static inline float vf_hmax(vf v)
{
    return v;
}

/* The double accumulator: one lane. x² is exact in double, so a multiply and an add give what the
 * SIMD ISAs' double FMA gives. */
typedef struct vdacc {
    double lane;
} vdacc;
static inline vdacc vdacc_zero(void)
{
    return (vdacc){0.0};
}
static inline void vdacc_add(vdacc *a, vf x)
{
    a->lane += (double)x;
}
static inline void vdacc_add_sq(vdacc *a, vf x)
{
    a->lane += (double)x * (double)x;
}
static inline void vdacc_store(double *p, vdacc a)
{
    p[0] = a.lane;
}
static inline vf vdacc_lanes(vdacc a)
{
    return (float)a.lane;
}

/* The integer lanes exp needs (simd/vec/vexp.h), in unsigned arithmetic where C would overflow:
 * a NaN input reaches them, and x86's answers (the "integer indefinite" 0x80000000, wrapping
 * adds) are the model. */
typedef int32_t vi;
static inline vf vf_round_nearest(vf x)
{
    return nearbyintf(x); /* ties to even, as the SIMD ISAs' rounding instructions */
}
static inline vi vi_from_vf(vf x) /* x integral; NaN and out of range give INT32_MIN */
{
    return x >= -2147483648.0f && x < 2147483648.0f ? (vi)x : INT32_MIN;
}
static inline vi vi_half(vi n) /* n >> 1, arithmetic */
{
    return (vi)(((uint32_t)n >> 1) | ((uint32_t)n & 0x80000000u));
}
static inline vi vi_sub(vi a, vi b)
{
    return (vi)((uint32_t)a - (uint32_t)b);
}
static inline vf vf_pow2i(vi n) /* 2ⁿ for n in the normal exponent range */
{
    uint32_t bits = ((uint32_t)n + 127u) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#include "vec/vexp.h"

#endif
