/* The pass: a training step (or an inference pass) as ONE parallel region over fixed row chunks.
 * Each thread runs every layer's forward and backward on its own chunks (through the layer
 * tables), then its share of the weight gradients and of the optimizer. */
#include <math.h>
#include <string.h>

#include "model.h"
#include "platform/platform.h"
#include "profile/prof.h"
#include "rng.h"
#include "testhooks.h"
#include "thread_costs.h"

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

/* rows of probabilities whose largest entry is the label */
static size_t count_correct(const float *probs, size_t n, size_t classes, const int32_t *labels)
{
    size_t correct = 0;
    for (size_t r = 0; r < n; r++)
        correct += (int32_t)sdn_index_of_max(probs + r * classes, classes) == labels[r];
    return correct;
}

/* One thread's share of a pass: forward, loss, backward over its fixed chunks of rows (or its
 * stage), then its share of the weight gradients and of the optimizer. Every thread reaches
 * every barrier. */
static void run_share(sdn_step *c, int t, int T)
{
    sdn_model *m = c->m;
    const size_t n = c->n;
    const sdn_pass p = sdn_step_thread_pass(c, t, T);
    if (c->split == SDN_SPLIT_STAGES) {
        sdn_stages_run(c, &p);
    } else {
        sdn_layers_forward(c, &p, c->first_layer, c->end_layer ? c->end_layer : m->n_layers);
        if (c->mode == SDN_MODE_PREDICT)
            return;
        if (c->mode >= SDN_MODE_GRADS)
            sdn_layers_backward(c, &p, 0, m->n_layers);
    }
    /* the regularization reads the weights: before barrier A, after which they may change */
    const double reg = t == 0 && c->mode >= SDN_MODE_GRADS ? sdn_regularization(m, c->k) : 0.0;
    sdn_pass_meet(&p); /* A: every row's loss and every layer's dZ are complete */
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
        sdn_step_weight_grads(c, &p, step_ok);
        if (step_ok && t == 0)
            sdn_step_update_state(m);
        return;
    }
    sdn_step_weight_grads(c, &p, 0);
    if (c->mode == SDN_MODE_GRADS)
        return;
    sdn_pass_meet(&p); /* B: every gradient is complete: the global norm can be formed */
    if (step_ok) {
        sdn_prof_enter(SDN_PHASE_OPTIMIZER, -1, "optimizer (clipped)");
        sdn_step_optimizer(c, &p);
        sdn_prof_leave();
    }
}

/* Training passes on the model's own workspace steer the shares and the team: only they run one
 * at a time on a model (inference calls may bring workspaces of their own and run at once). */
static int steers_team(const sdn_step *c)
{
    return c->mode >= SDN_MODE_GRADS && c->ws == &c->m->ws;
}

/* After a training pass that began at t0: its wall time, for the team's verdict. */
static void judge_team(sdn_step *c, uint64_t t0)
{
    if (steers_team(c))
        sdn_share_judge(&c->m->share, c->split, (double)(sdn_clock_ticks() - t0), c->n);
}

/* Test hook: the lines this thread reads across cores, at the far cores' cost. */
static void far_cores_spin(sdn_step *c, int T)
{
    const double line_ns = SDN_HOOK(sdn_debug_far_line_ns, 0.0);
    if (!(SDN_HOOK(sdn_debug_far_round_trip_ns, 0.0) > 0.0) || !(line_ns > 0.0))
        return;
    /* kept before the region: read only */
    const struct sdn_traffic_kept *k = &c->m->traffic[c->split == SDN_SPLIT_STAGES];
    const double lines = k->threads == T ? sdn_traffic_lines(&k->bytes, T) : 0.0;
    sdn_spin_ns((uint64_t)(lines * line_ns));
}

/* run_share, timed: the thread's busy time is what it did not spend waiting for the others. */
static void run_thread(sdn_step *c, int t, int T)
{
    const uint64_t t0 = sdn_clock_ticks();
    const double away_us = t == 1 ? SDN_HOOK(sdn_debug_thread_away_us, 0.0) : 0.0;
    if (away_us > 0.0) /* test hook: the core taken away for a while */
        sdn_spin_ns((uint64_t)(away_us * 1e3));
    if (T > 1 && steers_team(c))
        far_cores_spin(c, T);
    run_share(c, t, T);
    if (t < SDN_SHARE_MAX_THREADS)
        c->clock[t].busy = sdn_clock_ticks() - t0 - c->clock[t].waited;
    if (t == 0)
        c->team = T;
}

#ifdef _OPENMP
/* After a training pass on several threads: each thread's speed, for the next pass's shares. */
static void observe_speeds(sdn_step *c)
{
    const int T = c->team;
    if (!steers_team(c) || c->split == SDN_SPLIT_NONE || T < 2 || T > SDN_SHARE_MAX_THREADS)
        return;
    double done[SDN_SHARE_MAX_THREADS], busy[SDN_SHARE_MAX_THREADS];
    const sdn_stages *st = c->split == SDN_SPLIT_STAGES ? &c->stages : NULL;
    sdn_thread_parts(c->m, c->n, T, st, done);
    for (int t = 0; t < T; t++)
        busy[t] = (double)c->clock[t].busy;
    sdn_share_observe(&c->m->share, T, done, busy);
}

