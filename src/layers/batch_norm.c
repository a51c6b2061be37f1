/* Batch normalization with Keras semantics: batch mean and biased variance in training, moving
 * statistics in inference (moving = momentum·moving + (1 − momentum)·batch, biased variance as
 * Keras' non-fused path for 2-D inputs; PyTorch's running_var uses the unbiased one instead).
 * Batch sums are formed per fixed chunk of rows and reduced in chunk order inside the parallel
 * region (a barrier in the forward, one in the backward), so they never depend on the thread
 * count. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

static size_t chunk_end(size_t c, size_t n)
{
    size_t e = (c + 1) * SDN_CHUNK_ROWS;
    return e < n ? e : n;
}

/* dst[j] = Σ_c part[c][j] · scale over every chunk of the batch, in chunk order: the chunk rows
 * summed by the colsum kernel (rows in order), across j in vectors, not a chain of adds per j */
static void reduce_chunks(const sdn_kernels *k, float *dst, const float *part, size_t n_chunks,
                          size_t n, float scale)
{
    sdn_column_sums(k, n_chunks, n, part, dst);
    if (scale != 1.0f)
        for (size_t j = 0; j < n; j++)
            dst[j] *= scale;
}

/* var[j] = Σ_c (m2[c][j] + n_c·(sum[c][j]/n_c − mean[j])²) / N, chunks in order: each chunk's
 * squared deviations about its own mean, moved to the batch mean (Chan, Golub and LeVeque's
 * pairwise update). Vectorizes across j like reduce_chunks. */
