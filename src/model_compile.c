/* Compiling a model: shapes and the parameter layout from the layers' tables, the flat buffers,
 * the workspace (every activation buffer in one arena, allocated and touched once), the tensor
 * list, the initial weights, and a warm-up pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "platform/platform.h"
#include "rng.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int is_softmax_layer(const sdn_layer *l)
{
    return l->ops->logits && l->act == SDN_ACT_SOFTMAX;
}

static float default_alpha(sdn_activation act, float alpha)
{
    if (alpha != 0.0f)
        return alpha;
    return act == SDN_ACT_ELU ? 1.0f : act == SDN_ACT_LEAKY_RELU ? 0.3f : 0.0f;
}

/* Every layer's y and dy (in-place layers share their input's), its kind's own buffers, and the
 * per-row losses. Input pointers are the pass's business (see sdn_step_run). */
static void layout_workspace(const sdn_model *m, sdn_workspace *ws, sdn_bump *b)
{
    const size_t B = m->max_batch, fl = sizeof(float);
    const sdn_ws_dims d = {B, m->n_chunks_max, (size_t)m->max_threads};
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        sdn_acts *a = &ws->acts[i], *prev = i ? &ws->acts[i - 1] : NULL;
        if (l->ops->in_place) {
            a->dy = prev ? prev->dy : NULL; /* y is resolved per call: it is the input */
        } else if (l->relu_fused) {         /* the batch norm before it writes y and reads dy */
            a->y = prev->y;
            a->dy = prev->dy;
        } else {
            a->y = sdn_bump_take(b, B * l->n_out * fl);
            a->dy = sdn_bump_take(b, B * l->n_out * fl);
        }
        if (l->ops->buffers)
            l->ops->buffers(l, a, b, &d);
        a->dx = prev ? prev->dy : NULL;
    }
    ws->row_loss = sdn_bump_take(b, B * fl);
}

sdn_status sdn_workspace_new(const sdn_model *m, sdn_workspace *ws)
{
    *ws = (sdn_workspace){calloc((size_t)m->n_layers, sizeof *ws->acts), NULL, NULL, 0};
    sdn_bump b = {NULL, 0};
    if (ws->acts)
        layout_workspace(m, ws, &b);
    ws->arena_bytes = (b.used + 63) & ~(size_t)63;
    ws->arena = ws->acts ? sdn_aligned_alloc(64, ws->arena_bytes ? ws->arena_bytes : 64) : NULL;
    if (!ws->arena) {
        sdn_workspace_free(ws);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for %zu MiB of activations", b.used >> 20);
    }
    memset(ws->arena, 0, ws->arena_bytes); /* first touch now, not in the first pass */
    b = (sdn_bump){ws->arena, 0};
    layout_workspace(m, ws, &b);
    return SDN_OK;
}

void sdn_workspace_free(sdn_workspace *ws)
{
    free(ws->acts);
    sdn_aligned_free(ws->arena);
    *ws = (sdn_workspace){0};
}

void sdn_model_release_compiled(sdn_model *m)
{
    sdn_aligned_free(m->params);
    sdn_aligned_free(m->grads);
    sdn_aligned_free(m->opt_m);
    sdn_aligned_free(m->opt_v);
    sdn_aligned_free(m->state);
    free(m->segments);
    free(m->clip_part);
    sdn_workspace_free(&m->ws);
    free(m->tensors);
    free(m->tensor_names);
    m->params = m->grads = m->opt_m = m->opt_v = m->state = NULL;
    m->segments = NULL;
    m->n_segments = 0;
    m->clip_part = NULL;
    m->tensors = NULL;
    m->tensor_names = NULL;
    m->n_tensors = 0;
}

static float *alloc_flat(size_t n)
{
    /* 64-byte aligned, zeroed (which also takes the first-touch page faults now) */
    size_t bytes = ((n ? n : 1) * sizeof(float) + 63) & ~(size_t)63;
    float *p = sdn_aligned_alloc(64, bytes);
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

/* parameters and non-trainable state first, in layer order; then the optimizer slots, named
 * "optimizer.m.<parameter>" */
static void list_tensors(const sdn_model *m, sdn_tensor_list *t)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->tensors)
            m->layers[i].ops->tensors(&m->layers[i], t);
    const size_t n_layer_tensors = t->count;
    for (int s = 0; s < 2; s++) {
        float *buf = s == 0 ? m->opt_m : m->opt_v;
        if (!buf)
            continue;
        for (size_t k = 0; k < n_layer_tensors; k++) {
            const sdn_tensor *p = t->tensors ? &t->tensors[k] : NULL;
            if (p && p->role != SDN_TENSOR_PARAM)
                continue;
            if (!p) { /* sizing: an upper bound */
                t->count++;
                continue;
            }
            char what[64];
            snprintf(what, sizeof what, "%s.%s", s == 0 ? "m" : "v", p->name);
            t->slot = buf;
            sdn_tensor_list_add(t, SDN_TENSOR_OPTIMIZER, (size_t)(p->data - m->params), p->shape[0],
                                p->rank == 2 ? p->shape[1] : 0, "optimizer", what);
        }
    }
}

