/* The Sequential model: building, compiling (every buffer allocated and touched once), the
 * training step as ONE parallel region over fixed row chunks, inference, MC Dropout, and the
 * model's tensors and state. Layers live in src/layers/, optimizers in src/optim/. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gemm.h"
#include "model.h"
#include "profile/prof.h" /* profiler hooks (issue 10) */
#include "rng.h"

#ifdef _OPENMP
#include <omp.h>
#define BARRIER _Pragma("omp barrier")
#else
#define BARRIER
#endif

int sdn_debug_break_backward;

/* Below this many multiply-adds per batch (forward) a step stays on one thread: two threads pay
 * a fork/join and a few barriers that tiny steps cannot earn back. Measured (best of 15, busy
 * 2-core host): 5 × Dense(16, elu) + Dense(10) on 256 inputs at batch 16 (84K MACs) trains in
 * 16.7 µs on one thread and 14.4 µs on two, so the line sits just below that. */
double sdn_parallel_min_macs = 65536.0;
/* Dense layers with at least this many weights split their weight-gradient GEMM across threads;
 * smaller ones go whole to one thread, round-robin. */
#define SDN_SPLIT_MIN_WEIGHTS 65536

static const char *const kind_names[SDN_LAYER_KIND_COUNT] = {
    "flatten", "dense", "batch_norm", "activation", "dropout", "alpha_dropout"};
static const char *const kind_titles[SDN_LAYER_KIND_COUNT] = {
    "Flatten", "Dense", "BatchNormalization", "Activation", "Dropout", "AlphaDropout"};

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* ------------------------------------------------------------------------- building */

sdn_dense_options sdn_dense_defaults(size_t units)
{
    sdn_dense_options d;
    memset(&d, 0, sizeof d);
    d.units = units;
    d.activation = SDN_ACT_LINEAR;
    d.kernel_init.kind = SDN_INIT_GLOROT_UNIFORM;
    d.bias_init.kind = SDN_INIT_ZEROS;
    d.use_bias = 1;
    return d;
}

sdn_model *sdn_model_new(uint64_t seed)
{
    sdn_model *m = calloc(1, sizeof *m);
    if (m) {
        m->seed = seed;
        m->nadam_mu_product = 1.0;
    }
    return m;
}

void sdn_model_free(sdn_model *m)
{
    if (!m)
        return;
    free(m->layers);
    free(m->params);
    free(m->grads);
    free(m->opt_m);
    free(m->opt_v);
    free(m->state);
    free(m->segments);
    free(m->arena);
    free(m->tensors);
    free(m->tensor_names);
    free(m);
}

static sdn_status add_layer(sdn_model *m, sdn_layer_kind kind, sdn_layer **out)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "model is NULL");
    if (m->compiled)
        return sdn_fail(SDN_ERR_STATE, "cannot add a %s layer: the model is already compiled",
                        kind_names[kind]);
    if (m->n_layers == m->cap_layers) {
        int cap = m->cap_layers ? 2 * m->cap_layers : 16;
        sdn_layer *l = realloc(m->layers, (size_t)cap * sizeof *l);
        if (!l)
            return sdn_fail(SDN_ERR_NOMEM, "out of memory adding a layer");
        m->layers = l;
        m->cap_layers = cap;
    }
    sdn_layer *l = &m->layers[m->n_layers];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->index = m->n_layers++;
    snprintf(l->name, sizeof l->name, "%s_%d", kind_names[kind], m->kind_count[kind]++);
    *out = l;
    return SDN_OK;
}

static int bad_float(float v) { return !isfinite(v) || v < 0.0f; }

sdn_status sdn_model_add_flatten(sdn_model *m)
{
    sdn_layer *l = NULL;
    return add_layer(m, SDN_LAYER_FLATTEN, &l);
}

sdn_status sdn_model_add_dense(sdn_model *m, const sdn_dense_options *o)
{
    if (!o)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: options are NULL");
    if (!o->units)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: units must be at least 1");
    if ((unsigned)o->activation >= SDN_ACT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: unknown activation %d", (int)o->activation);
    if ((unsigned)o->kernel_init.kind >= SDN_INIT_COUNT ||
        (unsigned)o->bias_init.kind >= SDN_INIT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: unknown initializer");
    if (bad_float(o->l1) || bad_float(o->l2))
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: l1 and l2 must be finite and >= 0 (got %g, %g)",
                        (double)o->l1, (double)o->l2);
    if (!isfinite(o->activation_alpha))
        return sdn_fail(SDN_ERR_INVALID_ARG, "dense: activation alpha must be finite");
    sdn_layer *l = NULL;
    sdn_status st = add_layer(m, SDN_LAYER_DENSE, &l);
    if (st)
        return st;
    l->n_out = o->units;
    l->act = o->activation;
    l->alpha = o->activation_alpha;
    l->kernel_init = o->kernel_init;
    l->bias_init = o->bias_init;
    l->use_bias = o->use_bias != 0;
    l->l1 = o->l1;
    l->l2 = o->l2;
    return SDN_OK;
}

sdn_status sdn_model_add_batch_norm(sdn_model *m, float momentum, float epsilon)
{
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        return sdn_fail(SDN_ERR_INVALID_ARG, "batch_norm: momentum must be in [0, 1] (got %g)",
                        (double)momentum);
    if (!(epsilon > 0.0f) || !isfinite(epsilon))
        return sdn_fail(SDN_ERR_INVALID_ARG, "batch_norm: epsilon must be > 0 (got %g)",
                        (double)epsilon);
    sdn_layer *l = NULL;
    sdn_status st = add_layer(m, SDN_LAYER_BATCH_NORM, &l);
    if (!st) {
        l->momentum = momentum;
        l->epsilon = epsilon;
    }
    return st;
}

sdn_status sdn_model_add_activation(sdn_model *m, sdn_activation act, float alpha)
{
    if ((unsigned)act >= SDN_ACT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "activation: unknown activation %d", (int)act);
    if (!isfinite(alpha))
        return sdn_fail(SDN_ERR_INVALID_ARG, "activation: alpha must be finite");
    sdn_layer *l = NULL;
    sdn_status st = add_layer(m, SDN_LAYER_ACTIVATION, &l);
    if (!st) {
        l->act = act;
        l->alpha = alpha;
    }
    return st;
}

static sdn_status add_dropout(sdn_model *m, sdn_layer_kind kind, float rate)
{
    if (!(rate >= 0.0f && rate < 1.0f))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: rate must be in [0, 1) (got %g)",
                        kind_names[kind], (double)rate);
    sdn_layer *l = NULL;
    sdn_status st = add_layer(m, kind, &l);
    if (st)
        return st;
    l->rate = rate;
    if (kind == SDN_LAYER_DROPOUT) {
        l->drop_a = 1.0f / (1.0f - rate);
        l->drop_b = l->drop_c = 0.0f;
    } else {
        sdn_alpha_dropout_constants(rate, &l->drop_a, &l->drop_b, &l->drop_c);
    }
    return SDN_OK;
}