/* How often the threads of a pass over layers [first, end) meet: barrier A, and inside the layers
 * that reduce over the batch or slice their kernel. */
static double meetings(const sdn_model *m, int first, int end)
{
    double n = 1.0;
    for (int i = first; i < end; i++)
        n += m->layers[i].ops->update_state ? 2.0 : m->layers[i].pieces > 1 ? 3.0 : 0.0;
    return n;
}

/* Training passes on the model's own workspace also count the lines their threads read across
 * cores (on a host whose cores sit apart, a small model's may cost more than its second half),
 * and plan their stages: *can_stage says whether they can run staged (c->stages). */
static int threads_for(sdn_step *c, int *can_stage)
{
    *can_stage = 0;
    sdn_model *m = c->m;
    const int first = c->first_layer, end = c->end_layer ? c->end_layer : m->n_layers;
    int T = (int)sdn_min_size((size_t)sdn_num_threads(),
                              sdn_min_size((size_t)m->max_threads, sdn_chunks(c->n)));
    if (T < 2)
        return 1;
    double macs = 0.0;
    for (int i = first; i < end; i++) /* the layers this pass runs */
        if (m->layers[i].ops->weight_matrix)
            macs += (double)m->layers[i].row_macs;
    double lines = 0.0;
    if (steers_team(c)) {
        lines = sdn_step_cross_lines(m, c->n, T, SDN_SPLIT_ROWS);
        *can_stage = sdn_stages_plan(m, c->n, T, &c->stages);
        if (*can_stage)
            lines = fmin(lines, sdn_step_cross_lines(m, c->n, T, SDN_SPLIT_STAGES));
    }
    double min_macs = SDN_HOOK(sdn_parallel_min_macs, -1.0);
    if (min_macs < 0.0)
        min_macs = sdn_pass_parallel_min(meetings(m, first, end), lines);
    return macs * (double)c->n < min_macs ? 1 : T;
}

/* The team of the next pass, and how it runs: training passes as the verdict says. */
static int team_for(sdn_step *c)
{
    int can_stage;
    const int T = threads_for(c, &can_stage);
    c->split = T > 1 ? SDN_SPLIT_ROWS : SDN_SPLIT_NONE;
    if (!steers_team(c))
        return T;
    can_stage = T > 1 && can_stage;
    c->split = sdn_share_split(&c->m->share, T, can_stage);
    const int forced = T > 1 ? SDN_HOOK(sdn_debug_split, 0) : 0; /* test hook */
    if (forced)
        c->split = forced == SDN_SPLIT_STAGES && can_stage ? SDN_SPLIT_STAGES : SDN_SPLIT_ROWS;
    return c->split == SDN_SPLIT_NONE ? 1 : T;
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
    const uint64_t t0 = sdn_clock_ticks();
#ifdef _OPENMP
    const int T = team_for(c);
    if (T > 1) {
        sdn_barrier_init(&c->barrier, (unsigned)T);
        for (int t = 0; c->split == SDN_SPLIT_STAGES && t < T; t++) {
            atomic_init(&c->done[t].forward, 0);
            atomic_init(&c->done[t].backward, 0);
        }
#pragma omp parallel num_threads(T)
        {
            /* OpenMP may grant fewer threads than asked (a pass run inside the caller's own
             * parallel region gets one): the barrier counts the team there is, and its rows
             * are split (the stages were cut for T). */
            if (omp_get_num_threads() != T) {
#pragma omp single
                {
                    sdn_barrier_init(&c->barrier, (unsigned)omp_get_num_threads());
                    if (c->split == SDN_SPLIT_STAGES)
                        c->split = SDN_SPLIT_ROWS;
                }
            }
            sdn_prof_enter(SDN_PHASE_STEP, -1, pass_names[c->mode]);
            run_thread(c, omp_get_thread_num(), omp_get_num_threads());
            sdn_prof_leave();
        }
        judge_team(c, t0);
        if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_RECORD) && steers_team(c)) {
            const sdn_pass_traffic *x = sdn_step_traffic_kept(m, c->n, c->team, c->split);
            sdn_prof_note_traffic(x->weight_bytes, x->activation_bytes, x->partial_bytes,
                                  c->split == SDN_SPLIT_STAGES);
        }
        sdn_prof_step_end();
        observe_speeds(c);
        return;
    }
#endif
    c->split = SDN_SPLIT_NONE;
    sdn_barrier_init(&c->barrier, 1);
    sdn_prof_enter(SDN_PHASE_STEP, -1, pass_names[c->mode]);
    run_thread(c, 0, 1);
    sdn_prof_leave();
    judge_team(c, t0);
    sdn_prof_step_end();
}
