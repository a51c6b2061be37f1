/* How a pass cuts its work between threads (sdn_step_thread_pass; a staged pass's stages,
 * sdn_stages_plan), and what then crosses between their cores (sdn_step_traffic,
 * sdn_stages_traffic): the bytes one thread reads that another thread wrote, counted from the
 * cuts (rows, slices, stages, the weight-gradient plan), not measured. Each such line travels
 * the round trip between the cores, so this is the figure to cut on a host whose cores sit
 * apart. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Where thread t of T's part of a sliced layer starts (sdn_pass u0), in slice chunks: as the
 * shares cut them while every thread can have a slice, else evenly. A slice shared by rows sends
 * part of its kernel to the other core every pass, so the cut keeps to whole slices unless the
 * shares are more than a quarter slice from them. */
static size_t part_start(const sdn_share *s, int T, size_t n, int t)
{
    const size_t P = SDN_DENSE_PIECES, units = sdn_slice_chunks(n);
    if ((size_t)T > P)
        return units * (size_t)t / (size_t)T;
    const double at = sdn_share_before(s, T, t) * (double)P;
    if (fabs(at - floor(at + 0.5)) <= 0.25)
        return sdn_share_cut(s, T, P, 1, t) * sdn_chunks(n);
    return sdn_share_cut(s, T, units, 1, t);
}

size_t sdn_model_input_cut(const sdn_model *m, size_t n, int T, size_t *cut)
{
    const sdn_layer *first = m->layers;
    while (first < m->layers + m->n_layers && first->ops->in_place) /* flatten */
        first++;
    if (first == m->layers + m->n_layers || (first->pieces <= 1 && !first->by_features) || T < 2 ||
        T > SDN_DENSE_PIECES || T > m->max_threads || !n)
        return 0;
    for (int t = 0; t <= T; t++)
        cut[t] = part_start(&m->share, T, n, t);
    return sdn_slice_chunks(n);
}

/* Thread t of T: its whole chunks of rows and its slices of a sliced layer, each as its share
 * says, and the step's behaviour. */
sdn_pass sdn_step_thread_pass(sdn_step *c, int t, int T)
{
    const size_t n = c->n, n_chunks = sdn_chunks(n);
    const sdn_share *s = &c->m->share;
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
    p.c0 = sdn_share_cut(s, T, n_chunks, 1, t);
    p.c1 = sdn_share_cut(s, T, n_chunks, 1, t + 1);
    p.u0 = part_start(s, T, n, t);
    p.u1 = part_start(s, T, n, t + 1);
    p.waited = t < SDN_SHARE_MAX_THREADS ? &c->clock[t].waited : NULL;
    if (c->split == SDN_SPLIT_STAGES) {
        p.staged_from = c->stages.first;
        p.stage_lo = t ? c->stages.end[t - 1] : c->stages.first;
        p.stage_hi = c->stages.end[t];
    }
    p.r0 = sdn_min_size(p.c0 * SDN_CHUNK_ROWS, n);
    p.r1 = sdn_min_size(p.c1 * SDN_CHUNK_ROWS, n);
    p.bn_training = c->bn_training;
    p.dropout_active = c->dropout_active;
    p.stream_base = c->stream_base;
    p.rng_step = c->rng_step;
    p.row_base = c->row_base;
    return p;
}

/* Micro-batches per stage, about: a stage idles while the first micro-batch reaches it and the
 * last leaves it, (T − 1) parts in (BATCHES_PER_STAGE · T + T − 1) of the stages' time, and
 * waits once per micro-batch for its input. */
#define BATCHES_PER_STAGE 8

/* What a layer of a stage costs a row: its multiply-adds, and its outputs for the elementwise
 * work. */
static double row_cost(const sdn_layer *l)
{
    return (double)(l->ops->weight_matrix ? l->row_macs : 0) + (double)l->n_out;
}

