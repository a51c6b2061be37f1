/* Batch normalization with Keras semantics: batch mean and biased variance in training, moving
 * statistics in inference (moving = momentum·moving + (1 − momentum)·batch, biased variance as
 * Keras' non-fused path for 2-D inputs; PyTorch's running_var uses the unbiased one instead).
 * Batch sums are formed per fixed chunk of rows and reduced in chunk order inside the parallel
 * region (a barrier in the forward, one in the backward), so they never depend on the thread
 * count. On image rows (NHWC) the features are the channels and every pixel is a row of the
 * statistics (Keras' BatchNormalization over the last axis): the same kernels over pixel rows. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layers/layer.h"

static size_t chunk_end(size_t c, size_t n)
{
    size_t e = (c + 1) * SDN_CHUNK_ROWS;
    return e < n ? e : n;
}

/* Where a thread works: rows [r0, r1) in chunks [c0, c1), features [f0, f1). A batch norm that a
 * sliced dense layer reads (the input batch norm of exercise 8c; the compiler sets by_features)
 * splits by features instead of rows: each thread takes the features of its slices of that layer
 * (sdn_feature_share) over every row, so the statistics need no exchange and the normalized slice
 * stays in the core that multiplies it. Chunks, and the order they are summed in, are the row
 * split's: the same bits. */
typedef struct bn_share {
    size_t r0, r1, c0, c1, f0, f1;
    int by_features;
} bn_share;

/* Features: the channels (a flat row's are its values); pixels: rows of statistics per batch row */
static size_t features(const sdn_layer *l)
{
    return l->in_c ? l->in_c : l->n_in;
}

static bn_share share_of(const sdn_layer *l, const sdn_pass *p)
{
    const size_t N = p->n, px = sdn_in_pixels(l);
    if (!l->by_features) /* rows in pixels */
        return (bn_share){p->r0 * px, p->r1 * px, p->c0, p->c1, 0, features(l), 0};
    bn_share s = {0, N, 0, sdn_chunks(N), 0, 0, 1};
    sdn_feature_share(p, features(l), &s.f0, &s.f1);
    return s;
}

/* The kernels take whole rows: a feature range runs them a row at a time (they add rows in order,
 * so the bits are those of one call over all the rows). */
static size_t rows_per_call(const bn_share *s, size_t n, size_t rows)
{
    return s->f1 - s->f0 == n ? rows : 1;
}

/* dst[j] = Σ_c part[c][j] · scale for j in [f0, f1), over every chunk of the batch in chunk order:
 * the chunk rows summed by the colsum kernel, across j in vectors, not a chain of adds per j */
static void reduce_chunks(const sdn_kernels *k, float *dst, const float *part, size_t n_chunks,
                          size_t n, size_t f0, size_t f1, float scale)
{
    const size_t step = f1 - f0 == n ? n_chunks : 1;
    memset(dst + f0, 0, (f1 - f0) * sizeof(float));
    for (size_t c = 0; c < n_chunks; c += step)
        k->colsum(step, f1 - f0, part + c * n + f0, dst + f0);
    if (scale != 1.0f)
        for (size_t j = f0; j < f1; j++)
            dst[j] *= scale;
}

/* var[j] = Σ_c (m2[c][j] + n_c·(sum[c][j]/n_c − mean[j])²) / N for j in [f0, f1), chunks in
 * order: each chunk's squared deviations about its own mean, moved to the batch mean (Chan, Golub
 * and LeVeque's pairwise update). Vectorizes across j like reduce_chunks. */
static void merge_variance(float *var, const float *sum, const float *m2, const float *mean,
                           size_t N, size_t px, size_t n, size_t f0, size_t f1)
{
    const size_t n_chunks = sdn_chunks(N);
    memset(var + f0, 0, (f1 - f0) * sizeof(float));
    for (size_t c = 0; c < n_chunks; c++) {
        const float rows = (float)((chunk_end(c, N) - c * SDN_CHUNK_ROWS) * px);
        for (size_t j = f0; j < f1; j++) {
            const float d = sum[c * n + j] / rows - mean[j];
            var[j] += m2[c * n + j] + rows * d * d;
        }
    }
    for (size_t j = f0; j < f1; j++)
        var[j] *= 1.0f / (float)(N * px);
}

