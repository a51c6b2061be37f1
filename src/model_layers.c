/* A pass's walk through its layers over one thread's rows: forward with the loss, and backward
 * (through the layer tables). */
#include "model.h"
#include "profile/prof.h"
#include "testhooks.h"

/* The output layer leaves its logits, and the softmax (fused with the loss and its gradient when
 * there are labels) happens here. */
void sdn_layers_forward(const sdn_step *c, const sdn_pass *p, int first, int end)
{
    const sdn_model *m = c->m;
    for (int i = first; i < end; i++)
        if (m->layers[i].ops->forward) {
            sdn_prof_enter(SDN_PHASE_FORWARD, i, m->layers[i].name);
            sdn_slow_core_start(p);
            m->layers[i].ops->forward(&m->layers[i], p);
            sdn_slow_core_done(p);
            sdn_prof_leave();
        }
    const size_t rows = p->r1 - p->r0, out = m->output_size;
    if (!rows || end < m->n_layers) /* before the output (an MC Dropout prefix, a stage) */
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

void sdn_layers_backward(const sdn_step *c, const sdn_pass *p, int first, int end)
{
    const sdn_model *m = c->m;
    for (int i = end - 1; i >= first; i--)
        if (m->layers[i].ops->backward) {
            sdn_prof_enter(SDN_PHASE_BACKWARD, i, m->layers[i].name);
            sdn_slow_core_start(p);
            m->layers[i].ops->backward(&m->layers[i], p);
            sdn_slow_core_done(p);
            sdn_prof_leave();
        }
}
