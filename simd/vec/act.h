/* Activation math written once over the vector vocabulary of the including ISA's vmath.h
 * (vf, vm, vf_*, vm_*). Shared by the kernel bodies in this folder; never compiled on its own.
 * Gradients read x: f'(x) from y (1 − y², y + α, y(1 − y)) would lose relative accuracy. */
#ifndef SDN_VEC_ACT_H
#define SDN_VEC_ACT_H

#include "simdnn.h" /* SDN_SELU_LAMBDA, SDN_SELU_ALPHA */

/* ELU: x > 0 ? x : α·expm1(x);  f' = x > 0 ? 1 : α·exp(x). NaN takes the exp branch. */
static inline vf va_elu(vf x, vf alpha)
{
    vf em = vf_expm1_nonpos(vf_min_nan(vf_zero(), x));
    return vf_sel(vm_gt(x, vf_zero()), x, vf_mul(alpha, em));
}
static inline vf va_elu_grad(vf x, vf dy, vf alpha)
{
    vf e = vf_exp(vf_min_nan(vf_zero(), x));
    return vf_sel(vm_gt(x, vf_zero()), dy, vf_mul(dy, vf_mul(alpha, e)));
}

/* SELU: λ·(x > 0 ? x : α·expm1(x)) with λα folded into one constant. */
static inline vf va_selu(vf x)
{
    const vf lambda = vf_set1((float)SDN_SELU_LAMBDA);
    const vf lambda_alpha = vf_set1((float)(SDN_SELU_LAMBDA * SDN_SELU_ALPHA));
    vf em = vf_expm1_nonpos(vf_min_nan(vf_zero(), x));
    return vf_sel(vm_gt(x, vf_zero()), vf_mul(lambda, x), vf_mul(lambda_alpha, em));
}
static inline vf va_selu_grad(vf x, vf dy)
{
    const vf lambda = vf_set1((float)SDN_SELU_LAMBDA);
    const vf lambda_alpha = vf_set1((float)(SDN_SELU_LAMBDA * SDN_SELU_ALPHA));
    vf e = vf_exp(vf_min_nan(vf_zero(), x));
    return vf_mul(dy, vf_sel(vm_gt(x, vf_zero()), lambda, vf_mul(lambda_alpha, e)));
}

/* ReLU keeps NaN and maps −0 to +0 like the reference; its gradient passes dy where x > 0. */
static inline vf va_relu(vf x)
{
    return vf_and_mask(vm_gt0_or_nan(x), x);
}
static inline vf va_relu_grad(vf x, vf dy)
{
    return vf_and_mask(vm_gt(x, vf_zero()), dy);
}

static inline vf va_lrelu(vf x, vf alpha)
{
    return vf_sel(vm_gt(x, vf_zero()), x, vf_mul(alpha, x));
}
static inline vf va_lrelu_grad(vf x, vf dy, vf alpha)
{
    return vf_sel(vm_gt(x, vf_zero()), dy, vf_mul(alpha, dy));
}

/* tanh|x| = −em/(2 + em) with em = expm1(−2|x|): accurate near 0, exactly 1 beyond |x| ≈ 9. */
static inline vf va_tanh(vf x)
{
    vf em = vf_expm1_nonpos(vf_mul(vf_set1(-2.0f), vf_abs(x)));
    vf t = vf_div(vf_sub(vf_zero(), em), vf_add(vf_set1(2.0f), em));
    return vf_copysign(t, x);
}
/* tanh' = 1/cosh² = 4e/(1 + e)² with e = exp(−2|x|). */
static inline vf va_tanh_grad(vf x, vf dy)
{
    vf e = vf_exp(vf_mul(vf_set1(-2.0f), vf_abs(x)));
    vf d = vf_add(vf_set1(1.0f), e);
    return vf_mul(dy, vf_div(vf_mul(vf_set1(4.0f), e), vf_mul(d, d)));
}

/* σ from e = exp(−|x|): 1/(1 + e) for x ≥ 0, e/(1 + e) below; σ' = e/(1 + e)². */
static inline vf va_sigmoid(vf x)
{
    vf e = vf_exp(vf_sub(vf_zero(), vf_abs(x)));
    vf num = vf_sel(vm_ge(x, vf_zero()), vf_set1(1.0f), e);
    return vf_div(num, vf_add(vf_set1(1.0f), e));
}
static inline vf va_sigmoid_grad(vf x, vf dy)
{
    vf e = vf_exp(vf_sub(vf_zero(), vf_abs(x)));
    vf d = vf_add(vf_set1(1.0f), e);
    return vf_mul(dy, vf_div(e, vf_mul(d, d)));
}

#endif
