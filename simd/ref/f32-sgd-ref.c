/* Reference SGD step (PyTorch form): v = μ·v + g;  w −= lr·(nesterov ? g + μ·v : v);
 * μ == 0: w −= lr·g and v is never touched. */
#include "kernels.h"
#include "optim-ref.h"

void sdn_f32_sgd__ref(size_t n, float *w, const float *grad, float *v, const sdn_optim_scalars *s)
{
    for (size_t i = 0; i < n; i++) {
        float g = sdn_ref_reg_grad(grad[i], w[i], s->l1, s->l2);
        if (s->momentum == 0) {
            w[i] -= s->lr * g;
            continue;
        }
        v[i] = s->momentum * v[i] + g;
        w[i] -= s->lr * (s->nesterov ? g + s->momentum * v[i] : v[i]);
    }
}
