/* Reference Adam-family step: m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;
 * w −= lr·(c_m·m + c_g·g)/(sqrt(c_v·v) + ε). Adam and Nadam differ only in c_m, c_g (kernels.h). */
#include <math.h>

#include "kernels.h"
#include "optim-ref.h"

void sdn_f32_adam__ref(size_t n, float *w, const float *grad, float *m, float *v,
                       const sdn_optim_scalars *s)
{
    for (size_t i = 0; i < n; i++) {
        float g = sdn_ref_reg_grad(grad[i], w[i], s->l1, s->l2);
        m[i] = s->beta1 * m[i] + (1 - s->beta1) * g;
        v[i] = s->beta2 * v[i] + (1 - s->beta2) * g * g;
        w[i] -= s->lr * (s->c_m * m[i] + s->c_g * g) / (sqrtf(s->c_v * v[i]) + s->eps);
    }
}
