/* Reference RMSProp step (Keras, no momentum): v = ρ·v + (1−ρ)·g²;  w −= lr·g/(sqrt(v) + ε). */
#include <math.h>

#include "kernels.h"
#include "optim-ref.h"

void sdn_f32_rmsprop__ref(size_t n, float *w, const float *grad, float *v,
                          const sdn_optim_scalars *s)
{
    for (size_t i = 0; i < n; i++) {
        float g = sdn_ref_reg_grad(grad[i], w[i], s->l1, s->l2);
        v[i] = s->rho * v[i] + (1 - s->rho) * g * g;
        w[i] -= s->lr * g / (sqrtf(v[i]) + s->eps);
    }
}
