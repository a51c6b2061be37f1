/* Conv2D over NHWC rows: Y = f(patches·W + b), the patches of a tile of output pixels copied
 * (im2col) into an L2-sized buffer and multiplied by the kernel W [kh·kw·in_c × filters] (HWIO,
 * Keras' layout) through the same GEMM as Dense; the input gradient by the same GEMM into
 * patches added back (col2im), the weight gradient tile by tile over the whole batch. A stride-1
 * 3×3 layer with enough channels runs its forward, input and weight gradients by Winograd
 * F(2×2, 3×3) instead (winograd.c), on the same GEMM. */
#include <stdio.h>

#include "gemm/gemm.h"
#include "init.h"
#include "layers/im2col.h"
#include "layers/layer.h"
#include "layers/window.h"
#include "layers/winograd.h"
#include "testhooks.h"

/* Below this many input channels or filters Winograd's short products (K = C) leave the GEMM's
 * rate and its transforms stop paying: the first layer (C = 3) stays on im2col. */
#define SDN_WINO_MIN_CHANNELS 16

static size_t patch_size(const sdn_layer *l)
{
    return l->kh * l->kw * l->in_c;
}

/* A 1×1 kernel with stride 1 and no padding: the input rows are the patches already. */
static int patches_are_input(const sdn_layer *l)
{
    return l->kh == 1 && l->kw == 1 && l->stride_h == 1 && l->stride_w == 1;
}

/* Winograd for stride-1 3×3 layers with enough channels ('same' or 'valid'); the test hook
 * forces it on or off. Decided at compile, so the buffers match. */
static int use_winograd(const sdn_layer *l)
{
    if (l->kh != 3 || l->kw != 3 || l->stride_h != 1 || l->stride_w != 1)
        return 0;
    const int forced = SDN_HOOK(sdn_debug_winograd, 0);
    if (forced)
        return forced > 0;
    return l->in_c >= SDN_WINO_MIN_CHANNELS && l->filters >= SDN_WINO_MIN_CHANNELS;
}

static int conv2d_check(const sdn_layer *l, char *err, size_t size)
{
    return sdn_window_check(l, err, size);
}

/* kernel [kh·kw·in_c × filters] then bias [filters] */
static void conv2d_layout(sdn_layer *l, size_t *params, size_t *state)
{
    (void)state;
    sdn_window_layout(l, l->filters);
    l->w_off = *params;
    l->w_rows = patch_size(l);
    l->w_cols = l->filters;
    l->w_size = l->w_rows * l->w_cols;
    l->b_off = l->w_off + l->w_size;
    l->b_size = l->use_bias ? l->filters : 0;
    *params = l->b_off + l->b_size;
    l->row_macs = l->w_size * sdn_out_pixels(l);
    l->pieces = 1;
    l->winograd = use_winograd(l);
}

static void conv2d_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    const size_t fl = sizeof(float);
    a->z = l->act == SDN_ACT_LINEAR ? a->y : sdn_bump_take(b, d->max_batch * l->n_out * fl);
    if (!patches_are_input(l) && !l->winograd)
        a->cols = sdn_bump_take(b, d->threads * sdn_conv_tile(l) * patch_size(l) * fl);
    if (l->winograd)
        a->wino = sdn_bump_take(b, d->threads * sdn_wino_buffer_floats(l->in_c, l->filters) * fl);
}

static float *wino_buffer(const sdn_layer *l, const sdn_pass *p)
{
    return sdn_acts_of(p, l)->wino + (size_t)p->t * sdn_wino_buffer_floats(l->in_c, l->filters);
}

/* The layer's correlation, or (dx) its input gradient's: the 3×3 kernel turned by 180° with in
 * and out swapped, padded by 2 − pad where the forward pads by pad. */
static sdn_wino_shape wino_shape(const sdn_layer *l, int dx)
{
    if (!dx)
        return (sdn_wino_shape){l->in_h,  l->in_w,  l->in_c,    l->out_h,
                                l->out_w, l->out_c, l->pad_top, l->pad_left};
    return (sdn_wino_shape){l->out_h, l->out_w, l->out_c,       l->in_h,
                            l->in_w,  l->in_c,  2 - l->pad_top, 2 - l->pad_left};
}