/* y = gamma·(x − mean)·inv_std + beta over this thread's share, batch statistics or moving ones,
 * and the ReLU after it where the compiler fused it (relu_fused).
 * Training calls reach a barrier: every thread of the team must call it. Each chunk's sum and
 * squared deviations come from its own rows alone, so one barrier serves both statistics (none
 * by features, where a thread has every chunk of its features). */
static void batch_norm_forward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = features(l), N = p->n, px = sdn_in_pixels(l);
    const size_t n_chunks = sdn_chunks(N);
    const sdn_acts *a = sdn_acts_of(p, l);
    const float *gamma = p->params + l->w_off, *beta = gamma + n;
    const float *x = a->x;
    sdn_f32_bn_forward_fn *normalize = l->relu_fused ? p->k->bn_forward_relu : p->k->bn_forward;
    if (!p->bn_training) {
        if (p->r1 > p->r0)
            normalize((p->r1 - p->r0) * px, n, x + p->r0 * px * n, p->state + l->s_off,
                      a->inf_inv_std, gamma, beta, NULL, a->y + p->r0 * px * n);
        return;
    }
    const bn_share s = share_of(l, p);
    const size_t f0 = s.f0, w = s.f1 - s.f0;
    /* by features every thread fills its features of copy 0 */
    sdn_bn_stats *st = &a->stats[s.by_features ? 0 : p->t];
    if (s.by_features && x != p->acts[0].x) /* a layer's output: every row of it must be done */
        sdn_pass_barrier(p);
    for (size_t c = s.c0; c < s.c1; c++) {
        const size_t r = c * SDN_CHUNK_ROWS * px;
        const size_t chunk_rows = (chunk_end(c, N) - c * SDN_CHUNK_ROWS) * px;
        const size_t step = rows_per_call(&s, n, chunk_rows);
        float *sum = a->part_a + c * n, *m2 = a->part_b + c * n;
        float *chunk_mean = st->inv_std; /* scratch until inv_std is formed */
        memset(sum + f0, 0, w * sizeof(float));
        for (size_t i = r; i < r + chunk_rows; i += step)
            p->k->colsum(step, w, x + i * n + f0, sum + f0);
        for (size_t j = f0; j < s.f1; j++)
            chunk_mean[j] = sum[j] / (float)chunk_rows;
        memset(m2 + f0, 0, w * sizeof(float));
        for (size_t i = r; i < r + chunk_rows; i += step)
            p->k->colsumsq_dev(step, w, x + i * n + f0, chunk_mean + f0, m2 + f0);
    }
    if (!s.by_features)
        sdn_pass_barrier(p);
    reduce_chunks(p->k, st->mean, a->part_a, n_chunks, n, f0, s.f1, 1.0f / (float)(N * px));
    merge_variance(st->var, a->part_a, a->part_b, st->mean, N, px, n, f0, s.f1);
    for (size_t j = f0; j < s.f1; j++)
        st->inv_std[j] = 1.0f / sqrtf(st->var[j] + l->epsilon);
    const size_t step = rows_per_call(&s, n, s.r1 - s.r0);
    for (size_t i = s.r0; i < s.r1; i += step)
        normalize(step, w, x + i * n + f0, st->mean + f0, st->inv_std + f0, gamma + f0, beta + f0,
                  a->xhat + i * n + f0, a->y + i * n + f0);
}

/* dx = gamma·inv_std·(dy − mean(dy) − xhat·mean(dy·xhat)) over this thread's share (with a fused
 * ReLU, dy is first masked where the output is 0, in the reduction's pass); one barrier
 * (by features: one after dx, for the previous layer's rows). The chunk partials Σdy (part_c) and
 * Σdy·xhat (part_d) stay for dbeta and dgamma. */
