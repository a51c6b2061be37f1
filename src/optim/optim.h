/* The optimizers over flat buffers (Keras' defaults and update rules), one kernel call per
 * contiguous range of parameters. */
#ifndef SDN_OPTIM_H
#define SDN_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "simdnn.h"

/* The per-step scalars for step t (1-based); mu_product is Π μ_1..μ_{t−1} on entry (Nadam). */
sdn_optim_scalars sdn_optim_scalars_for(const sdn_optimizer_options *o, uint64_t t,
                                        double mu_product_prev, double *mu_product);
double sdn_nadam_mu(float beta1, uint64_t t);
/* One optimizer update over params[off, off+len) with the model's slots. */
void sdn_optim_apply(const sdn_kernels *k, const sdn_optimizer_options *o,
                     const sdn_optim_scalars *s, float *w, const float *g, float *m, float *v,
                     size_t len);

#endif
