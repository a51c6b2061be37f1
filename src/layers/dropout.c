/* Dropout (inverted: kept units scaled by 1/(1−rate)) and the mask both dropouts draw: keep[r][j]
 * comes from Philox at (seed, stream + layer, step, global row·n + j), whatever thread runs it. */
#include <math.h>
#include <string.h>

#include "model.h"
#include "rng.h"

/* keep[r0:r1, n] = u32 ≥ rate·2³² (P(keep) = 1 − rate) */
static void draw_mask(sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out;
    const uint64_t thr = (uint64_t)((double)l->rate * 4294967296.0);
    const uint32_t stream = p->stream_base + (uint32_t)l->index;
    uint32_t u[256];
    for (size_t r = p->r0; r < p->r1; r++) {
        uint8_t *keep = l->keep + r * n;
        for (size_t j = 0; j < n; j += 256) {
            size_t len = n - j < 256 ? n - j : 256;
            sdn_rng_u32(p->m->seed, stream, p->rng_step, (p->row_base + r) * n + j, len, u);
            for (size_t i = 0; i < len; i++)
                keep[j + i] = (uint64_t)u[i] >= thr;
        }
    }
}

/* y[r0:r1] = keep ? a·x + b : c when active; y = x otherwise (inference, both dropouts) */
void sdn_dropout_forward(sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    if (!count)
        return;
    if (!p->dropout_active || l->rate == 0.0f) {
        memcpy(l->y + off, l->x + off, count * sizeof(float));
        return;
    }
    draw_mask(l, p);
    p->k->dropout(count, l->x + off, l->keep + off, l->drop_a, l->drop_b, l->drop_c, l->y + off);
}

/* dx[r0:r1] = keep ? a·dy : 0 (the constants b, c do not depend on x) */
void sdn_dropout_backward(sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, off = p->r0 * n, count = (p->r1 - p->r0) * n;
    if (!count || !l->need_dx)
        return;
    if (!p->dropout_active || l->rate == 0.0f) {
        memcpy(l->dx + off, l->dy + off, count * sizeof(float));
        return;
    }
    p->k->dropout_grad(count, l->dy + off, l->keep + off, l->drop_a, l->dx + off);
}