sdn_status sdn_model_add_dropout(sdn_model *m, float rate)
{
    return add_dropout(m, SDN_LAYER_DROPOUT, rate);
}
sdn_status sdn_model_add_alpha_dropout(sdn_model *m, float rate)
{
    return add_dropout(m, SDN_LAYER_ALPHA_DROPOUT, rate);
}

/* ------------------------------------------------------------------------- compile */

static int is_softmax_layer(const sdn_layer *l)
{
    return (l->kind == SDN_LAYER_DENSE || l->kind == SDN_LAYER_ACTIVATION) &&
           l->act == SDN_ACT_SOFTMAX;
}

static float default_alpha(sdn_activation act, float alpha)
{
    if (alpha != 0.0f)
        return alpha;
    return act == SDN_ACT_ELU ? 1.0f : act == SDN_ACT_LEAKY_RELU ? 0.3f : 0.0f;
}

/* Bump allocation in the arena: a sizing pass (base NULL) then the real one, 64-byte aligned. */
typedef struct bump {
    char *base;
    size_t used;
} bump;

static void *take(bump *b, size_t bytes)
{
    size_t off = (b->used + 63) & ~(size_t)63;
    b->used = off + bytes;
    return b->base ? b->base + off : NULL;
}

static void layout_buffers(sdn_model *m, bump *b)
{
    const size_t B = m->max_batch, fl = sizeof(float), T = (size_t)m->max_threads;
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i], *prev = i ? &m->layers[i - 1] : NULL;
        const size_t n = l->n_out;
        if (l->kind == SDN_LAYER_FLATTEN) {
            l->dy = prev ? prev->dy : NULL; /* y is resolved per call: it is the input */
        } else {
            l->y = take(b, B * n * fl);
            l->dy = take(b, B * n * fl);
        }
        if (l->kind == SDN_LAYER_DENSE)
            l->z = (l->act == SDN_ACT_LINEAR) ? l->y : take(b, B * n * fl);
        if (l->kind == SDN_LAYER_BATCH_NORM) {
            l->xhat = take(b, B * n * fl);
            l->part_a = take(b, m->n_chunks_max * n * fl);
            l->part_b = take(b, m->n_chunks_max * n * fl);
            l->part_c = take(b, m->n_chunks_max * n * fl);
            l->part_d = take(b, m->n_chunks_max * n * fl);
            l->inf_inv_std = take(b, n * fl);
            l->stats = take(b, T * sizeof(sdn_bn_stats));
            for (size_t t = 0; t < T; t++) {
                float *s = take(b, 5 * n * fl);
                if (b->base)
                    l->stats[t] = (sdn_bn_stats){s, s + n, s + 2 * n, s + 3 * n, s + 4 * n};
            }
        }
        if (l->kind == SDN_LAYER_DROPOUT || l->kind == SDN_LAYER_ALPHA_DROPOUT)
            l->keep = take(b, B * n);
        l->dx = prev ? prev->dy : NULL;
    }
    m->ones = take(b, B * fl);
    m->row_loss = take(b, B * fl);
    m->clip_part = take(b, ((m->n_params + SDN_CLIP_CHUNK - 1) / SDN_CLIP_CHUNK + 1) * sizeof(double));
}

static float *alloc_flat(size_t n)
{
    /* 64-byte aligned, zeroed (which also takes the first-touch page faults now) */
    size_t bytes = ((n ? n : 1) * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

static sdn_status add_segment(sdn_model *m, size_t off, size_t len, float l1, float l2)
{
    if (!len)
        return SDN_OK;
    struct sdn_segment *s = m->n_segments ? &m->segments[m->n_segments - 1] : NULL;
    if (s && s->off + s->len == off && s->l1 == l1 && s->l2 == l2) {
        s->len += len;
        return SDN_OK;
    }
    s = realloc(m->segments, (size_t)(m->n_segments + 1) * sizeof *s);
    if (!s)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for the optimizer segments");
    m->segments = s;
    m->segments[m->n_segments++] = (struct sdn_segment){off, len, l1, l2};
    return SDN_OK;
}

static sdn_status build_tensors(sdn_model *m)
{
    const int slots = (m->opt_m != NULL) + (m->opt_v != NULL);
    size_t cap = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->kind == SDN_LAYER_DENSE)
            cap += (size_t)(1 + l->use_bias) * (1 + slots);
        if (l->kind == SDN_LAYER_BATCH_NORM)
            cap += 2 * (size_t)(1 + slots) + 2;
    }
    m->tensors = calloc(cap ? cap : 1, sizeof *m->tensors);
    m->tensor_names = calloc(cap ? cap : 1, sizeof *m->tensor_names);
    if (!m->tensors || !m->tensor_names)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for the tensor list");
    size_t k = 0;
#define ADD(role_, buf, off, r, s0, s1, fmt, ...)                                                \
    do {                                                                                         \
        snprintf(m->tensor_names[k], sizeof m->tensor_names[k], fmt, __VA_ARGS__);               \
        m->tensors[k] = (sdn_tensor){m->tensor_names[k], role_, r, {s0, s1},                     \
                                     (size_t)(s0) * ((r) == 2 ? (size_t)(s1) : 1), (buf) + (off)}; \
        k++;                                                                                     \
    } while (0)
    /* parameters and non-trainable state first, in layer order; then optimizer slots */
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->kind == SDN_LAYER_DENSE) {
            ADD(SDN_TENSOR_PARAM, m->params, l->w_off, 2, l->n_in, l->n_out, "%s.kernel", l->name);
            if (l->use_bias)
                ADD(SDN_TENSOR_PARAM, m->params, l->b_off, 1, l->n_out, 0, "%s.bias", l->name);
        } else if (l->kind == SDN_LAYER_BATCH_NORM) {
            ADD(SDN_TENSOR_PARAM, m->params, l->w_off, 1, l->n_out, 0, "%s.gamma", l->name);
            ADD(SDN_TENSOR_PARAM, m->params, l->b_off, 1, l->n_out, 0, "%s.beta", l->name);
            ADD(SDN_TENSOR_STATE, m->state, l->s_off, 1, l->n_out, 0, "%s.moving_mean", l->name);
            ADD(SDN_TENSOR_STATE, m->state, l->s_off + l->n_out, 1, l->n_out, 0,
                "%s.moving_variance", l->name);
        }
    }
    const size_t n_param_tensors = k;
    for (int s = 0; s < 2; s++) {
        float *buf = s == 0 ? m->opt_m : m->opt_v;
        if (!buf)
            continue;
        for (size_t t = 0; t < n_param_tensors; t++) {
            const sdn_tensor *p = &m->tensors[t];
            if (p->role != SDN_TENSOR_PARAM)
                continue;
            ADD(SDN_TENSOR_OPTIMIZER, buf, (size_t)(p->data - m->params), p->rank, p->shape[0],
                p->shape[1], "optimizer.%s.%s", s == 0 ? "m" : "v", p->name);
        }
    }
