/* Dense layer: Y = f(X·W + b) with W stored [in × out] (Keras layout), the bias fused into the
 * GEMM's store and the activation fused after it; backward in two halves (rows, then weights). */
#include <stdio.h>

#include "gemm/gemm.h"
#include "init.h"
#include "layers/layer.h"
#include "testhooks.h"

/* kernel [in × out] then bias [out] */
static void dense_layout(sdn_layer *l, size_t *params, size_t *state)
{
    (void)state;
    l->w_off = *params;
    l->w_rows = l->n_in;
    l->w_cols = l->n_out;
    l->w_size = l->n_in * l->n_out;
    l->b_off = l->w_off + l->w_size;
    l->b_size = l->use_bias ? l->n_out : 0;
    *params = l->b_off + l->b_size;
    l->pieces = l->w_size >= SDN_SPLIT_MIN_WEIGHTS && l->n_in >= 64 * SDN_DENSE_PIECES
                    ? SDN_DENSE_PIECES
                    : 1;
}

static void dense_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    a->z =
        l->act == SDN_ACT_LINEAR ? a->y : sdn_bump_take(b, d->max_batch * l->n_out * sizeof(float));
    if (l->pieces > 1)
        a->zpart =
            sdn_bump_take(b, (size_t)(l->pieces - 1) * d->max_batch * l->n_out * sizeof(float));
}

static void dense_init(const sdn_layer *l, float *params, float *state, uint64_t seed,
                       uint32_t stream)
{
    (void)state;
    sdn_init_fill(params + l->w_off, l->w_size, l->kernel_init, l->n_in, l->n_out, seed, stream);
    if (l->use_bias)
        sdn_init_fill(params + l->b_off, l->b_size, l->bias_init, l->n_out, l->n_out, seed,
                      stream + 1);
}

/* A big kernel's work in pieces: input slice q (kernel rows [in·q/P, in·(q+1)/P)) over batch rows
 * [i0, i1). With at most P threads each takes its part of the slices (sdn_piece_rows), and the
 * kernel rows it updates match it, so a big kernel all but never moves between cores; with more
 * threads than slices, threads share a slice's rows. */
typedef struct dense_piece {
    size_t q, k0, k1, i0, i1;
} dense_piece;

/* This thread's pieces are items [*first, *end); piece_of(it) says what item `it` covers. */
static void pieces_of(const sdn_layer *l, const sdn_pass *p, size_t *first, size_t *end)
{
    const size_t P = (size_t)l->pieces, T = (size_t)p->nthreads, t = (size_t)p->t;
    if (T <= P) {
        sdn_slices_of(p, first, end);
        return;
    }
    const size_t items = P * ((T + P - 1) / P);
    *first = items * t / T;
    *end = items * (t + 1) / T;
}

static dense_piece piece_of(const sdn_layer *l, const sdn_pass *p, size_t it)
{
    const size_t P = (size_t)l->pieces, T = (size_t)p->nthreads;
    if (T <= P) {
        dense_piece c = {it, l->n_in * it / P, l->n_in * (it + 1) / P, 0, 0};
        sdn_piece_rows(p, it, &c.i0, &c.i1);
        return c;
    }
    const size_t R = (T + P - 1) / P, q = it / R, g = it % R;
    return (dense_piece){q, l->n_in * q / P, l->n_in * (q + 1) / P, p->n * g / R,
                         p->n * (g + 1) / R};
}

/* z[0:n] = x·W + b in pieces: slice q's product into z (q = 0) or zpart, then each thread's rows
 * summed in slice order. The slices and the order of their sum are the layer's own: results
 * never depend on threads. Every thread reaches both barriers. */
static void dense_forward_pieces(const sdn_layer *l, const sdn_pass *p)
{
    const size_t in = l->n_in, out = l->n_out, n = p->n;
    const sdn_acts *a = sdn_acts_of(p, l);
    const float *w = p->params + l->w_off;
    if (a->x != p->acts[0].x) { /* the input is a layer's output: every row of it must be done */
        sdn_pass_barrier(p);
    }
    size_t first, end;
    pieces_of(l, p, &first, &end);
    for (size_t it = first; it < end; it++) {
        const dense_piece c = piece_of(l, p, it);
        float *zq = c.q == 0 ? a->z : a->zpart + (c.q - 1) * n * out;
        const float *b = c.q == 0 && l->use_bias ? p->params + l->b_off : NULL;
        if (c.i1 > c.i0)
            sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_NO_TRANS, c.i1 - c.i0, out, c.k1 - c.k0, 1.0f,
                            a->x + c.i0 * in + c.k0, in, w + c.k0 * out, out, 0.0f, zq + c.i0 * out,
                            out, b);
    }
    sdn_pass_barrier(p);
    float *z = a->z;
    for (size_t q = 1; q < (size_t)l->pieces; q++) {
        const float *zq = a->zpart + (q - 1) * n * out;
        for (size_t i = p->r0 * out; i < p->r1 * out; i++)
            z[i] += zq[i];
    }
}

