/* Batch normalization with Keras semantics: batch mean and biased variance in training, moving
 * statistics in inference (moving = momentum·moving + (1 − momentum)·batch, biased variance as
 * Keras' non-fused path for 2-D inputs; PyTorch's running_var uses the unbiased one instead).
 * Batch sums are formed per fixed chunk of rows and reduced in chunk order inside the parallel
 * region (a barrier each), so they never depend on the thread count. */
#include <math.h>
#include <string.h>

#include "model.h"

#ifdef _OPENMP
#define BARRIER _Pragma("omp barrier")
#else
#define BARRIER
#endif

static size_t chunk_end(size_t c, size_t n)
{
    size_t e = (c + 1) * SDN_CHUNK_ROWS;
    return e < n ? e : n;
}

/* dst[j] = Σ_c part[c][j] · scale over every chunk of the batch, in chunk order */
static void reduce_chunks(float *dst, const float *part, size_t n_chunks, size_t n, float scale)
{
    for (size_t j = 0; j < n; j++) {
        float s = 0.0f;
        for (size_t c = 0; c < n_chunks; c++)
            s += part[c * n + j];
        dst[j] = s * scale;
    }
}

/* y[r0:r1, n] = gamma·(x − mean)·inv_std + beta, batch statistics or moving ones. Training
 * calls reach two barriers: every thread of the team must call it. */
void sdn_batch_norm_forward(sdn_layer *l, const float *params, const float *state,
                            const sdn_pass *p)
{
    const size_t n = l->n_out, rows = p->r1 - p->r0, N = p->n;
    const size_t n_chunks = (N + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    const float *gamma = params + l->w_off, *beta = params + l->b_off;
    const float *x = l->x;
    if (!p->bn_training) {
        if (rows)
            p->k->bn_forward(rows, n, x + p->r0 * n, state + l->s_off, l->inf_inv_std, gamma, beta,
                             NULL, l->y + p->r0 * n);
        return;
    }
    sdn_bn_stats *st = &l->stats[p->t];
    for (size_t c = p->c0; c < p->c1; c++) {
        memset(l->part_a + c * n, 0, n * sizeof(float));
        p->k->colsum(chunk_end(c, N) - c * SDN_CHUNK_ROWS, n, x + c * SDN_CHUNK_ROWS * n,
                     l->part_a + c * n);
    }
    BARRIER
    reduce_chunks(st->mean, l->part_a, n_chunks, n, 1.0f / (float)N);
    for (size_t c = p->c0; c < p->c1; c++) {
        memset(l->part_b + c * n, 0, n * sizeof(float));
        p->k->colsumsq_dev(chunk_end(c, N) - c * SDN_CHUNK_ROWS, n, x + c * SDN_CHUNK_ROWS * n,
                           st->mean, l->part_b + c * n);
    }
    BARRIER
    reduce_chunks(st->var, l->part_b, n_chunks, n, 1.0f / (float)N);
    for (size_t j = 0; j < n; j++)
        st->inv_std[j] = 1.0f / sqrtf(st->var[j] + l->epsilon);
    if (rows)
        p->k->bn_forward(rows, n, x + p->r0 * n, st->mean, st->inv_std, gamma, beta,
                         l->xhat + p->r0 * n, l->y + p->r0 * n);
}

/* dx[r0:r1] = gamma·inv_std·(dy − mean(dy) − xhat·mean(dy·xhat)); one barrier. The chunk
 * partials Σdy (part_c) and Σdy·xhat (part_d) stay for dbeta and dgamma. */
void sdn_batch_norm_backward(sdn_layer *l, const float *params, const sdn_pass *p)
{
    const size_t n = l->n_out, rows = p->r1 - p->r0, N = p->n;
    const size_t n_chunks = (N + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    sdn_bn_stats *st = &l->stats[p->t];
    for (size_t c = p->c0; c < p->c1; c++) {
        const size_t r = c * SDN_CHUNK_ROWS;
        memset(l->part_c + c * n, 0, n * sizeof(float));
        memset(l->part_d + c * n, 0, n * sizeof(float));
        p->k->bn_backward_reduce(chunk_end(c, N) - r, n, l->dy + r * n, l->xhat + r * n,
                                 l->part_c + c * n, l->part_d + c * n);
    }
    BARRIER
    if (!l->need_dx || !rows)
        return;
    reduce_chunks(st->mean_dy, l->part_c, n_chunks, n, 1.0f / (float)N);
    reduce_chunks(st->mean_dy_xhat, l->part_d, n_chunks, n, 1.0f / (float)N);
    p->k->bn_backward_dx(rows, n, l->dy + p->r0 * n, l->xhat + p->r0 * n, params + l->w_off,
                         st->inv_std, st->mean_dy, st->mean_dy_xhat, l->dx + p->r0 * n);
}

/* dgamma = Σ dy·xhat, dbeta = Σ dy (after the barrier that ends the backward) */
void sdn_batch_norm_backward_params(sdn_layer *l, float *grads, const sdn_pass *p)
{
    const size_t n = l->n_out, n_chunks = (p->n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    reduce_chunks(grads + l->w_off, l->part_d, n_chunks, n, 1.0f);
    reduce_chunks(grads + l->b_off, l->part_c, n_chunks, n, 1.0f);
}

/* Keras: moving = momentum·moving + (1 − momentum)·batch, with thread 0's statistics */
void sdn_batch_norm_update_moving(sdn_layer *l, float *state, size_t n_rows)
{
    const size_t n = l->n_out;
    const float mo = l->momentum;
    float *mm = state + l->s_off, *mv = mm + n;
    const sdn_bn_stats *st = &l->stats[0];
    for (size_t j = 0; j < n; j++) {
        mm[j] = mo * mm[j] + (1.0f - mo) * st->mean[j];
        mv[j] = mo * mv[j] + (1.0f - mo) * st->var[j];
    }
}
