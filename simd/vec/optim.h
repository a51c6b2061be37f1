/* The regularized gradient g + l2·w + l1·sign(w) every optimizer body starts from. */
#ifndef SDN_VEC_OPTIM_H
#define SDN_VEC_OPTIM_H

#include "vec/common.h"

static inline vf vo_reg_grad(vf grad, vf w, vf l1, vf l2)
{
    return vf_fma(l1, vf_sign(w), vf_fma(l2, w, grad));
}

/* The updated weights, streamed when another core reads them next (s->stream_w): the same
 * values either way. */
static inline void vo_store_w(float *w, vf v, size_t rem, int stream)
{
    if (stream && rem == SDN_VLEN)
        vf_store_stream(w, v);
    else
        vf_storen(w, v, rem);
}
static inline void vo_done(int stream)
{
    if (stream)
        vf_stream_fence();
}

#endif
