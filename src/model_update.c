/* After barrier A of a training pass: the weight gradients, each range stepped by the optimizer
 * while it is still in cache, BN's moving statistics; and a rank's shard of the update in
 * data-parallel training. The work is cut by the threads' shares (thread_share.h). */
#include <math.h>
#include <string.h>

#include "model.h"
#include "profile/prof.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Where the fraction num/den of len ends, rounded up to align (at most len): every thread cuts a
 * split at the same places. */
static size_t split_at(size_t len, size_t num, size_t den, size_t align)
{
    size_t v = len * num / den;
    v = (v + align - 1) / align * align;
    return v < len ? v : len;
}

/* One optimizer update of params[off, off+len) with the step's scalars and the range's l1, l2.
 * `shared`: other threads of the pass read these weights in the next pass, so they are stored
 * around this core's cache: otherwise each line must be taken back from the core that read it
 * last, which costs several times the read on cores that sit apart (docs/threads.md). */
static void update_range(sdn_step *c, size_t off, size_t len, float l1, float l2, int shared)
{
    sdn_model *m = c->m;
    sdn_optim_scalars sc = c->scal;
    sc.l1 = l1;
    sc.l2 = 2.0f * l2; /* the kernels take the gradient coefficient of l2·Σw² */
    sc.stream_w = shared;
    sdn_optim_apply(c->k, &m->opt, &sc, m->params + off, m->grads + off,
                    m->opt_m ? m->opt_m + off : NULL, m->opt_v ? m->opt_v + off : NULL, len);
}

/* A small block's work in multiply-adds: a weight matrix's gradient (batch rows × weights) and
 * the update of every parameter, which costs about what 16 multiply-adds do (src/README.md). */
static size_t block_cost(const sdn_layer *l, size_t batch)
{
    return (l->ops->weight_matrix ? l->row_macs * batch : 0) + 16 * (l->w_size + l->b_size);
}

/* A w block big enough to split by rows over every thread (the first dense layer's kernel). */
static int big_block(const sdn_layer *l)
{
    return l->ops->split_rows && l->w_size >= SDN_SPLIT_MIN_WEIGHTS;
}

/* A big block's rows for this thread: those that match its part of the slices (the kernel rows
 * it multiplies), or with more threads than slices an equal cut. */
static void big_rows(const sdn_layer *l, const sdn_pass *p, size_t *i0, size_t *i1)
{
    const size_t t = (size_t)p->t, T = (size_t)p->nthreads;
    if (T <= SDN_DENSE_PIECES) {
        sdn_feature_share(p, l->w_rows, i0, i1);
        return;
    }
    *i0 = split_at(l->w_rows, t, T, 16);
    *i1 = split_at(l->w_rows, t + 1, T, 16);
}

/* On a staged pass, whether layer i is staged: its thread formed its gradients after the stage's
 * backward (model_stages.c) and steps them after barrier A. */
static int staged(const sdn_pass *p, int i)
{
    return p->stage_hi > 0 && i >= p->staged_from;
}

/* Of a small block laid over [a, b) of the plan, the rows that fall before x. */
static size_t rows_before(const sdn_layer *l, size_t a, size_t b, size_t x)
{
    const size_t in = x < a ? 0 : x > b ? b - a : x - a;
    return split_at(l->w_rows, in, b - a, 16);
}

/* Weight gradients after barrier A: big w blocks (SDN_SPLIT_MIN_WEIGHTS) split by rows; the
 * small ones are laid end to end by cost and each thread takes its share's stretch of them (the
 * same plan on every thread; shares follow the threads' speeds, thread_share.h). A block across a
 * boundary is split by rows where its layer allows, else goes whole to the thread that holds its
 * middle. Whole blocks to the least-loaded thread left the 19 hidden layers of the exercise 10 / 9
 * on two threads, the end of the pass waiting about half a layer; by cost, not round-robin, which
 * gives a dense + batch-norm network every dense layer on one thread, nor by parameters, which
 * weighs the input batch norm's 6144 like 60 % of a dense layer's gradient. With `fused`, each
 * range is stepped by the optimizer right after its gradient is formed, while it is still in this
 * core's cache (the update is elementwise and a gradient sums over the batch: which thread does
 * which rows never changes a bit). */