/* What a layer costs a row in a training pass, in row_cost's units: its forward, its input's
 * gradient where an earlier layer needs it, and the gradient of its weights. */
static double pass_cost(const sdn_layer *l)
{
    return row_cost(l) * (1.0 + (l->need_dx ? 1.0 : 0.0) + (l->ops->weight_matrix ? 1.0 : 0.0));
}

/* Of units cut by the shares (rows' chunks), the fraction thread t of T takes. */
static double cut_fraction(const sdn_share *s, int T, size_t units, int t)
{
    return (double)(sdn_share_cut(s, T, units, 1, t + 1) - sdn_share_cut(s, T, units, 1, t)) /
           (double)units;
}

/* Thread t of T's part of the pass, in pass_cost's units. */
static double thread_work(const sdn_model *m, size_t n, int T, int t, const sdn_stages *st)
{
    const sdn_share *s = &m->share;
    const double rows = cut_fraction(s, T, sdn_chunks(n), t);
    const double pieces =
        (double)(part_start(s, T, n, t + 1) - part_start(s, T, n, t)) / (double)sdn_slice_chunks(n);
    const double stretch = sdn_share_fraction(s, T, t);
    const int first = st ? st->first : m->n_layers;
    double own = 0.0;
    for (int i = 0; i < first; i++) { /* forward and input gradient on rows, gradients by stretch */
        const sdn_layer *l = &m->layers[i];
        const double cost = pass_cost(l), grads = l->ops->weight_matrix ? row_cost(l) : 0.0;
        own += l->pieces > 1 ? cost * pieces : (cost - grads) * rows + grads * stretch;
    }
    for (int i = first; st && i < m->n_layers; i++)
        own += pass_cost(&m->layers[i]) * st->part[t];
    return own;
}

void sdn_thread_parts(const sdn_model *m, size_t n, int T, const sdn_stages *st, double *part)
{
    double all = 0.0;
    for (int i = 0; i < m->n_layers; i++)
        all += pass_cost(&m->layers[i]);
    for (int t = 0; t < T; t++)
        part[t] = thread_work(m, n, T, t, st) / all;
}

/* The first layer after every layer that meets the other threads inside it. */
static int first_staged(const sdn_model *m)
{
    int first = 0;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].ops->update_state || m->layers[i].pieces > 1)
            first = i + 1;
    return first;
}

static int has_weights(const sdn_model *m, int lo, int hi)
{
    for (int i = lo; i < hi; i++)
        if (m->layers[i].w_size)
            return 1;
    return 0;
}

/* A micro-batch's rows: whole register tiles of the GEMM's rows (a product over 8 rows takes a
 * 12-row tile's time), BATCHES_PER_STAGE per stage where the batch has them. */
static size_t batch_rows(size_t n, int T)
{
    const size_t mr = sdn_kernels_active()->gemm.mr, want = BATCHES_PER_STAGE * (size_t)T;
    return mr * ((n + mr * want - 1) / (mr * want));
}

int sdn_stages_plan(const sdn_model *m, size_t n, int T, sdn_stages *s)
{
    if (T < 2 || T > SDN_SHARE_MAX_THREADS || !n)
        return 0;
    sdn_stages plan = {.first = first_staged(m), .rows = batch_rows(n, T)};
    plan.batches = (n + plan.rows - 1) / plan.rows;
    if (plan.batches < 2)
        return 0;
    double total = 0.0;
    for (int i = plan.first; i < m->n_layers; i++)
        total += row_cost(&m->layers[i]);
    /* each layer to the stage its middle falls in, stages cut as the threads' shares say */
    double before = 0.0;
    int t = 0;
    for (int i = plan.first; i < m->n_layers; i++) {
        const double cost = row_cost(&m->layers[i]), mid = before + cost / 2;
        while (t < T - 1 && mid >= total * sdn_share_before(&m->share, T, t + 1))
            plan.end[t++] = i;
        plan.part[t] += cost / total;
        before += cost;
    }
    while (t < T)
        plan.end[t++] = m->n_layers;
    for (t = 0; t < T; t++) /* every stage holds a layer with weights */
        if (!has_weights(m, t ? plan.end[t - 1] : plan.first, plan.end[t]))
            return 0;
    if (s)
        *s = plan;
    return 1;
}

