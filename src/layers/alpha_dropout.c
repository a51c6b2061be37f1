/* AlphaDropout (Klambauer et al. 2017, "Self-Normalizing Neural Networks"): dropped units take
 * SELU's negative saturation −λα, then y = a·x̃ + b restores mean 0 and variance 1. It shares the
 * mask and the kernels with dropout.c; only the constants differ. */
#include <math.h>

#include "layers/layer.h"

/* With q = 1 − rate the keep probability and α' = −λα:
 *   a = (q + α'²·q·(1 − q))^(−1/2),  b = −a·α'·(1 − q);  dropped: c = a·α' + b.
 * Identical to Keras' and PyTorch's AlphaDropout. */
void sdn_alpha_dropout_constants(float rate, float *a, float *b, float *c)
{
    const double alpha_p = -SDN_SELU_ALPHA * SDN_SELU_LAMBDA;
    const double q = 1.0 - rate;
    const double aa = 1.0 / sqrt(q + alpha_p * alpha_p * q * (1.0 - q));
    const double bb = -aa * alpha_p * (1.0 - q);
    *a = (float)aa;
    *b = (float)bb;
    *c = (float)(aa * alpha_p + bb);
}

const sdn_layer_ops sdn_alpha_dropout_ops = {
    .name = "alpha_dropout",
    .title = "AlphaDropout",
    .random = 1,
    .buffers = sdn_dropout_buffers,
    .forward = sdn_dropout_forward,
    .backward = sdn_dropout_backward,
    .describe = sdn_dropout_describe,
};