static void merge_variance(float *var, const float *sum, const float *m2, const float *mean,
                           size_t N, size_t n)
{
    const size_t n_chunks = (N + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    memset(var, 0, n * sizeof(float));
    for (size_t c = 0; c < n_chunks; c++) {
        const float rows = (float)(chunk_end(c, N) - c * SDN_CHUNK_ROWS);
        for (size_t j = 0; j < n; j++) {
            const float d = sum[c * n + j] / rows - mean[j];
            var[j] += m2[c * n + j] + rows * d * d;
        }
    }
    for (size_t j = 0; j < n; j++)
        var[j] *= 1.0f / (float)N;
}

/* y[r0:r1, n] = gamma·(x − mean)·inv_std + beta, batch statistics or moving ones. Training
 * calls reach a barrier: every thread of the team must call it. Each chunk's sum and squared
 * deviations come from its own rows alone, so one barrier serves both statistics. */
static void batch_norm_forward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, rows = p->r1 - p->r0, N = p->n;
    const size_t n_chunks = (N + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    const sdn_acts *a = sdn_acts_of(p, l);
    const float *gamma = p->m->params + l->w_off, *beta = gamma + n;
    const float *x = a->x;
    if (!p->bn_training) {
        if (rows)
            p->k->bn_forward(rows, n, x + p->r0 * n, p->m->state + l->s_off, a->inf_inv_std, gamma,
                             beta, NULL, a->y + p->r0 * n);
        return;
    }
    sdn_bn_stats *st = &a->stats[p->t];
    for (size_t c = p->c0; c < p->c1; c++) {
        const size_t r = c * SDN_CHUNK_ROWS, chunk_rows = chunk_end(c, N) - r;
        float *sum = a->part_a + c * n, *m2 = a->part_b + c * n;
        float *chunk_mean = st->inv_std; /* scratch until inv_std is formed */
        sdn_column_sums(p->k, chunk_rows, n, x + r * n, sum);
        for (size_t j = 0; j < n; j++)
            chunk_mean[j] = sum[j] / (float)chunk_rows;
        memset(m2, 0, n * sizeof(float));
        p->k->colsumsq_dev(chunk_rows, n, x + r * n, chunk_mean, m2);
    }
    sdn_barrier_wait(p->barrier);
    reduce_chunks(p->k, st->mean, a->part_a, n_chunks, n, 1.0f / (float)N);
    merge_variance(st->var, a->part_a, a->part_b, st->mean, N, n);
    for (size_t j = 0; j < n; j++)
        st->inv_std[j] = 1.0f / sqrtf(st->var[j] + l->epsilon);
    if (rows)
        p->k->bn_forward(rows, n, x + p->r0 * n, st->mean, st->inv_std, gamma, beta,
                         a->xhat + p->r0 * n, a->y + p->r0 * n);
}

/* dx[r0:r1] = gamma·inv_std·(dy − mean(dy) − xhat·mean(dy·xhat)); one barrier. The chunk
 * partials Σdy (part_c) and Σdy·xhat (part_d) stay for dbeta and dgamma. */
static void batch_norm_backward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = l->n_out, rows = p->r1 - p->r0, N = p->n;
    const size_t n_chunks = (N + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    const sdn_acts *a = sdn_acts_of(p, l);
    sdn_bn_stats *st = &a->stats[p->t];
    for (size_t c = p->c0; c < p->c1; c++) {
        const size_t r = c * SDN_CHUNK_ROWS;
        memset(a->part_c + c * n, 0, n * sizeof(float));
        memset(a->part_d + c * n, 0, n * sizeof(float));
        p->k->bn_backward_reduce(chunk_end(c, N) - r, n, a->dy + r * n, a->xhat + r * n,
                                 a->part_c + c * n, a->part_d + c * n);
    }
    sdn_barrier_wait(p->barrier);
    if (!l->need_dx || !rows)
        return;
    reduce_chunks(p->k, st->mean_dy, a->part_c, n_chunks, n, 1.0f / (float)N);
    reduce_chunks(p->k, st->mean_dy_xhat, a->part_d, n_chunks, n, 1.0f / (float)N);
    p->k->bn_backward_dx(rows, n, a->dy + p->r0 * n, a->xhat + p->r0 * n, p->m->params + l->w_off,
                         st->inv_std, st->mean_dy, st->mean_dy_xhat, a->dx + p->r0 * n);
}

/* dgamma = Σ dy·xhat, dbeta = Σ dy (after the barrier that ends the backward); gamma and beta
 * are one w block of 1 × 2n, never split */
static void batch_norm_weight_grads(const sdn_layer *l, const sdn_pass *p, size_t i0, size_t i1,
                                    int with_bias)
{
    (void)i0, (void)i1, (void)with_bias;
    const size_t n = l->n_out, n_chunks = (p->n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    const sdn_acts *a = sdn_acts_of(p, l);
    float *dgamma = p->m->grads + l->w_off;
    reduce_chunks(p->k, dgamma, a->part_d, n_chunks, n, 1.0f);
    reduce_chunks(p->k, dgamma + n, a->part_c, n_chunks, n, 1.0f);
}

/* Keras: moving = momentum·moving + (1 − momentum)·batch, with thread 0's statistics */
static void batch_norm_update_state(const sdn_layer *l, const sdn_acts *a, float *state)
{
    const size_t n = l->n_out;
    const float mo = l->momentum;
    float *mm = state + l->s_off, *mv = mm + n;
    const sdn_bn_stats *st = &a->stats[0];
    for (size_t j = 0; j < n; j++) {
        mm[j] = mo * mm[j] + (1.0f - mo) * st->mean[j];
        mv[j] = mo * mv[j] + (1.0f - mo) * st->var[j];
    }
}

/* gamma, beta [n] as one w block; moving mean, moving variance [n] as state */
static void batch_norm_layout(sdn_layer *l, size_t *params, size_t *state)
{
    l->n_out = l->n_in;
    l->w_off = *params;
    l->w_rows = 1;
    l->w_cols = 2 * l->n_out;
    l->w_size = 2 * l->n_out;
    l->b_off = l->w_off + l->w_size;
    l->b_size = 0;
    *params += l->w_size;
    l->s_off = *state;
    l->s_size = 2 * l->n_out;
    *state += l->s_size;
}

static void batch_norm_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    const size_t n = l->n_out, fl = sizeof(float);
    a->xhat = sdn_bump_take(b, d->max_batch * n * fl);
    a->part_a = sdn_bump_take(b, d->n_chunks * n * fl);
    a->part_b = sdn_bump_take(b, d->n_chunks * n * fl);
    a->part_c = sdn_bump_take(b, d->n_chunks * n * fl);
    a->part_d = sdn_bump_take(b, d->n_chunks * n * fl);
    a->inf_inv_std = sdn_bump_take(b, n * fl);
    a->stats = sdn_bump_take(b, d->threads * sizeof(sdn_bn_stats));
    for (size_t t = 0; t < d->threads; t++) {
        float *s = sdn_bump_take(b, 5 * n * fl);
        if (b->base)
            a->stats[t] = (sdn_bn_stats){s, s + n, s + 2 * n, s + 3 * n, s + 4 * n};
    }
}

/* gamma 1, beta 0, moving mean 0, moving variance 1 */
static void batch_norm_init(const sdn_layer *l, float *params, float *state, uint64_t seed,
                            uint32_t stream)
{
    (void)seed, (void)stream;
    for (size_t j = 0; j < l->n_out; j++) {
        params[l->w_off + j] = 1.0f;
        params[l->w_off + l->n_out + j] = 0.0f;
        state[l->s_off + j] = 0.0f;
        state[l->s_off + l->n_out + j] = 1.0f;
    }
}

static void batch_norm_prepare_inference(const sdn_layer *l, sdn_acts *a, const float *state)
{
    for (size_t j = 0; j < l->n_out; j++)
        a->inf_inv_std[j] = 1.0f / sqrtf(state[l->s_off + l->n_out + j] + l->epsilon);
}

static void batch_norm_tensors(const sdn_layer *l, sdn_tensor_list *t)
{
    const size_t n = l->n_out;
    sdn_tensor_list_add(t, SDN_TENSOR_PARAM, l->w_off, n, 0, l->name, "gamma");
    sdn_tensor_list_add(t, SDN_TENSOR_PARAM, l->w_off + n, n, 0, l->name, "beta");
    sdn_tensor_list_add(t, SDN_TENSOR_STATE, l->s_off, n, 0, l->name, "moving_mean");
    sdn_tensor_list_add(t, SDN_TENSOR_STATE, l->s_off + n, n, 0, l->name, "moving_variance");
}

const sdn_layer_ops sdn_batch_norm_ops = {
    .name = "batch_norm",
    .title = "BatchNormalization",
    .layout = batch_norm_layout,
    .buffers = batch_norm_buffers,
    .init = batch_norm_init,
    .forward = batch_norm_forward,
    .backward = batch_norm_backward,
    .weight_grads = batch_norm_weight_grads,
    .prepare_inference = batch_norm_prepare_inference,
    .update_state = batch_norm_update_state,
    .tensors = batch_norm_tensors,
};