#undef ADD
    m->n_tensors = k;
    return SDN_OK;
}

static int threads_available(void)
{
#ifdef _OPENMP
    int a = omp_get_max_threads(), b = omp_get_num_procs();
    return a > b ? a : b;
#else
    return 1;
#endif
}

static void init_weights(sdn_model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        const uint32_t stream = SDN_STREAM_INIT + 2 * (uint32_t)i;
        if (l->kind == SDN_LAYER_DENSE) {
            sdn_init_fill(m->params + l->w_off, l->w_size, l->kernel_init, l->n_in, l->n_out,
                          m->seed, stream);
            if (l->use_bias)
                sdn_init_fill(m->params + l->b_off, l->b_size, l->bias_init, l->n_out, l->n_out,
                              m->seed, stream + 1);
        } else if (l->kind == SDN_LAYER_BATCH_NORM) {
            for (size_t j = 0; j < l->n_out; j++) {
                m->params[l->w_off + j] = 1.0f;            /* gamma */
                m->params[l->b_off + j] = 0.0f;            /* beta */
                m->state[l->s_off + j] = 0.0f;             /* moving mean */
                m->state[l->s_off + l->n_out + j] = 1.0f;  /* moving variance */
            }
        }
    }
}

sdn_status sdn_model_compile(sdn_model *m, size_t input_size, size_t max_batch,
                             const sdn_optimizer_options *o)
{
    sdn_status st = sdn_init();
    if (st)
        return st;
    if (!m || !o)
        return sdn_fail(SDN_ERR_INVALID_ARG, "compile: model or optimizer is NULL");
    if (m->compiled)
        return sdn_fail(SDN_ERR_STATE, "compile: the model is already compiled");
    if (!input_size || !max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "compile: input size and max batch must be >= 1");
    if ((unsigned)o->kind >= SDN_OPT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "compile: unknown optimizer %d", (int)o->kind);
    if (!(o->learning_rate > 0.0f) || !isfinite(o->learning_rate) || bad_float(o->momentum) ||
        bad_float(o->epsilon) || bad_float(o->clip_norm) || !(o->beta1 >= 0 && o->beta1 < 1) ||
        !(o->beta2 >= 0 && o->beta2 < 1) || !(o->rho >= 0 && o->rho < 1))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "compile: bad %s hyperparameters (lr %g must be > 0; momentum, epsilon, "
                        "clip_norm >= 0; beta1, beta2, rho in [0, 1))",
                        sdn_optimizer_name(o->kind), (double)o->learning_rate);
    if (!m->n_layers || !is_softmax_layer(&m->layers[m->n_layers - 1]))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "compile: the last layer must be Dense or Activation with softmax (the loss "
                        "is sparse categorical cross-entropy on its output)");
    for (int i = 0; i + 1 < m->n_layers; i++)
        if (is_softmax_layer(&m->layers[i]))
            return sdn_fail(SDN_ERR_INVALID_ARG, "compile: softmax only on the output layer (%s)",
                            m->layers[i].name);
    /* shapes, parameter offsets, optimizer segments */
    size_t width = input_size, P = 0, S = 0, max_width = input_size;
    int params_before = 0;
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        l->n_in = width;
        if (l->kind != SDN_LAYER_DENSE)
            l->n_out = width;
        l->alpha = default_alpha(l->act, l->alpha);
        l->need_dx = params_before;
        if (l->kind == SDN_LAYER_DENSE) {
            l->w_off = P;
            l->w_size = l->n_in * l->n_out;
            P += l->w_size;
            l->b_off = P;
            l->b_size = l->use_bias ? l->n_out : 0;
            P += l->b_size;
            if ((st = add_segment(m, l->w_off, l->w_size, l->l1, l->l2)) ||
                (st = add_segment(m, l->b_off, l->b_size, 0.0f, 0.0f)))
                return st;
            params_before = 1;
        } else if (l->kind == SDN_LAYER_BATCH_NORM) {
            l->w_off = P;
            l->b_off = P + l->n_out;
            l->w_size = l->b_size = l->n_out;
            P += 2 * l->n_out;
            l->s_off = S;
            S += 2 * l->n_out;
            if ((st = add_segment(m, l->w_off, 2 * l->n_out, 0.0f, 0.0f)))
                return st;
            params_before = 1;
        }
        width = l->n_out;
        if (width > max_width)
            max_width = width;
    }
    m->input_size = input_size;
    m->output_size = width;
    m->max_batch = max_batch;
    m->max_width = max_width;
    m->n_params = P;
    m->n_state = S;
    m->n_chunks_max = (max_batch + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    m->max_threads = (int)min_sz((size_t)threads_available(), m->n_chunks_max);
    m->opt = *o;
    /* flat buffers */
    const int need_m = o->kind == SDN_OPT_ADAM || o->kind == SDN_OPT_NADAM ||
                       (o->kind == SDN_OPT_SGD && o->momentum != 0.0f);
    const int need_v = o->kind == SDN_OPT_ADAM || o->kind == SDN_OPT_NADAM ||
                       o->kind == SDN_OPT_RMSPROP;
    m->params = alloc_flat(P);
    m->grads = alloc_flat(P);
    m->state = alloc_flat(S);
    m->opt_m = need_m ? alloc_flat(P) : NULL;
    m->opt_v = need_v ? alloc_flat(P) : NULL;
    bump b = {NULL, 0};
    layout_buffers(m, &b);
    m->arena_bytes = (b.used + 63) & ~(size_t)63;
    m->arena = aligned_alloc(64, m->arena_bytes);
    if (!m->params || !m->grads || !m->state || (need_m && !m->opt_m) || (need_v && !m->opt_v) ||
        !m->arena)
        return sdn_fail(SDN_ERR_NOMEM, "compile: out of memory (%zu parameters, %zu MiB of "
                        "activations)", P, m->arena_bytes >> 20);
    memset(m->arena, 0, m->arena_bytes); /* first touch now, not in the first step */
    b = (bump){m->arena, 0};
    layout_buffers(m, &b);
    for (size_t r = 0; r < max_batch; r++)
        m->ones[r] = 1.0f;
    if ((st = build_tensors(m)))
        return st;
    init_weights(m);
    m->compiled = 1;
    m->step = 0;
    m->nadam_mu_product = 1.0;
    /* Warm-up: one forward/backward at max_batch lets each thread grow its GEMM packing
     * buffers now; the gradients it leaves are overwritten by the first step. */
    float *zx = calloc(max_batch * input_size, sizeof(float));
    int32_t *zl = calloc(max_batch, sizeof(int32_t));
    if (zx && zl) {
        double loss;
        sdn_model_loss_and_grads(m, zx, zl, max_batch, 1, &loss);
    }
    free(zx);
    free(zl);
    return SDN_OK;
}

