/* The pass: a training step (or an inference pass) as ONE parallel region over fixed row chunks.
 * Each thread runs every layer's forward and backward on its own chunks (through the layer
 * tables), then its share of the weight gradients and of the optimizer. */
#include <math.h>
#include <string.h>

#include "model.h"
#include "profile/prof.h"
#include "rng.h"
#include "testhooks.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* A pass over n rows of x (labels: NULL when predicting) in inference behaviour: BN on its moving
 * statistics, dropout off. */
sdn_step sdn_step_new(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                      sdn_step_mode mode)
{
    sdn_step c = {0};
    c.m = m;
    c.ws = &m->ws;
    c.k = sdn_kernels_active();
    c.x = x;
    c.labels = labels;
    c.n = n;
    c.mode = mode;
    return c;
}

/* Training behaviour: BN on batch statistics, dropout masks of the model's current step. */
void sdn_step_train(sdn_step *c)
{
    c->bn_training = 1;
    c->dropout_active = 1;
    c->stream_base = SDN_STREAM_DROPOUT;
    c->rng_step = c->m->step;
}

double sdn_regularization(const sdn_model *m, const sdn_kernels *k)
{
    double r = 0.0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->l1 == 0.0f && l->l2 == 0.0f)
            continue;
        const float *w = m->params + l->w_off;
        if (l->l2 != 0.0f)
            r += (double)l->l2 * k->sumsq(l->w_size, w);
        if (l->l1 != 0.0f) {
            double s = 0.0;
            for (size_t j = 0; j < l->w_size; j++)
                s += fabsf(w[j]);
            r += (double)l->l1 * s;
        }
    }
    return r;
}

/* Where the fraction num/den of len ends, rounded up to align (at most len): every thread cuts a
 * split at the same places. */
static size_t split_at(size_t len, size_t num, size_t den, size_t align)
{
    size_t v = len * num / den;
    v = (v + align - 1) / align * align;
    return v < len ? v : len;
}

/* One optimizer update of params[off, off+len) with the step's scalars and the range's l1, l2. */
static void update_range(sdn_step *c, size_t off, size_t len, float l1, float l2)
{
    sdn_model *m = c->m;
    sdn_optim_scalars sc = c->scal;
    sc.l1 = l1;
    sc.l2 = 2.0f * l2; /* the kernels take the gradient coefficient of l2·Σw² */
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

/* Of a small block laid over [a, b) of the plan, the rows that fall before x. */
static size_t rows_before(const sdn_layer *l, size_t a, size_t b, size_t x)
{
    const size_t in = x < a ? 0 : x > b ? b - a : x - a;
    return split_at(l->w_rows, in, b - a, 16);
}

/* Weight gradients after barrier A: big w blocks (SDN_SPLIT_MIN_WEIGHTS) split by rows; the
 * small ones are laid end to end by cost and thread t takes the stretch [t, t + 1)·total/T (the
 * same plan on every thread). A block across a boundary is split by rows where its layer allows,
 * else goes whole to the thread that holds its middle. Whole blocks to the least-loaded thread
 * left the 19 hidden layers of the exercise 10 / 9 on two threads, the end of the pass waiting
 * about half a layer; by cost, not round-robin, which gives a dense + batch-norm network every
 * dense layer on one thread, nor by parameters, which weighs the input batch norm's 6144 like
 * 60 % of a dense layer's gradient.
 * With `fused`, each range is stepped by the optimizer right after its gradient is formed, while
 * it is still in this core's cache (the update is elementwise and a gradient sums over the batch:
 * which thread does which rows never changes a bit). */
static void weight_grads(sdn_step *c, const sdn_pass *p, int fused)
{
    sdn_model *m = c->m;
    const int t = p->t, T = p->nthreads;
    size_t total = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if ((l->w_size || l->b_size) && !big_block(l))
            total += block_cost(l, p->n);
    }
    const size_t lo = total * (size_t)t / (size_t)T, hi = total * (size_t)(t + 1) / (size_t)T;
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
        if (big_block(l)) {
            i0 = split_at(l->w_rows, (size_t)t, (size_t)T, 16);
            i1 = split_at(l->w_rows, (size_t)t + 1, (size_t)T, 16);
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
        sdn_prof_enter(SDN_PHASE_WGRAD, i, l->name);
        l->ops->weight_grads(l, p, i0, i1, bias);
        sdn_prof_leave();
        if (fused) {
            sdn_prof_enter(SDN_PHASE_OPTIMIZER, i, l->name);
            update_range(c, l->w_off + i0 * l->w_cols, (i1 - i0) * l->w_cols, l->l1, l->l2);
            if (bias && l->b_size)
                update_range(c, l->b_off, l->b_size, 0.0f, 0.0f);
            sdn_prof_leave();
        }
    }
}

static void update_moving_stats(sdn_model *m)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->update_state)
            m->layers[i].ops->update_state(&m->layers[i], &m->ws.acts[i], m->state);
}