/* Rows r0:r1 by Winograd: z = x ⋆ W + b forward, dx = dZ ⋆ rot180(W)ᵀ backward. The kernel's
 * transform is the thread's own, made anew each pass (the weights change every step). */
static void wino_rows(const sdn_layer *l, const sdn_pass *p, int dx)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    float *buf = wino_buffer(l, p);
    sdn_wino_filter(p->k, p->params + l->w_off, l->in_c, l->filters, buf);
    const sdn_wino_shape s = wino_shape(l, dx);
    const size_t rows = p->r1 - p->r0;
    if (!dx) {
        const float *b = l->use_bias ? p->params + l->b_off : NULL;
        sdn_wino_conv(p->k, &s, rows, a->x + p->r0 * l->n_in, buf, 0, b, a->z + p->r0 * l->n_out,
                      buf);
    } else {
        sdn_wino_conv(p->k, &s, rows, a->dy + p->r0 * l->n_out, buf, 1, NULL,
                      a->dx + p->r0 * l->n_in, buf);
    }
}

/* Keras: fans of kh·kw·in_c and kh·kw·filters */
static void conv2d_init(const sdn_layer *l, float *params, float *state, uint64_t seed,
                        uint32_t stream)
{
    (void)state;
    const size_t area = l->kh * l->kw;
    sdn_init_fill(params + l->w_off, l->w_size, l->kernel_init, area * l->in_c, area * l->filters,
                  seed, stream);
    if (l->use_bias)
        sdn_init_fill(params + l->b_off, l->b_size, l->bias_init, l->filters, l->filters, seed,
                      stream + 1);
}

/* The patches of output pixels [q0, q0 + m): a pointer into the input, or the thread's tile. */
static const float *patches(const sdn_layer *l, const sdn_pass *p, size_t q0, size_t m)
{
    const sdn_acts *a = sdn_acts_of(p, l);
    if (patches_are_input(l))
        return a->x + q0 * l->in_c;
    float *cols = a->cols + (size_t)p->t * sdn_conv_tile(l) * patch_size(l);
    sdn_im2col(l, a->x, q0, m, cols);
    return cols;
}

/* z[pixels of rows r0:r1, filters] = patches·W + b, a tile at a time; y = f(z) */
static void conv2d_forward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t op = sdn_out_pixels(l), F = l->filters, K = patch_size(l);
    const size_t q_end = p->r1 * op, tile = sdn_conv_tile(l);
    const sdn_acts *a = sdn_acts_of(p, l);
    const float *w = p->params + l->w_off, *b = l->use_bias ? p->params + l->b_off : NULL;
    if (l->winograd && p->r1 > p->r0)
        wino_rows(l, p, 0);
    for (size_t q0 = p->r0 * op; !l->winograd && q0 < q_end; q0 += tile) {
        const size_t m = q_end - q0 < tile ? q_end - q0 : tile;
        sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_NO_TRANS, m, F, K, 1.0f, patches(l, p, q0, m), K, w,
                        F, 0.0f, a->z + q0 * F, F, b);
    }
    const size_t count = (p->r1 - p->r0) * l->n_out, off = p->r0 * l->n_out;
    if (count && l->act != SDN_ACT_LINEAR)
        p->k->act[l->act](count, a->z + off, a->y + off, l->alpha);
}