/* ------------------------------------------------------------------------- the pass */

enum pass_mode { MODE_PREDICT, MODE_EVAL, MODE_GRADS, MODE_TRAIN };

typedef struct step_ctx {
    sdn_model *m;
    const sdn_kernels *k;
    const float *x;
    const int32_t *labels;
    size_t n;
    enum pass_mode mode;
    int bn_training, dropout_active;
    uint32_t stream_base;
    uint64_t rng_step, row_base;
    sdn_optim_scalars scal;
    double loss;     /* mean data loss + regularization (thread 0, before barrier B) */
    size_t correct;
} step_ctx;

/* A pass over n rows of x (labels: NULL when predicting) in inference behaviour: BN on its moving
 * statistics, dropout off. */
static step_ctx pass_ctx(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                         enum pass_mode mode)
{
    step_ctx c = {0};
    c.m = m;
    c.k = sdn_kernels_active();
    c.x = x;
    c.labels = labels;
    c.n = n;
    c.mode = mode;
    return c;
}

/* Training behaviour: BN on batch statistics, dropout masks of the model's current step. */
static void use_training_behaviour(step_ctx *c)
{
    c->bn_training = 1;
    c->dropout_active = 1;
    c->stream_base = SDN_STREAM_DROPOUT;
    c->rng_step = c->m->step;
}

static const float *logits_of(const sdn_layer *l) { return l->kind == SDN_LAYER_DENSE ? l->z : l->x; }
/* Where the fused loss writes d(loss)/d(logits). */
static float *dlogits_of(const sdn_layer *l)
{
    return l->kind == SDN_LAYER_DENSE ? l->dy : l->need_dx ? l->dx : l->dy;
}

static double regularization(const sdn_model *m, const sdn_kernels *k)
{
    double r = 0.0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->kind != SDN_LAYER_DENSE || (l->l1 == 0.0f && l->l2 == 0.0f))
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

static size_t split_at(size_t len, int t, int T, size_t align)
{
    size_t v = len * (size_t)t / (size_t)T;
    v = (v + align - 1) / align * align;
    return v < len ? v : len;
}

/* One optimizer update of params[off, off+len) with the step's scalars and the range's l1, l2. */
static void update_range(step_ctx *c, size_t off, size_t len, float l1, float l2)
{
    sdn_model *m = c->m;
    sdn_optim_scalars sc = c->scal;
    sc.l1 = l1;
    sc.l2 = 2.0f * l2; /* the kernels take the gradient coefficient of l2·Σw² */
    sdn_optim_apply(c->k, &m->opt, &sc, m->params + off, m->grads + off,
                    m->opt_m ? m->opt_m + off : NULL, m->opt_v ? m->opt_v + off : NULL, len);
}

/* Weight gradients after barrier A: big dense layers split by kernel rows, small ones and BN
 * layers go whole to one thread, round-robin (the same plan on every thread). With `fused`, each
 * range is stepped by the optimizer right after its gradient is formed, while it is still in this
 * core's cache (the update is elementwise: which thread does it never changes a bit). */
