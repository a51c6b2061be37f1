/* Activation layer: y = f(x) elementwise, for activations outside a dense layer (after BN). */
#include <string.h>

#include "model.h"

/* y[r0:r1, n] = f(x[r0:r1, n]) */
void sdn_activation_forward(sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    if (!count)
        return;
    if (l->act == SDN_ACT_SOFTMAX)
        p->k->softmax(p->r1 - p->r0, n, l->x + off, l->y + off);
    else if (l->act == SDN_ACT_LINEAR)
        memcpy(l->y + off, l->x + off, count * sizeof(float));
    else
        p->k->act[l->act](count, l->x + off, l->y + off, l->alpha);
}

/* dx[r0:r1] = dy ⊙ f'(x). A softmax output layer gets its dx from the fused loss instead. */
void sdn_activation_backward(sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    if (!count || !l->need_dx || l->act == SDN_ACT_SOFTMAX)
        return;
    if (l->act == SDN_ACT_LINEAR)
        memcpy(l->dx + off, l->dy + off, count * sizeof(float));
    else
        p->k->act_grad[l->act](count, l->x + off, l->y + off, l->dy + off, l->dx + off, l->alpha);
}