/* dZ = dy ⊙ f'(z) in place; dx[rows r0:r1] = col2im(dZ·Wᵀ), a tile at a time */
static void conv2d_backward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t op = sdn_out_pixels(l), F = l->filters, K = patch_size(l);
    const size_t q_end = p->r1 * op, tile = sdn_conv_tile(l);
    const sdn_acts *a = sdn_acts_of(p, l);
    const size_t count = (p->r1 - p->r0) * l->n_out, off = p->r0 * l->n_out;
    float *dz = a->dy;
    if (count && l->act != SDN_ACT_LINEAR)
        p->k->act_grad[l->act](count, a->z + off, a->y + off, dz + off, dz + off, l->alpha);
    if (!l->need_dx || !count)
        return;
    const float *w = p->params + l->w_off;
    if (l->winograd) {
        wino_rows(l, p, 1);
        return;
    }
    if (patches_are_input(l)) { /* dx rows are the patches' gradient */
        sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_TRANS, q_end - p->r0 * op, K, F, 1.0f,
                        dz + p->r0 * op * F, F, w, F, 0.0f, a->dx + p->r0 * l->n_in, K, NULL);
        return;
    }
    memset(a->dx + p->r0 * l->n_in, 0, (p->r1 - p->r0) * l->n_in * sizeof(float));
    float *cols = a->cols + (size_t)p->t * tile * K;
    for (size_t q0 = p->r0 * op; q0 < q_end; q0 += tile) {
        const size_t m = q_end - q0 < tile ? q_end - q0 : tile;
        sdn_gemm_serial(p->k, SDN_NO_TRANS, SDN_TRANS, m, K, F, 1.0f, dz + q0 * F, F, w, F, 0.0f,
                        cols, K, NULL);
        sdn_col2im(l, cols, q0, m, a->dx);
    }
}

/* dW[i0:i1, :] = Σ over the batch's tiles, in order, of patches[:, i0:i1]ᵀ·dZ (the tiles fixed by
 * the shape: the row split between threads never changes a bit), or Winograd's; db = the column
 * sums of dZ. */
static void conv2d_weight_grads(const sdn_layer *l, const sdn_pass *p, size_t i0, size_t i1,
                                int with_bias)
{
    const size_t op = sdn_out_pixels(l), F = l->filters, K = patch_size(l);
    const size_t q_end = p->n * op, tile = sdn_conv_tile(l);
    const sdn_acts *a = sdn_acts_of(p, l);
    float *dw = p->grads + l->w_off + i0 * F;
    if (l->winograd && i1 > i0) {
        const sdn_wino_shape s = wino_shape(l, 0);
        sdn_wino_weight_grads(p->k, &s, p->n, a->x, a->dy, i0, i1, dw, wino_buffer(l, p));
    }
    for (size_t q0 = 0; !l->winograd && i1 > i0 && q0 < q_end; q0 += tile) {
        const size_t m = q_end - q0 < tile ? q_end - q0 : tile;
        sdn_gemm_serial(p->k, SDN_TRANS, SDN_NO_TRANS, i1 - i0, F, m, 1.0f,
                        patches(l, p, q0, m) + i0, K, a->dy + q0 * F, F, q0 ? 1.0f : 0.0f, dw, F,
                        NULL);
    }
    if (with_bias && l->use_bias)
        sdn_column_sums(p->k, q_end, F, a->dy, p->grads + l->b_off);
}

static const float *conv2d_logits(const sdn_layer *l, const sdn_acts *a)
{
    (void)l;
    return a->z;
}
static float *conv2d_dlogits(const sdn_layer *l, const sdn_acts *a)
{
    (void)l;
    return a->dy;
}

static void conv2d_describe(const sdn_layer *l, char *buf, size_t size)
{
    snprintf(buf, size, "%zux%zu /%zu %s %s", l->kh, l->kw, l->stride_h,
             l->pad_same ? "same" : "valid", sdn_activation_name(l->act));
}

static void conv2d_tensors(const sdn_layer *l, sdn_tensor_list *t)
{
    sdn_tensor_list_add(t, SDN_TENSOR_PARAM, l->w_off, l->w_rows, l->w_cols, l->name, "kernel");
    if (l->use_bias)
        sdn_tensor_list_add(t, SDN_TENSOR_PARAM, l->b_off, l->filters, 0, l->name, "bias");
}

const sdn_layer_ops sdn_conv2d_ops = {
    .name = "conv2d",
    .title = "Conv2D",
    .weight_matrix = 1,
    .split_rows = 1,
    .check = conv2d_check,
    .layout = conv2d_layout,
    .buffers = conv2d_buffers,
    .init = conv2d_init,
    .forward = conv2d_forward,
    .backward = conv2d_backward,
    .weight_grads = conv2d_weight_grads,
    .logits = conv2d_logits,
    .dlogits = conv2d_dlogits,
    .describe = conv2d_describe,
    .tensors = conv2d_tensors,
};
