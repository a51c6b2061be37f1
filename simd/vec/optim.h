/* The regularized gradient g + l2·w + l1·sign(w) every optimizer body starts from. */
#ifndef SDN_VEC_OPTIM_H
#define SDN_VEC_OPTIM_H

#include "vec/common.h"

static inline vf vo_reg_grad(vf grad, vf w, vf l1, vf l2)
{
    return vf_fma(l1, vf_sign(w), vf_fma(l2, w, grad));
}

#endif
