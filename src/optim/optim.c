/* The optimizers over flat buffers: Keras' defaults, the per-step scalars (bias corrections and
 * Dozat's Nadam schedule, computed once per step in double), and the single kernel call per range.
 */
#include <math.h>

#include "detmath.h"
#include "optim/optim.h"

sdn_optimizer_options sdn_optimizer_defaults(sdn_optimizer_kind kind)
{
    sdn_optimizer_options o = {0};
    o.kind = kind;
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.rho = 0.9f;
    o.epsilon = 1e-7f;
    o.learning_rate = kind == SDN_OPT_SGD ? 0.01f : 0.001f;
    return o;
}

/* μ_t = β1·(1 − 0.5·0.96^(0.004·t)) (Dozat; PyTorch NAdam momentum_decay = 4e-3) */
double sdn_nadam_mu(float beta1, uint64_t t)
{
    return (double)beta1 * (1.0 - 0.5 * sdn_det_pow(0.96, 0.004 * (double)t));
}

sdn_optim_scalars sdn_optim_scalars_for(const sdn_optimizer_options *o, uint64_t t,
                                        double mu_product_prev, double *mu_product)
{
    sdn_optim_scalars s = {0};
    s.lr = o->learning_rate;
    s.momentum = o->momentum;
    s.nesterov = o->nesterov;
    s.beta1 = o->beta1;
    s.beta2 = o->beta2;
    s.rho = o->rho;
    s.eps = o->epsilon;
    *mu_product = mu_product_prev;
    const double bc2 = 1.0 - sdn_det_pow((double)o->beta2, (double)t);
    switch (o->kind) {
    case SDN_OPT_ADAM:
        s.c_m = (float)(1.0 / (1.0 - sdn_det_pow((double)o->beta1, (double)t)));
        s.c_g = 0.0f;
        s.c_v = (float)(1.0 / bc2);
        break;
    case SDN_OPT_NADAM: {
        const double mu = sdn_nadam_mu(o->beta1, t), mu_next = sdn_nadam_mu(o->beta1, t + 1);
        const double prod = mu_product_prev * mu;
        *mu_product = prod;
        s.c_m = (float)(mu_next / (1.0 - prod * mu_next));
        s.c_g = (float)((1.0 - mu) / (1.0 - prod));
        s.c_v = (float)(1.0 / bc2);
        break;
    }
    default:
        break;
    }
    return s;
}

void sdn_optim_apply(const sdn_kernels *k, const sdn_optimizer_options *o,
                     const sdn_optim_scalars *s, float *w, const float *g, float *m, float *v,
                     size_t len)
{
    if (!len)
        return;
    switch (o->kind) {
    case SDN_OPT_SGD:
        k->sgd(len, w, g, o->momentum != 0.0f ? m : NULL, s);
        break;
    case SDN_OPT_ADAM:
    case SDN_OPT_NADAM:
        k->adam(len, w, g, m, v, s);
        break;
    case SDN_OPT_RMSPROP:
        k->rmsprop(len, w, g, v, s);
        break;
    default:
        break;
    }
}