static void weight_grads(step_ctx *c, const sdn_pass *p, int fused)
{
    sdn_model *m = c->m;
    const int t = p->t, T = p->nthreads;
    int rr = 0;
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        if (l->kind == SDN_LAYER_DENSE) {
            size_t i0 = 0, i1 = 0;
            int bias = 0;
            if (l->w_size >= SDN_SPLIT_MIN_WEIGHTS && T > 1) {
                i0 = split_at(l->n_in, t, T, 16);
                i1 = split_at(l->n_in, t + 1, T, 16);
                bias = t == 0;
            } else if (rr++ % T == t) {
                i1 = l->n_in;
                bias = 1;
            } else {
                continue;
            }
            sdn_prof_enter(SDN_PHASE_WGRAD, i, l->name); /* profiler hook */
            sdn_dense_backward_weights(l, m->grads, p, i0, i1, bias);
            sdn_prof_leave(); /* profiler hook */
            if (fused) {
                sdn_prof_enter(SDN_PHASE_OPTIMIZER, i, l->name); /* profiler hook */
                update_range(c, l->w_off + i0 * l->n_out, (i1 - i0) * l->n_out, l->l1, l->l2);
                if (bias)
                    update_range(c, l->b_off, l->b_size, 0.0f, 0.0f);
                sdn_prof_leave(); /* profiler hook */
            }
        } else if (l->kind == SDN_LAYER_BATCH_NORM && rr++ % T == t) {
            sdn_prof_enter(SDN_PHASE_WGRAD, i, l->name); /* profiler hook */
            sdn_batch_norm_backward_params(l, m->grads, p);
            sdn_prof_leave(); /* profiler hook */
            if (fused) {
                sdn_prof_enter(SDN_PHASE_OPTIMIZER, i, l->name); /* profiler hook */
                update_range(c, l->w_off, 2 * l->n_out, 0.0f, 0.0f);
                sdn_prof_leave(); /* profiler hook */
            }
        }
    }
}

static void update_moving_stats(sdn_model *m, size_t n)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == SDN_LAYER_BATCH_NORM)
            sdn_batch_norm_update_moving(&m->layers[i], m->state, n);
}

static void optimizer_step(step_ctx *c, const sdn_pass *p)
{
    sdn_model *m = c->m;
    const int t = p->t, T = p->nthreads;
    float clip_scale = 1.0f;
    if (m->opt.clip_norm > 0.0f) {
        /* global norm from fixed chunks summed in order: the same bits on every thread count */
        const size_t n_clip = (m->n_params + SDN_CLIP_CHUNK - 1) / SDN_CLIP_CHUNK;
        for (size_t q = (size_t)t; q < n_clip; q += (size_t)T)
            m->clip_part[q] = c->k->sumsq(min_sz(SDN_CLIP_CHUNK, m->n_params - q * SDN_CLIP_CHUNK),
                                          m->grads + q * SDN_CLIP_CHUNK);
        sdn_prof_barrier(); /* profiler hook */
        BARRIER
        double ss = 0.0;
        for (size_t q = 0; q < n_clip; q++)
            ss += m->clip_part[q];
        const double norm = sqrt(ss);
        if (norm > m->opt.clip_norm)
            clip_scale = (float)(m->opt.clip_norm / norm);
    }
    for (int s = 0; s < m->n_segments; s++) {
        const struct sdn_segment *g = &m->segments[s];
        const size_t a = g->off + split_at(g->len, t, T, 16), e = g->off + split_at(g->len, t + 1, T, 16);
        if (e <= a)
            continue;
        if (clip_scale != 1.0f)
            c->k->scale(e - a, m->grads + a, clip_scale);
        update_range(c, a, e - a, g->l1, g->l2);
    }
    if (t == 0)
        update_moving_stats(m, c->n);
}

/* One thread's share of a pass: forward, loss, backward over its fixed chunks of rows, then its
 * share of the weight gradients and of the optimizer. Every thread reaches every barrier. */
static void run_thread(step_ctx *c, int t, int T)
{
    sdn_model *m = c->m;
    const size_t n = c->n, n_chunks = (n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    sdn_pass p = {0};
    p.k = c->k;
    p.m = m;
    p.n = n;
    p.t = t;
    p.nthreads = T;
    p.c0 = n_chunks * (size_t)t / (size_t)T;
    p.c1 = n_chunks * (size_t)(t + 1) / (size_t)T;
    p.r0 = min_sz(p.c0 * SDN_CHUNK_ROWS, n);
    p.r1 = min_sz(p.c1 * SDN_CHUNK_ROWS, n);
    p.bn_training = c->bn_training;
    p.dropout_active = c->dropout_active;
    p.stream_base = c->stream_base;
    p.rng_step = c->rng_step;
    p.row_base = c->row_base;
    const size_t rows = p.r1 - p.r0, out = m->output_size;
    sdn_layer *last = &m->layers[m->n_layers - 1];

    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        sdn_prof_enter(SDN_PHASE_FORWARD, i, l->name); /* profiler hook */
        switch (l->kind) {
        case SDN_LAYER_FLATTEN: break;
        case SDN_LAYER_DENSE: sdn_dense_forward(l, m->params, &p); break;
        case SDN_LAYER_BATCH_NORM: sdn_batch_norm_forward(l, m->params, m->state, &p); break;
        case SDN_LAYER_ACTIVATION:
            if (l != last || c->mode == MODE_PREDICT)
                sdn_activation_forward(l, &p);
            break;
        case SDN_LAYER_DROPOUT:
        case SDN_LAYER_ALPHA_DROPOUT: sdn_dropout_forward(l, &p); break;
        default: break;
        }
        sdn_prof_leave(); /* profiler hook */
    }
    if (rows) {
        const float *z = logits_of(last) + p.r0 * out;
        float *probs = last->y + p.r0 * out;
        if (c->mode == MODE_PREDICT) {
            if (last->kind == SDN_LAYER_DENSE)
                c->k->softmax(rows, out, z, probs);
        } else {
            c->k->softmax_xent(rows, out, z, c->labels + p.r0, 1.0f / (float)n, probs,
                               dlogits_of(last) + p.r0 * out, m->row_loss + p.r0);
        }
    }
    if (c->mode == MODE_PREDICT)
        return;
    if (c->mode >= MODE_GRADS) {
        for (int i = m->n_layers - 1; i >= 0; i--) {
            sdn_layer *l = &m->layers[i];
            sdn_prof_enter(SDN_PHASE_BACKWARD, i, l->name); /* profiler hook */
            switch (l->kind) {
            case SDN_LAYER_FLATTEN: break;
            case SDN_LAYER_DENSE: sdn_dense_backward(l, m->params, &p); break;
            case SDN_LAYER_BATCH_NORM: sdn_batch_norm_backward(l, m->params, &p); break;
            case SDN_LAYER_ACTIVATION: sdn_activation_backward(l, &p); break;
            case SDN_LAYER_DROPOUT:
            case SDN_LAYER_ALPHA_DROPOUT: sdn_dropout_backward(l, &p); break;
            default: break;
            }
            sdn_prof_leave(); /* profiler hook */
        }
    }
    /* the regularization reads the weights: before barrier A, after which they may change */
    const double reg = t == 0 && c->mode >= MODE_GRADS ? regularization(m, c->k) : 0.0;
    sdn_prof_barrier(); /* profiler hook */
    BARRIER /* A: every row's loss and every layer's dZ are complete */
    /* every thread sums the row losses in the same order: all agree on finiteness, no barrier */
    double data_loss = 0.0;
    for (size_t r = 0; r < n; r++)
        data_loss += m->row_loss[r];
    data_loss /= (double)n;
    if (t == 0) {
        size_t correct = 0;
        for (size_t r = 0; r < n; r++) {
            const float *pr = last->y + r * out;
            size_t best = 0;
            for (size_t j = 1; j < out; j++)
                if (pr[j] > pr[best])
                    best = j;
            correct += (int32_t)best == c->labels[r];
        }
        c->loss = data_loss + reg;
        c->correct = correct;
    }
    if (c->mode < MODE_GRADS)
        return;
    /* a NaN/Inf loss leaves weights, moments and moving statistics as they were */
    const int step_ok = c->mode == MODE_TRAIN && isfinite(data_loss);
    if (m->opt.clip_norm <= 0.0f) {
        weight_grads(c, &p, step_ok);
        if (step_ok && t == 0)
            update_moving_stats(m, n);
        return;
    }
    weight_grads(c, &p, 0);
    if (c->mode == MODE_GRADS)
        return;
    sdn_prof_barrier(); /* profiler hook */
    BARRIER /* B: every gradient is complete: the global norm can be formed */
    if (step_ok) {
        sdn_prof_enter(SDN_PHASE_OPTIMIZER, -1, "optimizer (clipped)"); /* profiler hook */
        optimizer_step(c, &p);
        sdn_prof_leave(); /* profiler hook */
    }
}

