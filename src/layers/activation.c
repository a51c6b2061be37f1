/* Activation layer: y = f(x) elementwise, for activations outside a dense layer (after BN). */
#include <stdio.h>
#include <string.h>

#include "layers/layer.h"

/* y[r0:r1, n] = f(x[r0:r1, n]). A softmax (only ever the output layer) is the pass's business:
 * fused with the loss in training, applied to the logits when predicting; a ReLU after a batch
 * norm is the batch norm's (relu_fused: y is its y, already rectified). */
static void activation_forward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    const sdn_acts *a = sdn_acts_of(p, l);
    if (!count || l->act == SDN_ACT_SOFTMAX || l->relu_fused)
        return;
    if (l->act == SDN_ACT_LINEAR)
        memcpy(a->y + off, a->x + off, count * sizeof(float));
    else
        p->k->act[l->act](count, a->x + off, a->y + off, l->alpha);
}

/* dx[r0:r1] = dy ⊙ f'(x). A softmax output layer gets its dx from the fused loss instead; a fused
 * ReLU's dy is the batch norm's, which masks it. */
static void activation_backward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    const sdn_acts *a = sdn_acts_of(p, l);
    if (!count || !l->need_dx || l->act == SDN_ACT_SOFTMAX || l->relu_fused)
        return;
    if (l->act == SDN_ACT_LINEAR)
        memcpy(a->dx + off, a->dy + off, count * sizeof(float));
    else
        p->k->act_grad[l->act](count, a->x + off, a->y + off, a->dy + off, a->dx + off, l->alpha);
}

/* a softmax output layer's logits are its input; with no earlier parameters dy is the scratch */
static const float *activation_logits(const sdn_layer *l, const sdn_acts *a)
{
    (void)l;
    return a->x;
}
static float *activation_dlogits(const sdn_layer *l, const sdn_acts *a)
{
    return l->need_dx ? a->dx : a->dy;
}

void sdn_activation_describe(const sdn_layer *l, char *buf, size_t size)
{
    snprintf(buf, size, "%s", sdn_activation_name(l->act));
}

const sdn_layer_ops sdn_activation_ops = {
    .name = "activation",
    .title = "Activation",
    .forward = activation_forward,
    .backward = activation_backward,
    .logits = activation_logits,
    .dlogits = activation_dlogits,
    .describe = sdn_activation_describe,
};