void sdn_wgrad_plan(const sdn_model *m, const sdn_pass *p, sdn_wgrad_visit visit, void *ctx)
{
    const int t = p->t, T = p->nthreads;
    size_t total = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if ((l->w_size || l->b_size) && !big_block(l) && !staged(p, i))
            total += block_cost(l, p->n);
    }
    const size_t lo = sdn_share_cut(&m->share, T, total, 0, t);
    const size_t hi = sdn_share_cut(&m->share, T, total, 0, t + 1);
    /* Odd threads walk the layers backwards: the big blocks' halves then run at different times,
     * not all at once, and each update has the memory bandwidth to itself. */
    const int back = t % 2;
    size_t pos = back ? total : 0; /* where the next small block starts (back: ends) in the plan */
    for (int k = 0; k < m->n_layers; k++) {
        const int i = back ? m->n_layers - 1 - k : k;
        const sdn_layer *l = &m->layers[i];
        if (!l->w_size && !l->b_size)
            continue;
        size_t i0 = 0, i1 = 0;
        int bias = 0;
        if (staged(p, i)) { /* the stage's own thread, whole */
            if (i >= p->stage_lo && i < p->stage_hi)
                visit(ctx, i, 0, l->w_rows, 1);
            continue;
        }
        if (big_block(l)) {
            big_rows(l, p, &i0, &i1);
            bias = t == 0;
        } else {
            const size_t cost = block_cost(l, p->n);
            const size_t a = back ? pos - cost : pos, b = a + cost, mid = a + (b - a) / 2;
            pos = back ? a : b;
            if (l->ops->split_rows && l->w_rows) {
                i0 = rows_before(l, a, b, lo);
                i1 = rows_before(l, a, b, hi);
                bias = i0 == 0 && i1 > 0;
            } else if (lo <= mid && (mid < hi || t == T - 1)) {
                i1 = l->w_rows;
                bias = 1;
            }
            if (i1 <= i0 && !bias)
                continue;
        }
        visit(ctx, i, i0, i1, bias);
    }
}

struct wgrad_run {
    sdn_step *c;
    const sdn_pass *p;
    int fused;
};

static void form_range(void *ctx, int i, size_t i0, size_t i1, int bias)
{
    const struct wgrad_run *r = ctx;
    const sdn_layer *l = &r->c->m->layers[i];
    if (!staged(r->p, i)) {
        sdn_prof_enter(SDN_PHASE_WGRAD, i, l->name);
        sdn_slow_core_start(r->p);
        l->ops->weight_grads(l, r->p, i0, i1, bias);
        sdn_slow_core_done(r->p);
        sdn_prof_leave();
    }
    if (r->fused) {
        sdn_prof_enter(SDN_PHASE_OPTIMIZER, i, l->name);
        sdn_slow_core_start(r->p);
        /* a sliced layer's kernel rows, and a stage's weights, are read by the thread that
         * steps them */
        const int shared = r->p->nthreads > 1 && !staged(r->p, i);
        update_range(r->c, l->w_off + i0 * l->w_cols, (i1 - i0) * l->w_cols, l->l1, l->l2,
                     shared && l->pieces <= 1);
        if (bias && l->b_size)
            update_range(r->c, l->b_off, l->b_size, 0.0f, 0.0f, shared);
        sdn_slow_core_done(r->p);
        sdn_prof_leave();
    }
}

void sdn_step_weight_grads(sdn_step *c, const sdn_pass *p, int fused)
{
    struct wgrad_run r = {c, p, fused};
    sdn_wgrad_plan(c->m, p, form_range, &r);
}