#ifdef _OPENMP
static int threads_for(const sdn_model *m, size_t n)
{
    const size_t n_chunks = (n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
    int T = (int)min_sz((size_t)sdn_num_threads(), min_sz((size_t)m->max_threads, n_chunks));
    double macs = 0.0;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == SDN_LAYER_DENSE)
            macs += (double)m->layers[i].w_size;
    if (macs * (double)n < sdn_parallel_min_macs)
        T = 1;
    return T < 1 ? 1 : T;
}
#endif

static void run(step_ctx *c)
{
    sdn_model *m = c->m;
    /* per-call pointers: each layer's input, flatten's output is its input */
    const float *in = c->x;
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        l->x = in;
        if (l->kind == SDN_LAYER_FLATTEN)
            l->y = (float *)in; /* never written through */
        in = l->y;
    }
    /* profiler hooks: the schedule counts passes; each thread's share is one scope */
    static const char *const pass_names[] = {"predict", "evaluate", "gradients", "train_step"};
    sdn_prof_step_begin();
#ifdef _OPENMP
    const int T = threads_for(m, c->n);
    if (T > 1) {
#pragma omp parallel num_threads(T)
        {
            sdn_prof_enter(SDN_PHASE_STEP, -1, pass_names[c->mode]);
            run_thread(c, omp_get_thread_num(), omp_get_num_threads());
            sdn_prof_leave();
        }
        sdn_prof_step_end();
        return;
    }
#endif
    sdn_prof_enter(SDN_PHASE_STEP, -1, pass_names[c->mode]);
    run_thread(c, 0, 1);
    sdn_prof_leave();
    sdn_prof_step_end();
}

static sdn_status check_ready(const sdn_model *m, const char *what)
{
    if (!m)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: model is NULL", what);
    if (!m->compiled)
        return sdn_fail(SDN_ERR_STATE, "%s: the model is not compiled", what);
    return SDN_OK;
}

static sdn_status check_labels(const sdn_model *m, const int32_t *labels, size_t n,
                               const char *what)
{
    if (!labels)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: labels are NULL", what);
    for (size_t i = 0; i < n; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= m->output_size)
            return sdn_fail(SDN_ERR_INVALID_ARG, "%s: label %ld at index %zu is out of range [0, %zu)",
                            what, (long)labels[i], i, m->output_size);
    return SDN_OK;
}

static sdn_status check_finite_input(const sdn_model *m, const float *x, size_t n,
                                     const char *what)
{
    const size_t d = m->input_size;
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return sdn_fail(SDN_ERR_NUMERIC, "%s: input row %zu, column %zu is %s", what, i / d,
                            i % d, isnan(x[i]) ? "NaN" : "infinite");
    return SDN_OK;
}

static void prepare_inference(sdn_model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        if (l->kind == SDN_LAYER_BATCH_NORM)
            for (size_t j = 0; j < l->n_out; j++)
                l->inf_inv_std[j] =
                    1.0f / sqrtf(m->state[l->s_off + l->n_out + j] + l->epsilon);
    }
}

/* ------------------------------------------------------------------------- training */

sdn_status sdn_model_loss_and_grads(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                    int grads, double *loss_out)
{
    sdn_status st = check_ready(m, "loss_and_grads");
    if (st || (st = check_labels(m, labels, n, "loss_and_grads")))
        return st;
    if (!x || !n || n > m->max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "loss_and_grads: bad batch");
    step_ctx c = pass_ctx(m, x, labels, n, grads ? MODE_GRADS : MODE_EVAL);
    use_training_behaviour(&c);
    /* EVAL mode skips the regularization: add it here so both modes return the same loss */
    run(&c);
    *loss_out = c.loss + (grads ? 0.0 : regularization(m, c.k));
    return SDN_OK;
}