static sdn_status build_tensors(sdn_model *m)
{
    sdn_tensor_list t = {NULL, NULL, 0, m->params, m->state, NULL};
    list_tensors(m, &t);
    const size_t cap = t.count ? t.count : 1;
    m->tensors = calloc(cap, sizeof *m->tensors);
    m->tensor_names = calloc(cap, sizeof *m->tensor_names);
    if (!m->tensors || !m->tensor_names)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for the tensor list");
    t = (sdn_tensor_list){m->tensors, m->tensor_names, 0, m->params, m->state, NULL};
    list_tensors(m, &t);
    m->n_tensors = t.count;
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
        const sdn_layer *l = &m->layers[i];
        if (l->ops->init)
            l->ops->init(l, m->params, m->state, m->seed, SDN_STREAM_INIT + 2 * (uint32_t)i);
    }
}

static sdn_status check_compile_args(const sdn_model *m, size_t input_size, size_t max_batch,
                                     const sdn_optimizer_options *o)
{
    if (!m || !o)
        return sdn_fail(SDN_ERR_INVALID_ARG, "compile: model or optimizer is NULL");
    if (m->compiled)
        return sdn_fail(SDN_ERR_STATE, "compile: the model is already compiled");
    if (!input_size || !max_batch)
        return sdn_fail(SDN_ERR_INVALID_ARG, "compile: input size and max batch must be >= 1");
    if (m->in_h && m->in_h * m->in_w * m->in_c != input_size)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "compile: input size %zu is not the input shape %zu x %zu x %zu",
                        input_size, m->in_h, m->in_w, m->in_c);
    if ((unsigned)o->kind >= SDN_OPT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "compile: unknown optimizer %d", (int)o->kind);
    if (!(o->learning_rate > 0.0f) || !isfinite(o->learning_rate) || sdn_bad_nonneg(o->momentum) ||
        sdn_bad_nonneg(o->epsilon) || sdn_bad_nonneg(o->clip_norm) ||
        !(o->beta1 >= 0 && o->beta1 < 1) || !(o->beta2 >= 0 && o->beta2 < 1) ||
        !(o->rho >= 0 && o->rho < 1))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "compile: bad %s hyperparameters (lr %g must be > 0; momentum, epsilon, "
                        "clip_norm >= 0; beta1, beta2, rho in [0, 1))",
                        sdn_optimizer_name(o->kind), (double)o->learning_rate);
    if (!m->n_layers || !is_softmax_layer(&m->layers[m->n_layers - 1]))
        return sdn_fail(
            SDN_ERR_INVALID_ARG,
            "compile: the last layer must be Dense or Activation with softmax (the loss "
            "is sparse categorical cross-entropy on its output)");
    for (int i = 0; i + 1 < m->n_layers; i++)
        if (is_softmax_layer(&m->layers[i]))
            return sdn_fail(SDN_ERR_INVALID_ARG, "compile: softmax only on the output layer (%s)",
                            m->layers[i].name);
    return SDN_OK;
}

/* The output image shape where the kind's layout left it unset: a flat row for Dense and
 * Flatten (and any kind that changes the width), else the input's shape. */
static void layer_shape_out(sdn_layer *l)
{
    if (l->out_c)
        return;
    if (l->ops->flat_out || l->n_out != l->n_in) {
        l->out_h = l->out_w = 1;
        l->out_c = l->n_out;
    } else {
        l->out_h = l->in_h, l->out_w = l->in_w, l->out_c = l->in_c;
    }
}

/* A batch norm followed by a ReLU activation applies the ReLU itself (its kernels mask in the same
 * pass), and the activation layer becomes a view of its output: the same bits, two passes over the
 * activations fewer each way. */
static void fuse_relus(sdn_model *m)
{
    for (int i = 0; i < m->n_layers; i++)
        m->layers[i].relu_fused = 0;
    for (int i = 0; i + 1 < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i], *next = &m->layers[i + 1];
        if (l->ops == &sdn_batch_norm_ops && next->ops == &sdn_activation_ops &&
            next->act == SDN_ACT_RELU)
            l->relu_fused = next->relu_fused = 1;
    }
}