void sdn_step_update_state(sdn_model *m)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->update_state)
            m->layers[i].ops->update_state(&m->layers[i], &m->ws.acts[i], m->state);
}

/* This thread's share of the update of params[lo, hi) (each segment cut to the range; a rank's
 * optimizer shard in data-parallel training), the gradients scaled by clip_scale first. */
static void update_segments(sdn_step *c, const sdn_pass *p, size_t lo, size_t hi, float clip_scale)
{
    sdn_model *m = c->m;
    const int t = p->t, T = p->nthreads;
    for (int s = 0; s < m->n_segments; s++) {
        const struct sdn_segment *g = &m->segments[s];
        const size_t g0 = g->off > lo ? g->off : lo, g1 = sdn_min_size(g->off + g->len, hi);
        if (g1 <= g0)
            continue;
        const size_t a = g0 + split_at(g1 - g0, (size_t)t, (size_t)T, 16);
        const size_t e = g0 + split_at(g1 - g0, (size_t)t + 1, (size_t)T, 16);
        if (e <= a)
            continue;
        sdn_slow_core_start(p);
        if (clip_scale != 1.0f)
            c->k->scale(e - a, m->grads + a, clip_scale);
        update_range(c, a, e - a, g->l1, g->l2, T > 1);
        sdn_slow_core_done(p);
    }
}

void sdn_step_optimizer(sdn_step *c, const sdn_pass *p)
{
    sdn_model *m = c->m;
    const int t = p->t, T = p->nthreads;
    float clip_scale = 1.0f;
    if (m->opt.clip_norm > 0.0f) {
        /* global norm from fixed chunks summed in order: the same bits on every thread count */
        const size_t n_clip = (m->n_params + SDN_CLIP_CHUNK - 1) / SDN_CLIP_CHUNK;
        for (size_t q = (size_t)t; q < n_clip; q += (size_t)T)
            m->clip_part[q] =
                c->k->sumsq(sdn_min_size(SDN_CLIP_CHUNK, m->n_params - q * SDN_CLIP_CHUNK),
                            m->grads + q * SDN_CLIP_CHUNK);
        sdn_pass_meet(p);
        double ss = 0.0;
        for (size_t q = 0; q < n_clip; q++)
            ss += m->clip_part[q];
        const double norm = sqrt(ss);
        if (norm > m->opt.clip_norm)
            clip_scale = (float)(m->opt.clip_norm / norm);
    }
    update_segments(c, p, 0, m->n_params, clip_scale);
    if (t == 0)
        sdn_step_update_state(m);
}

/* ---- data-parallel training (src/dist/): a rank's shard of the update ---- */
void sdn_model_apply_grads(sdn_model *m, size_t n, size_t lo, size_t hi, float clip_scale)
{
    sdn_step c = {.m = m, .ws = &m->ws, .k = sdn_kernels_active(), .n = n, .mode = SDN_MODE_TRAIN};
    double mu_product;
    c.scal = sdn_optim_scalars_for(&m->opt, m->step + 1, m->nadam_mu_product, &mu_product);
    int T = 1;
#ifdef _OPENMP
    if (hi - lo >= SDN_SPLIT_MIN_WEIGHTS)
        T = (int)sdn_min_size((size_t)sdn_num_threads(), (size_t)m->max_threads);
    if (T > 1) {
#pragma omp parallel num_threads(T)
        {
            sdn_pass p = {.k = c.k, .t = omp_get_thread_num(), .nthreads = omp_get_num_threads()};
            update_segments(&c, &p, lo, hi, clip_scale);
        }
    }
#endif
    if (T <= 1) {
        sdn_pass p = {.k = c.k, .t = 0, .nthreads = 1};
        update_segments(&c, &p, lo, hi, clip_scale);
    }
    if (n)
        sdn_step_update_state(m);
    m->step++;
    m->nadam_mu_product = mu_product;
}
