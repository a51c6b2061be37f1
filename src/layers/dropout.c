/* Dropout (inverted: kept units scaled by 1/(1−rate)) and the mask both dropouts draw: keep[r][j]
 * comes from Philox at (seed, stream + layer, step, global row·n + j), whatever thread runs it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layers/layer.h"
#include "rng.h"

/* keep[r0:r1, n] = u32 ≥ rate·2³² (P(keep) = 1 − rate) */
static void draw_mask(const sdn_layer *l, uint8_t *keep_all, const sdn_pass *p)
{
    const size_t n = l->n_out;
    const uint64_t thr = (uint64_t)((double)l->rate * 4294967296.0);
    const uint32_t stream = p->stream_base + (uint32_t)l->index;
    uint32_t u[256];
    for (size_t r = p->r0; r < p->r1; r++) {
        uint8_t *keep = keep_all + r * n;
        for (size_t j = 0; j < n; j += 256) {
            size_t len = n - j < 256 ? n - j : 256;
            sdn_rng_u32(p->seed, stream, p->rng_step, (p->row_base + r) * n + j, len, u);
            for (size_t i = 0; i < len; i++)
                keep[j + i] = (uint64_t)u[i] >= thr;
        }
    }
}

/* y[r0:r1] = keep ? a·x + b : c when active; y = x otherwise (inference, both dropouts) */
void sdn_dropout_forward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    const sdn_acts *a = sdn_acts_of(p, l);
    if (!count)
        return;
    if (!p->dropout_active || l->rate == 0.0f) {
        memcpy(a->y + off, a->x + off, count * sizeof(float));
        return;
    }
    draw_mask(l, a->keep, p);
    p->k->dropout(count, a->x + off, a->keep + off, l->drop_a, l->drop_b, l->drop_c, a->y + off);
}

/* dx[r0:r1] = keep ? a·dy : 0 (the constants b, c do not depend on x) */
void sdn_dropout_backward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    const sdn_acts *a = sdn_acts_of(p, l);
    if (!count || !l->need_dx)
        return;
    if (!p->dropout_active || l->rate == 0.0f) {
        memcpy(a->dx + off, a->dy + off, count * sizeof(float));
        return;
    }
    p->k->dropout_grad(count, a->dy + off, a->keep + off, l->drop_a, a->dx + off);
}

void sdn_dropout_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    a->keep = sdn_bump_take(b, d->max_batch * l->n_out);
}

void sdn_dropout_describe(const sdn_layer *l, char *buf, size_t size)
{
    snprintf(buf, size, "rate %g", (double)l->rate);
}

const sdn_layer_ops sdn_dropout_ops = {
    .name = "dropout",
    .title = "Dropout",
    .random = 1,
    .buffers = sdn_dropout_buffers,
    .forward = sdn_dropout_forward,
    .backward = sdn_dropout_backward,
    .describe = sdn_dropout_describe,
};
