/* AVX-512 (F/BW/VL/DQ) vector vocabulary for the elementwise bodies in simd/vec/: 16 floats per
 * zmm, opmask registers as masks and for tails, exp/expm1 as in the AVX2 vmath.h (≤ 2 ulp).
 * Every function is static inline: each kernel file includes this once. */
#ifndef SDN_AVX512_VMATH_H
#define SDN_AVX512_VMATH_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels.h"

#define SDN_VLEN 16
#define SDN_VFN(name) name##__avx512

typedef __m512 vf;
typedef __mmask16 vm;

/* Lanes [0, rem) of a partial vector (rem < SDN_VLEN). */
static inline vm vm_part(size_t rem)
{
    return (vm)((1u << rem) - 1);
}
static inline vf vf_load(const float *p)
{
    return _mm512_loadu_ps(p);
}
static inline void vf_store(float *p, vf v)
{
    _mm512_storeu_ps(p, v);
}
/* A store that another core reads next, not this one: around the caches (non-temporal) where p is
 * aligned to the line, so the line need not be taken back from the core that last read it. */
static inline void vf_store_stream(float *p, vf v)
{
    if (((uintptr_t)p & 63) == 0)
        _mm512_stream_ps(p, v);
    else
        _mm512_storeu_ps(p, v);
}
/* Orders the streamed stores before what follows (a barrier's release). */
static inline void vf_stream_fence(void)
{
    _mm_sfence();
}
/* Masked loads touch only lanes [0, rem) (others are 0); masked stores write only those. */
static inline vf vf_load_part(const float *p, size_t rem)
{
    return _mm512_maskz_loadu_ps(vm_part(rem), p);
}
static inline void vf_store_part(float *p, vf v, size_t rem)
{
    _mm512_mask_storeu_ps(p, vm_part(rem), v);
}

static inline vf vf_set1(float s)
{
    return _mm512_set1_ps(s);
}
static inline vf vf_zero(void)
{
    return _mm512_setzero_ps();
}
static inline vf vf_add(vf a, vf b)
{
    return _mm512_add_ps(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
    return _mm512_sub_ps(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
    return _mm512_mul_ps(a, b);
}
static inline vf vf_div(vf a, vf b)
{
    return _mm512_div_ps(a, b);
}
static inline vf vf_sqrt(vf a)
{
    return _mm512_sqrt_ps(a);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
    return _mm512_fmadd_ps(a, b, c);
} /* a·b + c */
static inline vf vf_fnma(vf a, vf b, vf c)
{
    return _mm512_fnmadd_ps(a, b, c);
} /* c − a·b */
static inline vf vf_max(vf a, vf b)
{
    return _mm512_max_ps(a, b);
}
/* min(c, x) and max(c, x) that keep a NaN x (vmaxps returns its second operand on NaN). */
static inline vf vf_min_nan(vf c, vf x)
{
    return _mm512_min_ps(c, x);
}
static inline vf vf_max_nan(vf c, vf x)
{
    return _mm512_max_ps(c, x);
}
static inline vf vf_abs(vf a)
{
    return _mm512_abs_ps(a);
}
static inline vf vf_copysign(vf mag, vf sgn)
{
    const vf s = _mm512_set1_ps(-0.0f);
    return _mm512_or_ps(_mm512_andnot_ps(s, mag), _mm512_and_ps(s, sgn));
}

/* Ordered comparisons: false when either side is NaN. */
static inline vm vm_gt(vf a, vf b)
{
    return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ);
}
static inline vm vm_ge(vf a, vf b)
{
    return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ);
}
static inline vm vm_lt(vf a, vf b)
{
    return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
}
/* x > 0 or NaN. */
static inline vm vm_gt0_or_nan(vf x)
{
    return _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NLE_UQ);
}
static inline vf vf_sel(vm m, vf t, vf f)
{
    return _mm512_mask_blend_ps(m, f, t);
}
static inline vf vf_and_mask(vm m, vf v)
{
    return _mm512_maskz_mov_ps(m, v);
}
/* keep[0..15] != 0, one mask bit per byte. */
static inline vm vm_keep(const uint8_t *keep)
{
    __m128i k = _mm_loadu_si128((const __m128i *)keep);
    return _mm_test_epi8_mask(k, k);
}
/* p[0..15] as floats (0..255, exact). */
static inline vf vf_from_u8(const uint8_t *p)
{
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p)));
}

static inline float vf_hmax(vf v)
{
    return _mm512_reduce_max_ps(v);
}

/* Double-precision accumulators (sums of squares, softmax denominators). */
typedef struct vdacc {
    __m512d lo, hi;
} vdacc;
static inline vdacc vdacc_zero(void)
{
    return (vdacc){_mm512_setzero_pd(), _mm512_setzero_pd()};
}
static inline void vdacc_add(vdacc *a, vf x)
{
    a->lo = _mm512_add_pd(a->lo, _mm512_cvtps_pd(_mm512_castps512_ps256(x)));
    a->hi = _mm512_add_pd(a->hi, _mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1)));
}
static inline void vdacc_add_sq(vdacc *a, vf x)
{
    __m512d l = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
    __m512d h = _mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1));
    a->lo = _mm512_fmadd_pd(l, l, a->lo);
    a->hi = _mm512_fmadd_pd(h, h, a->hi);
}
/* The lanes in order, as doubles (vec/vsum.h reduces them in its fixed order). */
static inline void vdacc_store(double *p, vdacc a)
{
    _mm512_storeu_pd(p, a.lo);
    _mm512_storeu_pd(p + 8, a.hi);
}
/* The per-lane sums rounded to float (lanes in order). */
static inline vf vdacc_lanes(vdacc a)
{
    __m512 lo = _mm512_castps256_ps512(_mm512_cvtpd_ps(a.lo));
    return _mm512_insertf32x8(lo, _mm512_cvtpd_ps(a.hi), 1);
}

/* The integer lanes exp needs (simd/vec/vexp.h). */
typedef __m512i vi;
static inline vf vf_round_nearest(vf x)
{
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline vi vi_from_vf(vf x) /* x integral */
{
    return _mm512_cvtps_epi32(x);
}
static inline vi vi_half(vi n) /* n >> 1, arithmetic */
{
    return _mm512_srai_epi32(n, 1);
}
static inline vi vi_sub(vi a, vi b)
{
    return _mm512_sub_epi32(a, b);
}
static inline vf vf_pow2i(vi n) /* 2ⁿ for n in the normal exponent range */
{
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n, _mm512_set1_epi32(127)), 23));
}

#include "vec/vexp.h"

#endif
