/* Dense layer: Y = f(X·W + b) with W stored [in × out] (Keras layout), the bias fused into the
 * GEMM's store and the activation fused after it; backward in two halves (rows, then weights). */
#include "gemm.h"
#include "model.h"

/* y[r0:r1, out] = f(x[r0:r1, in]·W[in × out] + b); z keeps the pre-activation for the backward. */
void sdn_dense_forward(sdn_layer *l, const float *params, const sdn_pass *p)
{
    const size_t rows = p->r1 - p->r0, in = l->n_in, out = l->n_out;
    if (!rows)
        return;
    const float *x = l->x + p->r0 * in;
    float *z = l->z + p->r0 * out;
    const float *w = params + l->w_off;
    const float *b = l->use_bias ? params + l->b_off : NULL;
    sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_NO_TRANS, rows, out, in, 1.0f, x, in, w, out, 0.0f, z,
                    out, b);
    /* softmax is the loss's business (fused with cross-entropy); linear keeps y == z */
    if (l->act != SDN_ACT_LINEAR && l->act != SDN_ACT_SOFTMAX)
        p->k->act[l->act](rows * out, z, l->y + p->r0 * out, l->alpha);
}

/* dZ[r0:r1] = dy ⊙ f'(z) in place; dx[r0:r1, in] = dZ·Wᵀ. The softmax output's dy already is dZ. */
void sdn_dense_backward(sdn_layer *l, const float *params, const sdn_pass *p)
{
    const size_t rows = p->r1 - p->r0, in = l->n_in, out = l->n_out;
    if (!rows)
        return;
    float *dz = l->dy + p->r0 * out;
    if (l->act != SDN_ACT_LINEAR && l->act != SDN_ACT_SOFTMAX)
        p->k->act_grad[l->act](rows * out, l->z + p->r0 * out, l->y + p->r0 * out, dz, dz,
                               l->alpha);
    if (l->need_dx)
        sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_TRANS, rows, in, out, 1.0f, dz, out,
                        params + l->w_off, out, 0.0f, l->dx + p->r0 * in, in, NULL);
}

/* dW[i0:i1, :] = x[:, i0:i1]ᵀ·dZ over the whole batch (its k order fixed by n alone, so the split
 * of rows i0:i1 between threads never changes a bit); db = 1ᵀ·dZ the same way. */
void sdn_dense_backward_weights(sdn_layer *l, float *grads, const sdn_pass *p, size_t i0,
                                size_t i1, int with_bias)
{
    const size_t in = l->n_in, out = l->n_out, n = p->n;
    if (i1 > i0)
        sdn_gemm_serial(p->k, SDN_TRANS, SDN_NO_TRANS, i1 - i0, out, n, 1.0f, l->x + i0, in, l->dy,
                        out, 0.0f, grads + l->w_off + i0 * out, out, NULL);
    if (with_bias && l->use_bias)
        sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_NO_TRANS, 1, out, n, 1.0f, p->m->ones, n, l->dy,
                        out, 0.0f, grads + l->b_off, out, NULL);
    if (sdn_debug_break_backward == 1 && !l->need_dx) /* test hook: a wrong first-layer dW */
        for (size_t i = i0 * out; i < i1 * out; i++)
            grads[l->w_off + i] *= 1.1f;
}
