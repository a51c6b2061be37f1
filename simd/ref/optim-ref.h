/* The regularized gradient every reference optimizer step starts from: g + l2·w + l1·sign(w). */
#ifndef SDN_OPTIM_REF_H
#define SDN_OPTIM_REF_H

static inline float sdn_ref_reg_grad(float g, float w, float l1, float l2)
{
    float sign = (float)((w > 0) - (w < 0)); /* sign(0) = 0 */
    return g + l2 * w + l1 * sign;
}

#endif