/* Shapes, parameter offsets (each layer's table lays out its own) and optimizer segments. */
static sdn_status layout_params(sdn_model *m, size_t input_size)
{
    size_t width = input_size, P = 0, S = 0, max_width = input_size;
    size_t h = m->in_h ? m->in_h : 1, w = m->in_h ? m->in_w : 1, ch = m->in_h ? m->in_c : width;
    int params_before = 0;
    for (int i = 0; i < m->n_layers; i++) {
        sdn_layer *l = &m->layers[i];
        l->n_in = width;
        l->in_h = h, l->in_w = w, l->in_c = ch;
        l->out_h = l->out_w = l->out_c = 0;
        l->alpha = default_alpha(l->act, l->alpha);
        l->need_dx = params_before;
        char err[200];
        if (l->ops->check && l->ops->check(l, err, sizeof err))
            return sdn_fail(SDN_ERR_INVALID_ARG, "compile: %s: %s", l->name, err);
        if (l->ops->layout)
            l->ops->layout(l, &P, &S);
        else
            l->n_out = width;
        layer_shape_out(l);
        if (l->ops->weight_matrix && !l->row_macs)
            l->row_macs = l->w_size;
        h = l->out_h, w = l->out_w, ch = l->out_c;
        if (l->w_rows && l->w_cols > ((size_t)1 << 40) / l->w_rows) /* w_size would have wrapped */
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "compile: %s has %zu x %zu weights, more than "
                            "any machine holds",
                            l->name, l->w_rows, l->w_cols);
        if (l->w_size || l->b_size) {
            sdn_status st;
            if ((st = add_segment(m, l->w_off, l->w_size, l->l1, l->l2)) ||
                (st = add_segment(m, l->b_off, l->b_size, 0.0f, 0.0f)))
                return st;
            params_before = 1;
        }
        width = l->n_out;
        if (width > max_width)
            max_width = width;
    }
    /* A layer that a sliced dense layer reads may split by features (batch norm does), so each
     * thread keeps the slices it multiplies on its own core. */
    for (int i = 0; i < m->n_layers; i++)
        m->layers[i].by_features = i + 1 < m->n_layers && m->layers[i + 1].pieces > 1 &&
                                   sdn_out_pixels(&m->layers[i]) == 1;
    fuse_relus(m);
    m->input_size = input_size;
    m->output_size = width;
    m->max_width = max_width;
    m->n_params = P;
    m->n_state = S;
    return SDN_OK;
}

/* The flat buffers (parameters, gradients, state, optimizer slots), the training scratch and the
 * model's workspace. */
static sdn_status allocate(sdn_model *m, const sdn_optimizer_options *o)
{
    const size_t P = m->n_params;
    const int need_m = o->kind == SDN_OPT_ADAM || o->kind == SDN_OPT_NADAM ||
                       (o->kind == SDN_OPT_SGD && o->momentum != 0.0f);
    const int need_v =
        o->kind == SDN_OPT_ADAM || o->kind == SDN_OPT_NADAM || o->kind == SDN_OPT_RMSPROP;
    m->params = alloc_flat(P);
    m->grads = alloc_flat(P);
    m->state = alloc_flat(m->n_state);
    m->opt_m = need_m ? alloc_flat(P) : NULL;
    m->opt_v = need_v ? alloc_flat(P) : NULL;
    m->clip_part = calloc((P + SDN_CLIP_CHUNK - 1) / SDN_CLIP_CHUNK + 1, sizeof *m->clip_part);
    if (!m->params || !m->grads || !m->state || (need_m && !m->opt_m) || (need_v && !m->opt_v) ||
        !m->clip_part)
        return sdn_fail(SDN_ERR_NOMEM, "compile: out of memory (%zu parameters)", P);
    return sdn_workspace_new(m, &m->ws);
}

/* One forward/backward at max_batch lets each thread grow its GEMM packing buffers now; the
 * gradients it leaves are overwritten by the first step. */
static void warm_up(sdn_model *m)
{
    float *zx = calloc(m->max_batch * m->input_size, sizeof(float));
    int32_t *zl = calloc(m->max_batch, sizeof(int32_t));
    if (zx && zl) {
        sdn_step c = sdn_step_new(m, zx, zl, m->max_batch, SDN_MODE_GRADS);
        sdn_step_train(&c);
        sdn_step_run(&c);
    }
    free(zx);
    free(zl);
}

sdn_status sdn_model_compile(sdn_model *m, size_t input_size, size_t max_batch,
                             const sdn_optimizer_options *o)
{
    sdn_status st = sdn_dispatch_init();
    if (st || (st = check_compile_args(m, input_size, max_batch, o)))
        return st;
    sdn_model_release_compiled(m); /* what an earlier compile that failed halfway left */
    if ((st = layout_params(m, input_size)))
        return st;
    m->max_batch = max_batch;
    m->n_chunks_max = sdn_chunks(max_batch);
    m->max_threads = (int)sdn_min_size((size_t)threads_available(), m->n_chunks_max);
    m->opt = *o;
    if ((st = allocate(m, o)) || (st = build_tensors(m)))
        return st;
    init_weights(m);
    m->compiled = 1;
    sdn_share_reset(&m->share, 0); /* equal shares until the threads' speeds are seen */
    memset(m->traffic, 0, sizeof m->traffic);
    m->step = 0;
    m->nadam_mu_product = 1.0;
    warm_up(m);
    return SDN_OK;
}
