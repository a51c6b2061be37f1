/* How a pass cuts its work between threads (sdn_step_thread_pass), and what then crosses between
 * their cores (sdn_step_traffic): the bytes one thread reads that another thread wrote, counted
 * from the cuts (rows, slices, the weight-gradient plan), not measured. Each such line travels
 * the round trip between the cores, so this is the figure to cut on a host whose cores sit
 * apart. */
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Thread t of T: its whole chunks of rows and its slices of a sliced layer, each as its share
 * says, and the step's behaviour. */
sdn_pass sdn_step_thread_pass(sdn_step *c, int t, int T)
{
    const size_t n = c->n, n_chunks = sdn_chunks(n);
    const sdn_share *s = &c->m->share;
    const size_t P = SDN_DENSE_PIECES;
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
    p.q0 = (size_t)T <= P ? sdn_share_cut(s, T, P, 1, t) : P * (size_t)t / (size_t)T;
    p.q1 = (size_t)T <= P ? sdn_share_cut(s, T, P, 1, t + 1) : P * (size_t)(t + 1) / (size_t)T;
    p.waited = t < SDN_SHARE_MAX_THREADS ? &c->clock[t].waited : NULL;
    p.r0 = sdn_min_size(p.c0 * SDN_CHUNK_ROWS, n);
    p.r1 = sdn_min_size(p.c1 * SDN_CHUNK_ROWS, n);
    p.bn_training = c->bn_training;
    p.dropout_active = c->dropout_active;
    p.stream_base = c->stream_base;
    p.rng_step = c->rng_step;
    p.row_base = c->row_base;
    return p;
}

typedef struct thread_cut {
    size_t rows;   /* rows of the batch this thread forms */
    size_t c0, c1; /* its chunks */
    const sdn_model *m;
    size_t n; /* the batch */
    int t;
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
    if (l->ops->update_state)
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
 * the thread's slices, which are the rows it steps); what the thread did not step, another did. */
static void read_parameters(thread_cut *c)
{
    const sdn_model *m = c->m;
    for (int i = 0; i < m->n_layers; i++) {
        const sdn_layer *l = &m->layers[i];
        if (l->pieces > 1)
            continue;
        c->weights += (double)((l->w_rows - (c->w1[i] - c->w0[i])) * l->w_cols);
        c->weights += c->bias[i] ? 0.0 : (double)l->b_size;
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
            const double own = (double)(p->q1 - p->q0) / SDN_DENSE_PIECES;
            c->partials +=
                (double)c->rows * (double)l->n_out * (double)(l->pieces - 1) * (1.0 - own);
            c->activations += (double)(c->n - c->rows) * (double)l->n_out;
        }
    }
}

sdn_pass_traffic sdn_step_traffic(sdn_model *m, size_t n, int T)
{
    sdn_pass_traffic out = {0};
    if (T < 2 || !n)
        return out;
    sdn_step step = {.m = m, .ws = &m->ws, .n = n, .mode = SDN_MODE_TRAIN};
    size_t *w0 = calloc(2 * (size_t)m->n_layers, sizeof *w0);
    int *bias = calloc((size_t)m->n_layers, sizeof *bias);
    if (!w0 || !bias) {
        free(w0);
        free(bias);
        return out;
    }
    for (int t = 0; t < T; t++) {
        const sdn_pass p = sdn_step_thread_pass(&step, t, T);
        thread_cut c = {p.r1 - p.r0, p.c0, p.c1, m, n, t, w0, w0 + m->n_layers, bias, 0, 0, 0};
        memset(w0, 0, 2 * (size_t)m->n_layers * sizeof *w0);
        memset(bias, 0, (size_t)m->n_layers * sizeof *bias);
        sdn_wgrad_plan(m, &p, read_for_gradients, &c);
        read_parameters(&c);
        read_partials(&c, &p);
        out.weight_bytes += 4.0 * c.weights;
        out.activation_bytes += 4.0 * c.activations;
        out.partial_bytes += 4.0 * c.partials;
    }
    free(w0);
    free(bias);
    return out;
}

const sdn_pass_traffic *sdn_step_traffic_kept(sdn_model *m, size_t n, int T)
{
    if (m->traffic.n != n || m->traffic.threads != T)
        m->traffic = (struct sdn_traffic_kept){n, T, sdn_step_traffic(m, n, T)};
    return &m->traffic.bytes;
}

double sdn_step_cross_lines(sdn_model *m, size_t n, int T)
{
    if (T < 2)
        return 0.0;
    return sdn_traffic_lines(sdn_step_traffic_kept(m, n, T), T);
}
