/* The Sequential model's internals: its layers (src/layers/layer.h), the flat buffers and the
 * workspace its passes write. Internal to simdnn (src/, tests/). */
#ifndef SDN_MODEL_H
#define SDN_MODEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "init.h"
#include "kernels.h"
#include "layers/layer.h"
#include "optim/optim.h"
#include "simdnn.h"
#include "thread_share.h"

/* Gradient elements per partial sum of the global norm (clipping), summed in order. */
#define SDN_CLIP_CHUNK 16384

/* What a pass writes: every layer's buffers and the per-row losses, in one 64-byte aligned arena.
 * The model keeps one for training; every inference call takes its own, so inference is
 * re-entrant. */
typedef struct sdn_workspace {
    sdn_acts *acts;  /* [n_layers] */
    float *row_loss; /* [max_batch] */
    void *arena;
    size_t arena_bytes;
} sdn_workspace;

/* What crosses between the cores in a training pass of n rows on T threads, counted from the
 * pass's cuts (model_cuts.c): bytes a thread reads that another thread wrote. */
typedef struct sdn_pass_traffic {
    double weight_bytes;     /* parameters another thread stepped in the pass before */
    double activation_bytes; /* rows of x and dZ other threads formed (weight gradients) */
    double partial_bytes;    /* batch norm's chunk sums, a sliced layer's partial products */
} sdn_pass_traffic;

struct sdn_model {
    uint64_t seed;
    sdn_layer *layers;
    int n_layers, cap_layers;
    int compiled;
    size_t input_size, output_size, max_batch, max_width;
    size_t in_h, in_w, in_c; /* the input's image shape (sdn_model_set_input_shape); 0: flat */
    size_t n_chunks_max;
    int max_threads;
    sdn_optimizer_options opt;
    uint64_t step;
    double nadam_mu_product; /* Π μ_1..μ_step (Nadam) */
    /* flat 64-byte aligned buffers */
    float *params, *grads, *opt_m, *opt_v, *state;
    size_t n_params, n_state;
    /* optimizer segments: contiguous parameter ranges sharing (l1, l2) */
    struct sdn_segment {
        size_t off, len;
        float l1, l2;
    } * segments;
    int n_segments;
    /* scratch */
    double *clip_part; /* [ceil(n_params / SDN_CLIP_CHUNK)] */
    sdn_workspace ws;  /* the training passes' buffers */
    /* named tensors */
    sdn_tensor *tensors;
    char (*tensor_names)[64];
    size_t n_tensors;
    uint64_t mc_calls; /* MC Dropout calls so far: each draws fresh masks */
    sdn_share share;   /* how the training passes split work between threads of unequal speed */
    struct sdn_traffic_kept {
        size_t n;
        int threads;
        sdn_pass_traffic bytes;
    } traffic[2]; /* the last training pass's traffic asked for, on rows and staged */
};

/* Appends a layer of the kind to an uncompiled model, named <kind>_<count> (model_build.c). */
sdn_status sdn_model_add_layer(sdn_model *m, const sdn_layer_ops *ops, sdn_layer **out);

/* A workspace for m's passes (compiled m), zeroed; and its release. */
sdn_status sdn_workspace_new(const sdn_model *m, sdn_workspace *ws);
void sdn_workspace_free(sdn_workspace *ws);

static inline size_t sdn_min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}
/* the first index of the largest of v[0:n] (sdn_argmax) */
static inline size_t sdn_index_of_max(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t j = 1; j < n; j++)
        if (v[j] > v[best])
            best = j;
    return best;
}
/* not a finite number >= 0 */
static inline int sdn_bad_nonneg(float v)
{
    return !isfinite(v) || v < 0.0f;
}

/* ---- the pass (src/model_pass.c) ---- */
typedef enum sdn_step_mode {
    SDN_MODE_PREDICT, /* forward and softmax */
    SDN_MODE_EVAL,    /* and the loss */
    SDN_MODE_GRADS,   /* and the backward into the gradients */
    SDN_MODE_TRAIN    /* and the optimizer step */
} sdn_step_mode;

