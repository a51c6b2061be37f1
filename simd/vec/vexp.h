/* exp and expm1 written once over the including ISA's vmath.h primitives (vf_fma, vf_fnma,
 * vf_round_nearest, vf_max_nan, vf_min_nan, and the integer vi_from_vf, vi_half, vi_sub,
 * vf_pow2i): every ISA runs the same operations in the same order, each fused multiply-add
 * rounded once, so they give the same bits. Included at the end of each vmath.h. */
#ifndef SDN_VEC_VEXP_H
#define SDN_VEC_VEXP_H

/* expm1(r) for |r| ≤ ln2/2: Taylor to r⁸ (truncation < 0.25 ulp), r + r²·P(r) keeps small r exact.
 */
static inline vf vf_expm1_poly(vf r)
{
    vf p = vf_set1(1.0f / 40320);
    p = vf_fma(p, r, vf_set1(1.0f / 5040));
    p = vf_fma(p, r, vf_set1(1.0f / 720));
    p = vf_fma(p, r, vf_set1(1.0f / 120));
    p = vf_fma(p, r, vf_set1(1.0f / 24));
    p = vf_fma(p, r, vf_set1(1.0f / 6));
    p = vf_fma(p, r, vf_set1(0.5f));
    return vf_fma(p, vf_mul(r, r), r);
}

/* x = n·ln2 + r, |r| ≤ ln2/2 (ln2 split so n·ln2_hi is exact). */
static inline vf vf_reduce_ln2(vf x, vf *n)
{
    *n = vf_round_nearest(vf_mul(x, vf_set1(1.44269504088896341f)));
    vf r = vf_fnma(*n, vf_set1(0.693359375f), x);
    return vf_fnma(*n, vf_set1(-2.12194440e-4f), r);
}

/* exp(x) over the whole float range: overflow gives inf, subnormal results are rounded once
 * (2ⁿ applied as two halves), NaN propagates. */
static inline vf vf_exp(vf x)
{
    x = vf_max_nan(vf_set1(-104.0f), x);
    x = vf_min_nan(vf_set1(89.0f), x);
    vf n;
    vf p = vf_expm1_poly(vf_reduce_ln2(x, &n));
    vi ni = vi_from_vf(n);
    vi n1 = vi_half(ni);
    vf s1 = vf_pow2i(n1), s2 = vf_pow2i(vi_sub(ni, n1));
    return vf_mul(vf_fma(p, s1, s1), s2);
}

/* expm1(x) for x ≤ 0 (x > 0 is treated as 0): 2ⁿ·expm1(r) + (2ⁿ − 1), cancellation-free near 0
 * where n = 0. Below −18 the result is −1. NaN propagates. */
static inline vf vf_expm1_nonpos(vf x)
{
    x = vf_max_nan(vf_set1(-18.0f), x);
    x = vf_min_nan(vf_zero(), x);
    vf n;
    vf p = vf_expm1_poly(vf_reduce_ln2(x, &n));
    vf s = vf_pow2i(vi_from_vf(n));
    return vf_fma(p, s, vf_sub(s, vf_set1(1.0f)));
}

#endif