typedef struct thread_cut {
    size_t rows;   /* rows of the batch this thread forms */
    size_t c0, c1; /* its chunks */
    const sdn_model *m;
    size_t n; /* the batch */
    int t;
    int staged_from;                       /* a staged pass: its staged layers; else n_layers */
    size_t *w0, *w1;                       /* per layer: the kernel rows it steps */
    int *bias;                             /* per layer: whether it steps the bias */
    double weights, activations, partials; /* what it reads of other threads' writes, floats */
} thread_cut;

/* Weight gradients of rows [i0, i1) of layer i read those columns of the layer's input and the
 * whole of its dZ over every row of the batch; the other threads formed theirs. (Batch norm's
 * read the chunks' partial sums that its backward already brought over.) */
static void read_for_gradients(void *ctx, int i, size_t i0, size_t i1, int bias)
{
    thread_cut *c = ctx;
    const sdn_layer *l = &c->m->layers[i];
    c->w0[i] = i0;
    c->w1[i] = i1;
    c->bias[i] = bias;
    const size_t others = c->n - c->rows;
    if (l->ops->update_state || i >= c->staged_from) /* a stage's rows are all its own */
        return;
    /* the batch itself comes from the caller, thread 0 */
    const size_t x_rows = i == 0 ? (c->t == 0 ? 0 : c->n) : others;
    const double x_per_row =
        l->w_rows ? (double)l->n_in * (double)(i1 - i0) / (double)l->w_rows : 0.0;
    c->activations += (double)x_rows * x_per_row;
    if (i1 > i0 || bias)
        c->activations += (double)others * (double)l->n_out;
}

/* The next pass's products read every parameter of a layer (a sliced layer: the kernel rows of
 * the slices the thread multiplies, which are the rows it steps but in a slice it shares); what
 * the thread did not step, another did. */
static void read_parameters(thread_cut *c, const sdn_pass *p)
{
    const sdn_model *m = c->m;
    const size_t P = SDN_DENSE_PIECES;
    size_t first, end;
    sdn_slices_of(p, &first, &end);
    for (int i = 0; i < c->staged_from; i++) {
        const sdn_layer *l = &m->layers[i];
        size_t r0 = 0, r1 = l->w_rows;
        int reads_bias = 1;
        if (l->pieces > 1 && p->nthreads > (int)P)
            continue;
        if (l->pieces > 1) { /* the bias goes with the first slice */
            r0 = l->w_rows * first / P;
            r1 = l->w_rows * end / P;
            reads_bias = first == 0;
        }
        c->weights += (double)((r1 - r0 - (c->w1[i] - c->w0[i])) * l->w_cols);
        c->weights += c->bias[i] || !reads_bias ? 0.0 : (double)l->b_size;
    }
}

/* Batch norm's statistics and a sliced layer's partial products: every thread reads the other
 * threads' chunks (by features: their rows of x and dy). */
static void read_partials(thread_cut *c, const sdn_pass *p)
{
    const sdn_model *m = c->m;
    const size_t n_chunks = sdn_chunks(c->n);
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->ops->update_state) {
            const double f = (double)(l->w_size / 2);
            if (l->by_features)
                c->activations += 2.0 * (double)(c->n - c->rows) * f / (double)p->nthreads;
            else
                c->partials += 4.0 * (double)(n_chunks - (c->c1 - c->c0)) * f;
        } else if (l->pieces > 1) {
            const double own = (double)(p->u1 - p->u0) / (double)sdn_slice_chunks(c->n);
            c->partials +=
                (double)c->rows * (double)l->n_out * (double)(l->pieces - 1) * (1.0 - own);
            c->activations += (double)(c->n - c->rows) * (double)l->n_out;
        }
    }
}

