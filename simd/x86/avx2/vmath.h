/* AVX2+FMA vector vocabulary for the elementwise bodies in simd/vec/: 8 floats per ymm, masks as
 * ymm lanes, tails by maskload and piecewise stores, exp/expm1 by Cody–Waite reduction and a
 * degree-8 polynomial (≤ 2 ulp). Every function is static inline: each kernel file includes this
 * once. */
#ifndef SDN_AVX2_VMATH_H
#define SDN_AVX2_VMATH_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "kernels.h"

#define SDN_VLEN 8
#define SDN_VFN(name) name##__avx2

typedef __m256 vf;
typedef __m256 vm; /* all-ones / all-zeros lanes */

static inline __m256i vm_tail_bits(size_t rem)
{
    static const int32_t t[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(t + 8 - rem));
}
/* Lanes [0, rem) of a partial vector (rem < SDN_VLEN). */
static inline vm vm_part(size_t rem)
{
    return _mm256_castsi256_ps(vm_tail_bits(rem));
}
static inline vf vf_load(const float *p)
{
    return _mm256_loadu_ps(p);
}
static inline void vf_store(float *p, vf v)
{
    _mm256_storeu_ps(p, v);
}
/* A store that another core reads next, not this one: around the caches (non-temporal) where p is
 * aligned, so the line need not be taken back from the core that last read it. */
static inline void vf_store_stream(float *p, vf v)
{
    if (((uintptr_t)p & 31) == 0)
        _mm256_stream_ps(p, v);
    else
        _mm256_storeu_ps(p, v);
}
/* Orders the streamed stores before what follows (a barrier's release). */
static inline void vf_stream_fence(void)
{
    _mm_sfence();
}
/* Partial loads read only lanes [0, rem) (others are 0); partial stores write only those. */
static inline vf vf_load_part(const float *p, size_t rem)
{
    return _mm256_maskload_ps(p, vm_tail_bits(rem));
}
/* 4-, 2- and 1-float pieces: vmaskmovps stores are microcoded and slow on AMD Zen. */
static inline void vf_store_part(float *p, vf v, size_t rem)
{
    __m128 q = _mm256_castps256_ps128(v);
    if (rem & 4) {
        _mm_storeu_ps(p, q);
        q = _mm256_extractf128_ps(v, 1);
        p += 4;
    }
    if (rem & 2) {
        _mm_storel_pi((__m64 *)p, q);
        q = _mm_movehl_ps(q, q);
        p += 2;
    }
    if (rem & 1)
        _mm_store_ss(p, q);
}

static inline vf vf_set1(float s)
{
    return _mm256_set1_ps(s);
}
static inline vf vf_zero(void)
{
    return _mm256_setzero_ps();
}
static inline vf vf_add(vf a, vf b)
{
    return _mm256_add_ps(a, b);
}
static inline vf vf_sub(vf a, vf b)
{
    return _mm256_sub_ps(a, b);
}
static inline vf vf_mul(vf a, vf b)
{
    return _mm256_mul_ps(a, b);
}
static inline vf vf_div(vf a, vf b)
{
    return _mm256_div_ps(a, b);
}
static inline vf vf_sqrt(vf a)
{
    return _mm256_sqrt_ps(a);
}
static inline vf vf_fma(vf a, vf b, vf c)
{
    return _mm256_fmadd_ps(a, b, c);
} /* a·b + c */
static inline vf vf_fnma(vf a, vf b, vf c)
{
    return _mm256_fnmadd_ps(a, b, c);
} /* c − a·b */
static inline vf vf_max(vf a, vf b)
{
    return _mm256_max_ps(a, b);
}
/* min(c, x) and max(c, x) that keep a NaN x (maxps returns its second operand on NaN). */
static inline vf vf_min_nan(vf c, vf x)
{
    return _mm256_min_ps(c, x);
}
static inline vf vf_max_nan(vf c, vf x)
{
    return _mm256_max_ps(c, x);
}
static inline vf vf_abs(vf a)
{
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a);
}
static inline vf vf_copysign(vf mag, vf sgn)
{
    const vf s = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sgn));
}

/* Ordered comparisons: false when either side is NaN. */
static inline vm vm_gt(vf a, vf b)
{
    return _mm256_cmp_ps(a, b, _CMP_GT_OQ);
}
static inline vm vm_ge(vf a, vf b)
{
    return _mm256_cmp_ps(a, b, _CMP_GE_OQ);
}
static inline vm vm_lt(vf a, vf b)
{
    return _mm256_cmp_ps(a, b, _CMP_LT_OQ);
}
/* x > 0 or NaN. */
static inline vm vm_gt0_or_nan(vf x)
{
    return _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NLE_UQ);
}
static inline vf vf_sel(vm m, vf t, vf f)
{
    return _mm256_blendv_ps(f, t, m);
}
static inline vf vf_and_mask(vm m, vf v)
{
    return _mm256_and_ps(m, v);
}
/* keep[0..7] != 0, one lane per byte. */
static inline vm vm_keep(const uint8_t *keep)
{
    __m256i k = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)keep));
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(k, _mm256_setzero_si256()));
}
/* p[0..7] as floats (0..255, exact). */
static inline vf vf_from_u8(const uint8_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

static inline float vf_hmax(vf v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

/* Double-precision accumulators (sums of squares, softmax denominators). */
typedef struct vdacc {
    __m256d lo, hi;
} vdacc;
static inline vdacc vdacc_zero(void)
{
    return (vdacc){_mm256_setzero_pd(), _mm256_setzero_pd()};
}
static inline void vdacc_add(vdacc *a, vf x)
{
    a->lo = _mm256_add_pd(a->lo, _mm256_cvtps_pd(_mm256_castps256_ps128(x)));
    a->hi = _mm256_add_pd(a->hi, _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)));
}
static inline void vdacc_add_sq(vdacc *a, vf x)
{
    __m256d l = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    __m256d h = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    a->lo = _mm256_fmadd_pd(l, l, a->lo);
    a->hi = _mm256_fmadd_pd(h, h, a->hi);
}
/* The lanes in order, as doubles (vec/vsum.h reduces them in its fixed order). */
static inline void vdacc_store(double *p, vdacc a)
{
    _mm256_storeu_pd(p, a.lo);
    _mm256_storeu_pd(p + 4, a.hi);
}
/* The per-lane sums rounded to float (lanes in order). */
static inline vf vdacc_lanes(vdacc a)
{
    return _mm256_set_m128(_mm256_cvtpd_ps(a.hi), _mm256_cvtpd_ps(a.lo));
}

/* The integer lanes exp needs (simd/vec/vexp.h). */
typedef __m256i vi;
static inline vf vf_round_nearest(vf x)
{
    return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline vi vi_from_vf(vf x) /* x integral */
{
    return _mm256_cvtps_epi32(x);
}
static inline vi vi_half(vi n) /* n >> 1, arithmetic */
{
    return _mm256_srai_epi32(n, 1);
}
static inline vi vi_sub(vi a, vi b)
{
    return _mm256_sub_epi32(a, b);
}
static inline vf vf_pow2i(vi n) /* 2ⁿ for n in the normal exponent range */
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

#include "vec/vexp.h"

#endif