sdn_status sdn_model_train_batch(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                 float *loss, float *accuracy)
{
    sdn_status st = check_ready(m, "train_batch");
    if (st)
        return st;
    if (!x)
        return sdn_fail(SDN_ERR_INVALID_ARG, "train_batch: x is NULL");
    if (!n || n > m->max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "train_batch: batch of %zu rows, expected 1..%zu", n,
                        m->max_batch);
    if ((st = check_labels(m, labels, n, "train_batch")))
        return st;
    step_ctx c = pass_ctx(m, x, labels, n, MODE_TRAIN);
    use_training_behaviour(&c);
    double mu_product;
    c.scal = sdn_optim_scalars_for(&m->opt, m->step + 1, m->nadam_mu_product, &mu_product);
    run(&c);
    if (loss)
        *loss = (float)c.loss;
    if (accuracy)
        *accuracy = (float)((double)c.correct / (double)n);
    if (!isfinite(c.loss)) {
        if ((st = check_finite_input(m, x, n, "train_batch")))
            return st;
        return sdn_fail(SDN_ERR_NUMERIC,
                        "train_batch: the loss is %s at step %llu; the weights are unchanged "
                        "(try a lower learning rate or gradient clipping)",
                        isnan(c.loss) ? "NaN" : "infinite", (unsigned long long)m->step);
    }
    m->step++;
    m->nadam_mu_product = mu_product;
    return SDN_OK;
}

/* ------------------------------------------------------------------------- inference */

sdn_status sdn_model_predict(sdn_model *m, const float *x, size_t n, float *probs)
{
    sdn_status st = check_ready(m, "predict");
    if (st)
        return st;
    if ((!x || !probs) && n)
        return sdn_fail(SDN_ERR_INVALID_ARG, "predict: x or probs is NULL");
    if ((st = check_finite_input(m, x, n, "predict")))
        return st;
    prepare_inference(m);
    const size_t out = m->output_size;
    const sdn_layer *last = &m->layers[m->n_layers - 1];
    for (size_t r = 0; r < n; r += m->max_batch) {
        step_ctx c =
            pass_ctx(m, x + r * m->input_size, NULL, min_sz(m->max_batch, n - r), MODE_PREDICT);
        run(&c);
        memcpy(probs + r * out, last->y, c.n * out * sizeof(float));
    }
    return SDN_OK;
}

sdn_status sdn_model_evaluate(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                              float *loss, float *accuracy)
{
    sdn_status st = check_ready(m, "evaluate");
    if (st)
        return st;
    if (!x || !n)
        return sdn_fail(SDN_ERR_INVALID_ARG, "evaluate: x is NULL or n is 0");
    if ((st = check_labels(m, labels, n, "evaluate")) ||
        (st = check_finite_input(m, x, n, "evaluate")))
        return st;
    prepare_inference(m);
    double sum = 0.0;
    size_t correct = 0;
    for (size_t r = 0; r < n; r += m->max_batch) {
        step_ctx c = pass_ctx(m, x + r * m->input_size, labels + r,
                              min_sz(m->max_batch, n - r), MODE_EVAL);
        run(&c);
        sum += c.loss * (double)c.n;
        correct += c.correct;
    }
    /* Keras reports the regularization inside the evaluated loss too */
    const double l = sum / (double)n + regularization(m, sdn_kernels_active());
    if (loss)
        *loss = (float)l;
    if (accuracy)
        *accuracy = (float)((double)correct / (double)n);
    return SDN_OK;
}

sdn_status sdn_model_predict_mc(sdn_model *m, const float *x, size_t n, int samples, float *mean,
                                float *std)
{
    sdn_status st = check_ready(m, "predict_mc");
    if (st)
        return st;
    if (samples < 1)
        return sdn_fail(SDN_ERR_INVALID_ARG, "predict_mc: samples must be >= 1 (got %d)", samples);
    if (n && (!x || !mean))
        return sdn_fail(SDN_ERR_INVALID_ARG, "predict_mc: x or mean is NULL");
    if ((st = check_finite_input(m, x, n, "predict_mc")))
        return st;
    prepare_inference(m);
    const size_t out = m->output_size;
    const sdn_layer *last = &m->layers[m->n_layers - 1];
    memset(mean, 0, n * out * sizeof(float));
    if (std)
        memset(std, 0, n * out * sizeof(float));
    for (int s = 0; s < samples; s++) {
        for (size_t r = 0; r < n; r += m->max_batch) {
            step_ctx c = pass_ctx(m, x + r * m->input_size, NULL, min_sz(m->max_batch, n - r),
                                  MODE_PREDICT);
            c.dropout_active = 1; /* BN stays in inference mode */
            c.stream_base = SDN_STREAM_MC;
            c.rng_step = m->mc_calls * (uint64_t)samples + (uint64_t)s;
            c.row_base = r;
            run(&c);
            for (size_t i = 0; i < c.n * out; i++) {
                const float pv = last->y[i];
                mean[r * out + i] += pv;
                if (std)
                    std[r * out + i] += pv * pv;
            }
        }
    }
    for (size_t i = 0; i < n * out; i++) {
        mean[i] /= (float)samples;
        if (std) {
            const float v = std[i] / (float)samples - mean[i] * mean[i];
            std[i] = v > 0.0f ? sqrtf(v) : 0.0f;
        }
    }
    m->mc_calls++;
    return SDN_OK;
}

/* ------------------------------------------------------------------------- accessors */

size_t sdn_model_input_size(const sdn_model *m) { return m ? m->input_size : 0; }
size_t sdn_model_output_size(const sdn_model *m) { return m ? m->output_size : 0; }
size_t sdn_model_param_count(const sdn_model *m) { return m ? m->n_params : 0; }

void sdn_model_set_learning_rate(sdn_model *m, float lr)
{
    if (m && lr > 0.0f && isfinite(lr))
        m->opt.learning_rate = lr;
}
float sdn_model_learning_rate(const sdn_model *m) { return m ? m->opt.learning_rate : 0.0f; }
uint64_t sdn_model_step(const sdn_model *m) { return m ? m->step : 0; }

void sdn_model_set_step(sdn_model *m, uint64_t step)
{
    if (!m)
        return;
    m->step = step;
    double prod = 1.0; /* Nadam's Π μ_1..μ_step, as if those steps had run */
    for (uint64_t t = 1; t <= step; t++)
        prod *= sdn_nadam_mu(m->opt.beta1, t);
    m->nadam_mu_product = prod;
}

static void shape_text(char *buf, size_t size, size_t n) { snprintf(buf, size, "(None, %zu)", n); }