/* y[r0:r1, out] = f(x[r0:r1, in]·W[in × out] + b); z keeps the pre-activation for the backward. */
static void dense_forward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t rows = p->r1 - p->r0, in = l->n_in, out = l->n_out;
    const sdn_acts *a = sdn_acts_of(p, l);
    float *z = a->z + p->r0 * out;
    if (l->pieces > 1) {
        dense_forward_pieces(l, p);
    } else if (rows) {
        const float *params = p->params;
        const float *b = l->use_bias ? params + l->b_off : NULL;
        sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_NO_TRANS, rows, out, in, 1.0f, a->x + p->r0 * in,
                        in, params + l->w_off, out, 0.0f, z, out, b);
    }
    /* softmax is the loss's business (fused with cross-entropy); linear keeps y == z */
    if (rows && l->act != SDN_ACT_LINEAR && l->act != SDN_ACT_SOFTMAX)
        p->k->act[l->act](rows * out, z, a->y + p->r0 * out, l->alpha);
}

/* dZ[r0:r1] = dy ⊙ f'(z) in place; dx[r0:r1, in] = dZ·Wᵀ. The softmax output's dy already is dZ. */
static void dense_backward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t rows = p->r1 - p->r0, in = l->n_in, out = l->n_out;
    const sdn_acts *a = sdn_acts_of(p, l);
    const float *w = p->params + l->w_off;
    float *dz = a->dy + p->r0 * out;
    if (rows && l->act != SDN_ACT_LINEAR && l->act != SDN_ACT_SOFTMAX)
        p->k->act_grad[l->act](rows * out, a->z + p->r0 * out, a->y + p->r0 * out, dz, dz,
                               l->alpha);
    if (!l->need_dx)
        return;
    if (l->pieces == 1) {
        if (rows)
            sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_TRANS, rows, in, out, 1.0f, dz, out, w, out,
                            0.0f, a->dx + p->r0 * in, in, NULL);
        return;
    }
    /* A big kernel: dX's columns of input slice q (dZ · W[slice rows]ᵀ) over the pieces' rows,
     * once every row's dZ is done; a column split leaves each element's sum as it was. */
    sdn_pass_barrier(p);
    size_t first, end;
    pieces_of(l, p, &first, &end);
    for (size_t it = first; it < end; it++) {
        const dense_piece c = piece_of(l, p, it);
        if (c.i1 > c.i0)
            sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_TRANS, c.i1 - c.i0, c.k1 - c.k0, out, 1.0f,
                            a->dy + c.i0 * out, out, w + c.k0 * out, out, 0.0f,
                            a->dx + c.i0 * in + c.k0, in, NULL);
    }
    sdn_pass_barrier(p); /* every column of this thread's rows of dX is done */
}

/* dW[i0:i1, :] = x[:, i0:i1]ᵀ·dZ over the whole batch (its k order fixed by n alone, so the split
 * of rows i0:i1 between threads never changes a bit); db = the column sums of dZ. */
static void dense_weight_grads(const sdn_layer *l, const sdn_pass *p, size_t i0, size_t i1,
                               int with_bias)
{
    const size_t in = l->n_in, out = l->n_out, n = p->n;
    const sdn_acts *a = sdn_acts_of(p, l);
    float *grads = p->grads;
    if (i1 > i0)
        sdn_gemm_serial(p->k, SDN_TRANS, SDN_NO_TRANS, i1 - i0, out, n, 1.0f, a->x + i0, in, a->dy,
                        out, 0.0f, grads + l->w_off + i0 * out, out, NULL);
    if (with_bias && l->use_bias) /* rows added in order: what 1ᵀ·dZ through a GEMM gave */
        sdn_column_sums(p->k, n, out, a->dy, grads + l->b_off);
    if (SDN_HOOK(sdn_debug_break_backward, 0) == 1 &&
        !l->need_dx) /* test hook: a wrong first-layer dW */
        for (size_t i = i0 * out; i < i1 * out; i++)
            grads[l->w_off + i] *= 1.1f;
}

/* the output layer's logits are z; the fused loss writes dZ where the backward expects it */
static const float *dense_logits(const sdn_layer *l, const sdn_acts *a)
{
    (void)l;
    return a->z;
}
static float *dense_dlogits(const sdn_layer *l, const sdn_acts *a)
{
    (void)l;
    return a->dy;
}

static void dense_tensors(const sdn_layer *l, sdn_tensor_list *t)
{
    sdn_tensor_list_add(t, SDN_TENSOR_PARAM, l->w_off, l->n_in, l->n_out, l->name, "kernel");
    if (l->use_bias)
        sdn_tensor_list_add(t, SDN_TENSOR_PARAM, l->b_off, l->n_out, 0, l->name, "bias");
}

const sdn_layer_ops sdn_dense_ops = {
    .name = "dense",
    .title = "Dense",
    .weight_matrix = 1,
    .split_rows = 1,
    .flat_out = 1,
    .layout = dense_layout,
    .buffers = dense_buffers,
    .init = dense_init,
    .forward = dense_forward,
    .backward = dense_backward,
    .weight_grads = dense_weight_grads,
    .logits = dense_logits,
    .dlogits = dense_dlogits,
    .describe = sdn_activation_describe,
    .tensors = dense_tensors,
};
