/* A staged training pass: the layers after the last that meets the other threads (a batch norm,
 * a sliced kernel) cut into one stage per thread, the rows flowing through them in micro-batches
 * (model.h, sdn_stages). A pass on rows sends every hidden layer's weights to the other core each
 * step, since every thread multiplies by all of them and another thread stepped half; a staged
 * pass keeps each layer's weights, gradients and optimizer moments on the core of its stage, and
 * hands on only a stage's last activations and their gradients. Each row is computed as on one
 * thread (a product's row sums the same way whichever rows share the call), and each gradient
 * over the whole batch, so the bits are those of any other split. */
#include "model.h"
#include "profile/prof.h"

/* Micro-batch j of p's pass: the same rows on every thread. No staged layer reduces over chunks;
 * c0, c1 are the chunks the rows touch. */
static sdn_pass batch_pass(const sdn_step *c, const sdn_pass *p, size_t j)
{
    sdn_pass q = *p;
    q.r0 = sdn_min_size(j * c->stages.rows, c->n);
    q.r1 = sdn_min_size((j + 1) * c->stages.rows, c->n);
    q.c0 = q.r0 / SDN_CHUNK_ROWS;
    q.c1 = sdn_chunks(q.r1);
    return q;
}

/* The gradients of the stage's weights, once its backward is done for every row. */
static void stage_grads(const sdn_step *c, const sdn_pass *p)
{
    for (int i = p->stage_lo; i < p->stage_hi; i++) {
        const sdn_layer *l = &c->m->layers[i];
        if (!l->w_size && !l->b_size)
            continue;
        sdn_prof_enter(SDN_PHASE_WGRAD, i, l->name);
        sdn_slow_core_start(p);
        l->ops->weight_grads(l, p, 0, l->w_rows, 1);
        sdn_slow_core_done(p);
        sdn_prof_leave();
    }
}

void sdn_stages_run(sdn_step *c, const sdn_pass *p)
{
    struct sdn_stage_done *done = c->done;
    const int t = p->t, last = p->nthreads - 1, first = c->stages.first;
    const unsigned M = (unsigned)c->stages.batches;
    /* the layers before the stages on this thread's rows; then every row of their output */
    sdn_layers_forward(c, p, 0, first);
    if (first > 0)
        sdn_pass_meet(p);
    for (unsigned j = 0; j < M; j++) {
        const sdn_pass q = batch_pass(c, p, j);
        if (t > 0)
            sdn_pass_await(p, &done[t - 1].forward, j + 1);
        sdn_layers_forward(c, &q, p->stage_lo, p->stage_hi);
        sdn_flag_set(&done[t].forward, j + 1);
    }
    /* the backward from the last micro-batch, which the last stage has just run forward: the
     * stages before it wait for that one's forward and backward only */
    for (unsigned j = 0; j < M; j++) {
        const sdn_pass q = batch_pass(c, p, M - 1 - j);
        if (t < last)
            sdn_pass_await(p, &done[t + 1].backward, j + 1);
        sdn_layers_backward(c, &q, p->stage_lo, p->stage_hi);
        sdn_flag_set(&done[t].backward, j + 1);
    }
    stage_grads(c, p); /* while the stages before this one finish their backward */
    if (first == 0)
        return;
    if (t > 0) /* this thread's rows of the first stage's input gradient */
        sdn_pass_await(p, &done[0].backward, M);
    sdn_layers_backward(c, p, 0, first);
}