sdn_status sdn_model_summary(const sdn_model *m, FILE *out)
{
    if (!m || !out)
        return sdn_fail(SDN_ERR_INVALID_ARG, "summary: model or stream is NULL");
    const char *rule = "________________________________________________________________________________\n";
    const char *dbl = "================================================================================\n";
    fprintf(out, "Model: \"sequential\"\n%s", rule);
    fprintf(out, " %-38s %-16s %-11s %s\n%s", "Layer (type)", "Output Shape", "Param #",
            "Details", dbl);
    size_t trainable = 0, non_trainable = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        char title[64], shape[32];
        snprintf(title, sizeof title, "%s (%s)", l->name, kind_titles[l->kind]);
        if (m->compiled)
            shape_text(shape, sizeof shape, l->n_out);
        else
            snprintf(shape, sizeof shape, "?");
        size_t p = 0;
        if (m->compiled && l->kind == SDN_LAYER_DENSE)
            p = l->w_size + l->b_size;
        if (m->compiled && l->kind == SDN_LAYER_BATCH_NORM) {
            p = 4 * l->n_out;
            non_trainable += 2 * l->n_out;
            trainable += 2 * l->n_out;
        } else {
            trainable += p;
        }
        char act[48] = "";
        if (l->kind == SDN_LAYER_DENSE || l->kind == SDN_LAYER_ACTIVATION)
            snprintf(act, sizeof act, "%s", sdn_activation_name(l->act));
        if (l->kind == SDN_LAYER_DROPOUT || l->kind == SDN_LAYER_ALPHA_DROPOUT)
            snprintf(act, sizeof act, "rate %g", (double)l->rate);
        char params[24];
        snprintf(params, sizeof params, "%zu", p);
        if (*act)
            fprintf(out, " %-38s %-16s %-11s %s\n", title, shape, params, act);
        else
            fprintf(out, " %-38s %-16s %s\n", title, shape, params);
        if (i + 1 < m->n_layers)
            fputc('\n', out);
    }
    fprintf(out, "%s", dbl);
    fprintf(out, "Total params: %zu\nTrainable params: %zu\nNon-trainable params: %zu\n%s",
            trainable + non_trainable, trainable, non_trainable, rule);
    return SDN_OK;
}

size_t sdn_model_tensor_count(const sdn_model *m) { return m ? m->n_tensors : 0; }

sdn_status sdn_model_tensor(const sdn_model *m, size_t index, sdn_tensor *out)
{
    if (!m || !out)
        return sdn_fail(SDN_ERR_INVALID_ARG, "tensor: model or out is NULL");
    if (index >= m->n_tensors)
        return sdn_fail(SDN_ERR_INVALID_ARG, "tensor: index %zu out of range [0, %zu)", index,
                        m->n_tensors);
    *out = m->tensors[index];
    return SDN_OK;
}

static sdn_status check_count(const sdn_model *m, size_t count, size_t want, const void *buf,
                              const char *what)
{
    sdn_status st = check_ready(m, what);
    if (st)
        return st;
    if (!buf)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: buffer is NULL", what);
    if (count != want)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: count %zu, the model has %zu", what, count, want);
    return SDN_OK;
}

sdn_status sdn_model_get_params(const sdn_model *m, float *dst, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params : 0, dst, "get_params");
    if (!st)
        memcpy(dst, m->params, count * sizeof(float));
    return st;
}

sdn_status sdn_model_set_params(sdn_model *m, const float *src, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params : 0, src, "set_params");
    if (!st)
        memcpy(m->params, src, count * sizeof(float));
    return st;
}

size_t sdn_model_state_count(const sdn_model *m) { return m ? m->n_params + m->n_state : 0; }

sdn_status sdn_model_get_state(const sdn_model *m, float *dst, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params + m->n_state : 0, dst, "get_state");
    if (!st) {
        memcpy(dst, m->params, m->n_params * sizeof(float));
        memcpy(dst + m->n_params, m->state, m->n_state * sizeof(float));
    }
    return st;
}

sdn_status sdn_model_set_state(sdn_model *m, const float *src, size_t count)
{
    sdn_status st = check_count(m, count, m ? m->n_params + m->n_state : 0, src, "set_state");
    if (!st) {
        memcpy(m->params, src, m->n_params * sizeof(float));
        memcpy(m->state, src + m->n_params, m->n_state * sizeof(float));
    }
    return st;
}

/* ------------------------------------------------------------------------- sparsity */

double sdn_model_sparsity(const sdn_model *m, float threshold)
{
    if (!m || !m->compiled)
        return 0.0;
    size_t zero = 0, total = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->kind != SDN_LAYER_DENSE)
            continue;
        for (size_t j = 0; j < l->w_size; j++)
            zero += fabsf(m->params[l->w_off + j]) <= threshold;
        total += l->w_size;
    }
    return total ? (double)zero / (double)total : 0.0;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

sdn_status sdn_model_prune(sdn_model *m, double fraction)
{
    sdn_status st = check_ready(m, "prune");
    if (st)
        return st;
    if (!(fraction >= 0.0 && fraction <= 1.0))
        return sdn_fail(SDN_ERR_INVALID_ARG, "prune: fraction must be in [0, 1] (got %g)", fraction);
    size_t total = 0;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == SDN_LAYER_DENSE)
            total += m->layers[i].w_size;
    if (!total || fraction == 0.0)
        return SDN_OK;
    float *mag = malloc(total * sizeof(float));
    if (!mag)
        return sdn_fail(SDN_ERR_NOMEM, "prune: out of memory");
    size_t k = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->kind == SDN_LAYER_DENSE)
            for (size_t j = 0; j < l->w_size; j++)
                mag[k++] = fabsf(m->params[l->w_off + j]);
    }
    qsort(mag, total, sizeof(float), cmp_float);
    const size_t q = (size_t)(fraction * (double)total);
    const float thr = q >= total ? INFINITY : mag[q];
    free(mag);
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->kind == SDN_LAYER_DENSE)
            for (size_t j = 0; j < l->w_size; j++)
                if (fabsf(m->params[l->w_off + j]) < thr)
                    m->params[l->w_off + j] = 0.0f;
    }
    return SDN_OK;
}