/* A staged pass hands each stage's input rows on from the stage before and their gradient back
 * (the first stage takes the rows of the layers before it that other threads formed, and gives
 * each thread its rows of their gradient back). */
static void read_stage_edges(thread_cut *c, const sdn_pass *p)
{
    const sdn_layer *layers = c->m->layers;
    const int first = p->staged_from;
    const double n = (double)c->n;
    if (p->stage_lo > first) /* the stage before formed this stage's input */
        c->activations += n * (double)layers[p->stage_lo].n_in;
    else if (first > 0)
        c->activations += (n - (double)c->rows) * (double)layers[first].n_in;
    if (p->stage_hi < c->m->n_layers) /* and the stage after, its output's gradient */
        c->activations += n * (double)layers[p->stage_hi].n_in;
    if (first > 0 && p->t > 0)
        c->activations += (double)c->rows * (double)layers[first].n_in;
}

/* Each thread's reads of other threads' writes in a pass of n rows on T, on rows or staged. */
static sdn_pass_traffic count_traffic(sdn_model *m, size_t n, int T, int staged)
{
    sdn_pass_traffic out = {0};
    if (T < 2 || !n)
        return out;
    sdn_step step = {.m = m, .ws = &m->ws, .n = n, .mode = SDN_MODE_TRAIN};
    if (staged) {
        if (!sdn_stages_plan(m, n, T, &step.stages))
            return out;
        step.split = SDN_SPLIT_STAGES;
    }
    size_t *w0 = calloc(2 * (size_t)m->n_layers, sizeof *w0);
    int *bias = calloc((size_t)m->n_layers, sizeof *bias);
    if (!w0 || !bias) {
        free(w0);
        free(bias);
        return out;
    }
    for (int t = 0; t < T; t++) {
        const sdn_pass p = sdn_step_thread_pass(&step, t, T);
        thread_cut c = {.rows = p.r1 - p.r0,
                        .c0 = p.c0,
                        .c1 = p.c1,
                        .m = m,
                        .n = n,
                        .t = t,
                        .staged_from = staged ? p.staged_from : m->n_layers,
                        .w0 = w0,
                        .w1 = w0 + m->n_layers,
                        .bias = bias};
        memset(w0, 0, 2 * (size_t)m->n_layers * sizeof *w0);
        memset(bias, 0, (size_t)m->n_layers * sizeof *bias);
        sdn_wgrad_plan(m, &p, read_for_gradients, &c);
        read_parameters(&c, &p);
        read_partials(&c, &p);
        if (staged)
            read_stage_edges(&c, &p);
        out.weight_bytes += 4.0 * c.weights;
        out.activation_bytes += 4.0 * c.activations;
        out.partial_bytes += 4.0 * c.partials;
    }
    free(w0);
    free(bias);
    return out;
}

sdn_pass_traffic sdn_step_traffic(sdn_model *m, size_t n, int T)
{
    return count_traffic(m, n, T, 0);
}

sdn_pass_traffic sdn_stages_traffic(sdn_model *m, size_t n, int T)
{
    return count_traffic(m, n, T, 1);
}

const sdn_pass_traffic *sdn_step_traffic_kept(sdn_model *m, size_t n, int T, sdn_split split)
{
    const int staged = split == SDN_SPLIT_STAGES;
    struct sdn_traffic_kept *k = &m->traffic[staged];
    if (k->n != n || k->threads != T)
        *k = (struct sdn_traffic_kept){
            n, T, staged ? sdn_stages_traffic(m, n, T) : sdn_step_traffic(m, n, T)};
    return &k->bytes;
}

double sdn_step_cross_lines(sdn_model *m, size_t n, int T, sdn_split split)
{
    if (T < 2)
        return 0.0;
    return sdn_traffic_lines(sdn_step_traffic_kept(m, n, T, split), T);
}