static void batch_norm_backward(const sdn_layer *l, const sdn_pass *p)
{
    const size_t n = features(l), N = p->n, px = sdn_in_pixels(l);
    const size_t n_chunks = sdn_chunks(N);
    const sdn_acts *a = sdn_acts_of(p, l);
    const bn_share s = share_of(l, p);
    const size_t f0 = s.f0, w = s.f1 - s.f0;
    sdn_bn_stats *st = &a->stats[s.by_features ? 0 : p->t];
    for (size_t c = s.c0; c < s.c1; c++) {
        const size_t r = c * SDN_CHUNK_ROWS * px;
        const size_t chunk_rows = (chunk_end(c, N) - c * SDN_CHUNK_ROWS) * px;
        const size_t step = rows_per_call(&s, n, chunk_rows);
        float *sum_dy = a->part_c + c * n + f0, *sum_dy_xhat = a->part_d + c * n + f0;
        memset(sum_dy, 0, w * sizeof(float));
        memset(sum_dy_xhat, 0, w * sizeof(float));
        for (size_t i = r; i < r + chunk_rows; i += step)
            if (l->relu_fused) /* dy through the ReLU first, in place */
                p->k->bn_backward_reduce_relu(step, w, a->dy + i * n + f0, a->y + i * n + f0,
                                              a->xhat + i * n + f0, sum_dy, sum_dy_xhat);
            else
                p->k->bn_backward_reduce(step, w, a->dy + i * n + f0, a->xhat + i * n + f0, sum_dy,
                                         sum_dy_xhat);
    }
    if (!s.by_features)
        sdn_pass_barrier(p);
    if (!l->need_dx)
        return;
    if (s.r1 > s.r0) {
        const float inv_rows = 1.0f / (float)(N * px);
        reduce_chunks(p->k, st->mean_dy, a->part_c, n_chunks, n, f0, s.f1, inv_rows);
        reduce_chunks(p->k, st->mean_dy_xhat, a->part_d, n_chunks, n, f0, s.f1, inv_rows);
        const size_t step = rows_per_call(&s, n, s.r1 - s.r0);
        for (size_t i = s.r0; i < s.r1; i += step)
            p->k->bn_backward_dx(step, w, a->dy + i * n + f0, a->xhat + i * n + f0,
                                 p->params + l->w_off + f0, st->inv_std + f0, st->mean_dy + f0,
                                 st->mean_dy_xhat + f0, a->dx + i * n + f0);
    }
    if (s.by_features) /* the previous layer reads whole rows of dx */
        sdn_pass_barrier(p);
}

/* dgamma = Σ dy·xhat, dbeta = Σ dy (after the barrier that ends the backward); gamma and beta
 * are one w block of 1 × 2n, never split */
static void batch_norm_weight_grads(const sdn_layer *l, const sdn_pass *p, size_t i0, size_t i1,
                                    int with_bias)
{
    (void)i0, (void)i1, (void)with_bias;
    const size_t n = features(l), n_chunks = sdn_chunks(p->n);
    const sdn_acts *a = sdn_acts_of(p, l);
    float *dgamma = p->grads + l->w_off;
    reduce_chunks(p->k, dgamma, a->part_d, n_chunks, n, 0, n, 1.0f);
    reduce_chunks(p->k, dgamma + n, a->part_c, n_chunks, n, 0, n, 1.0f);
}

/* Keras: moving = momentum·moving + (1 − momentum)·batch, with thread 0's statistics */
static void batch_norm_update_state(const sdn_layer *l, const sdn_acts *a, float *state)
{
    const size_t n = features(l);
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
    l->w_cols = 2 * features(l);
    l->w_size = 2 * features(l);
    l->b_off = l->w_off + l->w_size;
    l->b_size = 0;
    *params += l->w_size;
    l->s_off = *state;
    l->s_size = 2 * features(l);
    *state += l->s_size;
}

static void batch_norm_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d)
{
    const size_t n = features(l), fl = sizeof(float);
    a->xhat = sdn_bump_take(b, d->max_batch * l->n_out * fl);
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
    const size_t n = features(l);
    for (size_t j = 0; j < n; j++) {
        params[l->w_off + j] = 1.0f;
        params[l->w_off + n + j] = 0.0f;
        state[l->s_off + j] = 0.0f;
        state[l->s_off + n + j] = 1.0f;
    }
}

static void batch_norm_prepare_inference(const sdn_layer *l, sdn_acts *a, const float *state)
{
    const size_t n = features(l);
    for (size_t j = 0; j < n; j++)
        a->inf_inv_std[j] = 1.0f / sqrtf(state[l->s_off + n + j] + l->epsilon);
}

static void batch_norm_tensors(const sdn_layer *l, sdn_tensor_list *t)
{
    const size_t n = features(l);
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