/* A training pass on T threads may run staged: the layers from `first` on, where no layer meets
 * the others (no batch norm, no sliced kernel), are cut into T stages of about equal work, one
 * per thread, and the rows flow through them in micro-batches of whole GEMM tiles, each handed on
 * when done; the layers before `first` run on each thread's rows as in any pass. Each thread
 * forms and steps the weights of its own stage, so they never leave its core: what crosses is a
 * stage's last activations and their gradients (model_stages.c). */
typedef struct sdn_stages {
    int first;                          /* the first staged layer */
    int end[SDN_SHARE_MAX_THREADS];     /* stage t runs layers [t ? end[t − 1] : first, end[t]) */
    double part[SDN_SHARE_MAX_THREADS]; /* and that part of the stages' work */
    size_t rows, batches;               /* micro-batches: rows each (the last may have fewer) */
} sdn_stages;

/* One call's pass over n rows of x, shared by the threads that run it. */
typedef struct sdn_step {
    sdn_model *m;
    sdn_workspace *ws; /* the model's own unless an inference call brings one */
    const sdn_kernels *k;
    const float *x;
    const int32_t *labels; /* NULL when predicting */
    size_t n;
    sdn_step_mode mode;
    int bn_training, dropout_active;
    uint32_t stream_base;
    uint64_t rng_step, row_base;
    sdn_optim_scalars scal;
    double loss; /* mean data loss + regularization (thread 0, before barrier B) */
    size_t correct;
    int first_layer, end_layer; /* Layers [first, end) only; end 0 = all (MC prefix) */
    sdn_barrier barrier;        /* the pass's threads meet here */
    int team;                   /* the threads the pass ran on */
    sdn_split split;            /* and how it split the work (thread_share.h) */
    sdn_stages stages;          /* a staged pass's stages (model_stages.c) */
    /* a staged pass: the micro-batches each stage has finished, forward and backward */
    struct sdn_stage_done {
        _Alignas(64) atomic_uint forward;
        _Alignas(64) atomic_uint backward;
    } done[SDN_SHARE_MAX_THREADS];
    /* each thread's time (clock ticks) waiting at barriers and working, a line each */
    struct sdn_step_clock {
        _Alignas(64) uint64_t waited, busy;
    } clock[SDN_SHARE_MAX_THREADS];
} sdn_step;

/* A step in inference behaviour: BN on its moving statistics, dropout off. */
sdn_step sdn_step_new(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                      sdn_step_mode mode);
/* Training behaviour: BN on batch statistics, dropout masks of the model's current step. */
void sdn_step_train(sdn_step *c);
/* Runs the step on the model's workspace, on as many threads as pay off. */
void sdn_step_run(sdn_step *c);
/* After barrier A (model_update.c): this thread's weight gradients (and, fused, their optimizer
 * step); with clipping, the optimizer step once every gradient is complete; BN's moving state. */
void sdn_step_weight_grads(sdn_step *c, const sdn_pass *p, int fused);
/* Thread p->t's ranges of the weight gradients, in the order it forms them: rows [i0, i1) of
 * layer i's kernel, and its bias when `bias` (model_update.c). */
typedef void (*sdn_wgrad_visit)(void *ctx, int i, size_t i0, size_t i1, int bias);
void sdn_wgrad_plan(const sdn_model *m, const sdn_pass *p, sdn_wgrad_visit visit, void *ctx);
sdn_pass_traffic sdn_step_traffic(sdn_model *m, size_t n, int T);
/* The same for a staged pass; zero where it cannot stage. */
sdn_pass_traffic sdn_stages_traffic(sdn_model *m, size_t n, int T);
/* Either, kept in the model for the last (n, T) asked of each (training passes only, which run
 * one at a time on a model); and as 64-byte lines each of the T threads reads. */