/* This thread's share of the update of params[lo, hi) (each segment cut to the range; a rank's
 * optimizer shard in data-parallel training), the gradients scaled by clip_scale first. */
static void update_segments(sdn_step *c, const sdn_pass *p, size_t lo, size_t hi,
                            float clip_scale)
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
        if (clip_scale != 1.0f)
            c->k->scale(e - a, m->grads + a, clip_scale);
        update_range(c, a, e - a, g->l1, g->l2);
    }
}

static void optimizer_step(sdn_step *c, const sdn_pass *p)
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
        sdn_prof_barrier();
        sdn_barrier_wait(p->barrier);
        double ss = 0.0;
        for (size_t q = 0; q < n_clip; q++)
            ss += m->clip_part[q];
        const double norm = sqrt(ss);
        if (norm > m->opt.clip_norm)
            clip_scale = (float)(m->opt.clip_norm / norm);
    }
    update_segments(c, p, 0, m->n_params, clip_scale);
    if (t == 0)
        update_moving_stats(m);
}

/* Thread t of T: its whole chunks of rows, and the step's behaviour. */
static sdn_pass thread_pass(sdn_step *c, int t, int T)
{
    const size_t n = c->n, n_chunks = (n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    sdn_pass p = {0};
    p.k = c->k;
    p.barrier = &c->barrier;
    p.params = c->m->params;
    p.grads = c->m->grads;
    p.state = c->m->state;
    p.seed = c->m->seed;
    p.acts = c->ws->acts;
    p.n = n;
    p.t = t;
    p.nthreads = T;
    p.c0 = n_chunks * (size_t)t / (size_t)T;
    p.c1 = n_chunks * (size_t)(t + 1) / (size_t)T;
    p.r0 = sdn_min_size(p.c0 * SDN_CHUNK_ROWS, n);
    p.r1 = sdn_min_size(p.c1 * SDN_CHUNK_ROWS, n);
    p.bn_training = c->bn_training;
    p.dropout_active = c->dropout_active;
    p.stream_base = c->stream_base;
    p.rng_step = c->rng_step;
    p.row_base = c->row_base;
    return p;
}

/* Every layer's forward over this thread's rows; the output layer leaves its logits, and the
 * softmax (fused with the loss and its gradient when there are labels) happens here. */
static void forward(const sdn_step *c, const sdn_pass *p)
{
    const sdn_model *m = c->m;
    const int end = c->end_layer ? c->end_layer : m->n_layers;
    for (int i = c->first_layer; i < end; i++)
        if (m->layers[i].ops->forward) {
            sdn_prof_enter(SDN_PHASE_FORWARD, i, m->layers[i].name);
            m->layers[i].ops->forward(&m->layers[i], p);
            sdn_prof_leave();
        }
    const size_t rows = p->r1 - p->r0, out = m->output_size;
    if (!rows || end < m->n_layers) /* An MC Dropout prefix stops before the output */
        return;
    const sdn_layer *last = &m->layers[m->n_layers - 1];
    const sdn_acts *a = &c->ws->acts[m->n_layers - 1];
    const float *z = last->ops->logits(last, a) + p->r0 * out;
    float *probs = a->y + p->r0 * out;
    if (c->mode == SDN_MODE_PREDICT)
        c->k->softmax(rows, out, z, probs);
    else
        c->k->softmax_xent(rows, out, z, c->labels + p->r0, 1.0f / (float)c->n, probs,
                           last->ops->dlogits(last, a) + p->r0 * out, c->ws->row_loss + p->r0);
}

/* rows of probabilities whose largest entry is the label */
static size_t count_correct(const float *probs, size_t n, size_t classes, const int32_t *labels)
{
    size_t correct = 0;
    for (size_t r = 0; r < n; r++)
        correct += (int32_t)sdn_index_of_max(probs + r * classes, classes) == labels[r];
    return correct;
}

/* One thread's share of a pass: forward, loss, backward over its fixed chunks of rows, then its
 * share of the weight gradients and of the optimizer. Every thread reaches every barrier. */
static void run_thread(sdn_step *c, int t, int T)
{
    sdn_model *m = c->m;
    const size_t n = c->n;
    const sdn_pass p = thread_pass(c, t, T);
    forward(c, &p);
    if (c->mode == SDN_MODE_PREDICT)
        return;
    if (c->mode >= SDN_MODE_GRADS)
        for (int i = m->n_layers - 1; i >= 0; i--)
            if (m->layers[i].ops->backward) {
                sdn_prof_enter(SDN_PHASE_BACKWARD, i, m->layers[i].name);
                m->layers[i].ops->backward(&m->layers[i], &p);
                sdn_prof_leave();
            }
    /* the regularization reads the weights: before barrier A, after which they may change */
    const double reg = t == 0 && c->mode >= SDN_MODE_GRADS ? sdn_regularization(m, c->k) : 0.0;
    sdn_prof_barrier();
    sdn_barrier_wait(p.barrier); /* A: every row's loss and every layer's dZ are complete */
    /* every thread sums the row losses in the same order: all agree on finiteness, no barrier */
    double data_loss = 0.0;
    for (size_t r = 0; r < n; r++)
        data_loss += c->ws->row_loss[r];
    data_loss /= (double)n;
    if (t == 0) {
        c->loss = data_loss + reg;
        c->correct = count_correct(c->ws->acts[m->n_layers - 1].y, n, m->output_size, c->labels);
    }
    if (c->mode < SDN_MODE_GRADS)
        return;
    /* a NaN/Inf loss leaves weights, moments and moving statistics as they were */
    const int step_ok = c->mode == SDN_MODE_TRAIN && isfinite(data_loss);
    if (m->opt.clip_norm <= 0.0f) {
        weight_grads(c, &p, step_ok);
        if (step_ok && t == 0)
            update_moving_stats(m);
        return;
    }
    weight_grads(c, &p, 0);
    if (c->mode == SDN_MODE_GRADS)
        return;
    sdn_prof_barrier();
    sdn_barrier_wait(p.barrier); /* B: every gradient is complete: the global norm can be formed */
    if (step_ok) {
        sdn_prof_enter(SDN_PHASE_OPTIMIZER, -1, "optimizer (clipped)");
        optimizer_step(c, &p);
        sdn_prof_leave();
    }
}

#ifdef _OPENMP
static int threads_for(const sdn_model *m, size_t n, int first, int end)
{
    const size_t n_chunks = (n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    int T = (int)sdn_min_size((size_t)sdn_num_threads(),
                              sdn_min_size((size_t)m->max_threads, n_chunks));
    double macs = 0.0;
    for (int i = first; i < end; i++) /* the layers this pass runs */
        if (m->layers[i].ops->weight_matrix)
            macs += (double)m->layers[i].row_macs;
    if (macs * (double)n < SDN_HOOK(sdn_parallel_min_macs, SDN_PARALLEL_MIN_MACS))
        T = 1;
    return T < 1 ? 1 : T;
}
#endif

void sdn_step_run(sdn_step *c)
{
    sdn_model *m = c->m;
    /* per-call pointers: each layer's input, flatten's output is its input */
    const float *in = c->x;
    for (int i = 0; i < m->n_layers; i++) {
        sdn_acts *a = &c->ws->acts[i];
        a->x = in;
        if (m->layers[i].ops->in_place)
            a->y = (float *)in; /* never written through */
        in = a->y;
    }
    /* Profiler: the schedule counts passes; each thread's share is one scope */
    static const char *const pass_names[] = {"predict", "evaluate", "gradients", "train_step"};
    sdn_prof_step_begin();
#ifdef _OPENMP
    const int T = threads_for(m, c->n, c->first_layer, c->end_layer ? c->end_layer : m->n_layers);
    if (T > 1) {
        sdn_barrier_init(&c->barrier, (unsigned)T);
#pragma omp parallel num_threads(T)
        {
            /* OpenMP may grant fewer threads than asked (a pass run inside the caller's own
             * parallel region gets one): the barrier counts the team there is. */
            if (omp_get_num_threads() != T) {
#pragma omp single
                sdn_barrier_init(&c->barrier, (unsigned)omp_get_num_threads());
            }
            sdn_prof_enter(SDN_PHASE_STEP, -1, pass_names[c->mode]);
            run_thread(c, omp_get_thread_num(), omp_get_num_threads());
            sdn_prof_leave();
        }
        sdn_prof_step_end();
        return;
    }
#endif
    sdn_barrier_init(&c->barrier, 1);
    sdn_prof_enter(SDN_PHASE_STEP, -1, pass_names[c->mode]);
    run_thread(c, 0, 1);
    sdn_prof_leave();
    sdn_prof_step_end();
}

/* ---- data-parallel training (src/dist/): a rank's shard of the update ---- */
void sdn_model_apply_grads(sdn_model *m, size_t n, size_t lo, size_t hi, float clip_scale)
{
    sdn_step c = sdn_step_new(m, NULL, NULL, n, SDN_MODE_TRAIN);
    double mu_product;
    c.scal = sdn_optim_scalars_for(&m->opt, m->step + 1, m->nadam_mu_product, &mu_product);
    int T = 1;
#ifdef _OPENMP
    if (hi - lo >= SDN_SPLIT_MIN_WEIGHTS)
        T = (int)sdn_min_size((size_t)sdn_num_threads(), (size_t)m->max_threads);
    if (T > 1) {
#pragma omp parallel num_threads(T)
        {
            sdn_pass p = {.k = c.k, .t = omp_get_thread_num(),
                          .nthreads = omp_get_num_threads()};
            update_segments(&c, &p, lo, hi, clip_scale);
        }
    }
#endif
    if (T <= 1) {
        sdn_pass p = {.k = c.k, .t = 0, .nthreads = 1};
        update_segments(&c, &p, lo, hi, clip_scale);
    }
    if (n)
        update_moving_stats(m);
    m->step++;
    m->nadam_mu_product = mu_product;
}