const sdn_pass_traffic *sdn_step_traffic_kept(sdn_model *m, size_t n, int T, sdn_split split);
double sdn_step_cross_lines(sdn_model *m, size_t n, int T, sdn_split split);
static inline double sdn_traffic_lines(const sdn_pass_traffic *x, int T)
{
    return (x->weight_bytes + x->activation_bytes + x->partial_bytes) / 64.0 / T;
}
/* Thread t of T's part of the step: its rows, its slices of a sliced layer and, on a staged pass,
 * its stage (model_cuts.c). */
sdn_pass sdn_step_thread_pass(sdn_step *c, int t, int T);

/* Layers [first, end)'s forward over p's rows, and the loss (or the softmax) after the output
 * layer; their backward, last layer first (model_layers.c). */
void sdn_layers_forward(const sdn_step *c, const sdn_pass *p, int first, int end);
void sdn_layers_backward(const sdn_step *c, const sdn_pass *p, int first, int end);
/* Whether a training pass of n rows can run staged on T threads, and its stages (s may be NULL;
 * model_cuts.c); the forward and backward of thread p->t on a staged pass, up to barrier A
 * (model_stages.c). */
int sdn_stages_plan(const sdn_model *m, size_t n, int T, sdn_stages *s);
/* How the next training pass of n rows on T threads reads the caller's batch: of this many equal
 * parts of its columns, thread t reads about [cut[t], cut[t + 1]) (a first layer in pieces, or a
 * batch norm by features before it); or 0: each thread its rows (or one thread all of it). */
size_t sdn_model_input_cut(const sdn_model *m, size_t n, int T, size_t *cut);
/* Each of T threads' part of a training pass over n rows as the shares cut it (its rows, its
 * pieces of a sliced layer, its stretch of the weight gradients; staged: its stage): part[t], a
 * fraction of the pass's multiply-adds and outputs, weighed by the work each layer does. */
void sdn_thread_parts(const sdn_model *m, size_t n, int T, const sdn_stages *st, double *part);
void sdn_stages_run(sdn_step *c, const sdn_pass *p);
void sdn_step_optimizer(sdn_step *c, const sdn_pass *p);
void sdn_step_update_state(sdn_model *m);
/* l1·Σ|w| + l2·Σw² over every regularized block */
double sdn_regularization(const sdn_model *m, const sdn_kernels *k);
/* "what: model is NULL / not compiled" */
sdn_status sdn_model_check_ready(const sdn_model *m, const char *what);

/* ---- data-parallel training (src/dist/) ---- */
/* Forward and backward in training behaviour at the current step over n local rows, the first
 * being row `row_base` of the global batch (dropout masks follow the global row, so they do not
 * depend on the rank count). model->grads gets the local-mean gradient, no update is made.
 * loss: local mean data loss + regularization; correct: rows predicted right. */
sdn_status sdn_model_local_grads(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                 uint64_t row_base, double *loss, size_t *correct);
/* The optimizer step of params[lo, hi) (a rank's shard) from model->grads there, scaled by
 * clip_scale, then BN's moving statistics from the last local pass (n = its rows; 0: none); the
 * step advances. Weights and optimizer slots outside [lo, hi) are left as they are. */
void sdn_model_apply_grads(sdn_model *m, size_t n, size_t lo, size_t hi, float clip_scale);
/* Frees what compile builds and clears the counts, so a compile that failed halfway can be retried
 * from scratch (model_compile.c); sdn_model_free uses it too. */
void sdn_model_release_compiled(sdn_model *m);

/* ---- for the gradient checks (tests) ---- */
/* Forward + loss (+ backward into model->grads when grads != 0) in training mode at the current
 * step, without an optimizer step or any state change. loss_out: mean data loss + regularization,
 * accumulated in double. For the gradient checks. */
sdn_status sdn_model_loss_and_grads(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                    int grads, double *loss_out);

#endif
