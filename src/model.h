/* The Sequential model's internals: the layer record, the flat buffers and the per-call pass that
 * every layer's _forward/_backward pair receives. Internal to simdnn (src/, tests/). */
#ifndef SDN_MODEL_H
#define SDN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "simdnn.h"

/* Rows per reduction chunk. Batch statistics, bias and BN sums are reduced chunk by chunk in chunk
 * order, and threads take whole chunks, so results depend on the batch only, never on threads. */
#define SDN_CHUNK_ROWS 8
/* Gradient elements per partial sum of the global norm (clipping), summed in order. */
#define SDN_CLIP_CHUNK 16384

typedef enum sdn_layer_kind {
    SDN_LAYER_FLATTEN = 0,
    SDN_LAYER_DENSE,
    SDN_LAYER_BATCH_NORM,
    SDN_LAYER_ACTIVATION,
    SDN_LAYER_DROPOUT,
    SDN_LAYER_ALPHA_DROPOUT,
    SDN_LAYER_KIND_COUNT
} sdn_layer_kind;

/* Per-thread copies of a BN layer's batch statistics: every thread reduces the chunk partials in
 * the same order into its own copy (bitwise equal), which saves a barrier. n floats each. */
typedef struct sdn_bn_stats {
    float *mean, *var, *inv_std, *mean_dy, *mean_dy_xhat;
} sdn_bn_stats;

typedef struct sdn_layer {
    sdn_layer_kind kind;
    char name[32];
    size_t n_in, n_out;
    /* options */
    sdn_activation act;
    float alpha;            /* ELU alpha, leaky slope (resolved default) */
    sdn_initializer kernel_init, bias_init;
    int use_bias;
    float l1, l2;           /* Keras factors: loss += l1·Σ|w| + l2·Σw² */
    float momentum, epsilon; /* batch norm */
    float rate;             /* dropout */
    float drop_a, drop_b, drop_c; /* dropout affine: y = keep ? a·x + b : c */
    /* offsets (floats) into the flat buffers */
    size_t w_off, b_off, w_size, b_size; /* dense kernel/bias, BN gamma/beta */
    size_t s_off;                        /* BN moving mean, then moving var */
    int index;       /* position in the model */
    int need_dx;     /* some earlier layer has parameters: compute the input gradient */
    /* per-call pointers (set before each pass): input rows and where the input gradient goes */
    const float *x;
    float *dx;
    /* buffers of max_batch rows */
    float *y;        /* output (flatten: the input) */
    float *z;        /* dense pre-activation when the activation is not linear; else == y */
    float *dy;       /* gradient of the output (dense: becomes dZ in place) */
    float *xhat;     /* BN normalized input */
    uint8_t *keep;   /* dropout mask */
    /* BN reductions: chunk partials [chunks × n] (forward Σx, Σ(x−mean)²; backward Σdy, Σdy·xhat,
     * in separate buffers: a fast thread's backward must not overwrite what a slow one still
     * reads in the forward) and per-thread statistics */
    float *part_a, *part_b, *part_c, *part_d;
    sdn_bn_stats *stats; /* [threads] */
    float *inf_inv_std;  /* inference: 1/sqrt(moving_var + eps) */
} sdn_layer;

/* One forward (and backward) over rows [r0, r1) of an n-row batch, on thread t of nthreads. */
typedef struct sdn_pass {
    const sdn_kernels *k;
    const sdn_model *m;
    size_t n, r0, r1, c0, c1; /* batch rows; this thread's rows and chunks */
    int t, nthreads;
    int bn_training;    /* batch statistics (else moving) */
    int dropout_active; /* masks drawn (else identity) */
    uint32_t stream_base; /* SDN_STREAM_DROPOUT or SDN_STREAM_MC */
    uint64_t rng_step;    /* step (training) or pass index (MC) */
    uint64_t row_base;    /* global index of row 0 (MC over many chunks) */
} sdn_pass;

struct sdn_model {
    uint64_t seed;
    sdn_layer *layers;
    int n_layers, cap_layers;
    int kind_count[SDN_LAYER_KIND_COUNT];
    int compiled;
    size_t input_size, output_size, max_batch, max_width;
    size_t n_chunks_max;
    int max_threads;
    sdn_optimizer_options opt;
    uint64_t step;
    double nadam_mu_product; /* Π μ_1..μ_step (Nadam) */
    /* flat 64-byte aligned buffers */
    float *params, *grads, *opt_m, *opt_v, *state;
    size_t n_params, n_state;
    /* optimizer segments: contiguous parameter ranges sharing (l1, l2) */
    struct sdn_segment { size_t off, len; float l1, l2; } *segments;
    int n_segments;
    /* scratch */
    float *ones;        /* max_batch ones: bias gradient as 1ᵀ·dZ */
    float *row_loss;    /* [max_batch] */
    double *clip_part;  /* [ceil(n_params / SDN_CLIP_CHUNK)] */
    double shared_loss, shared_acc; /* written by thread 0 between barriers */
    void *arena;        /* one allocation for every activation buffer */
    size_t arena_bytes;
    /* named tensors */
    sdn_tensor *tensors;
    char (*tensor_names)[64];
    size_t n_tensors;
    uint64_t mc_calls;
};

/* ---- layers: forward and backward over this pass's rows (src/layers/) ---- */
/* dense: y[n × out] = f(x[n × in]·W[in × out] + b) */
void sdn_dense_forward(sdn_layer *l, const float *params, const sdn_pass *p);
/* dy → dZ in place; dx[n × in] = dZ·Wᵀ (own rows) */
void sdn_dense_backward(sdn_layer *l, const float *params, const sdn_pass *p);
/* after the barrier: dW[i0:i1, :] = x[:, i0:i1]ᵀ·dZ over all n rows; with_bias: db = 1ᵀ·dZ */
void sdn_dense_backward_weights(sdn_layer *l, float *grads, const sdn_pass *p, size_t i0,
                                size_t i1, int with_bias);

void sdn_batch_norm_forward(sdn_layer *l, const float *params, const float *state,
                            const sdn_pass *p);
void sdn_batch_norm_backward(sdn_layer *l, const float *params, const sdn_pass *p);
/* after the barrier: dgamma = Σ dy·xhat, dbeta = Σ dy from the chunk partials */
void sdn_batch_norm_backward_params(sdn_layer *l, float *grads, const sdn_pass *p);
/* after a successful step: moving stats ← momentum·moving + (1 − momentum)·batch */
void sdn_batch_norm_update_moving(sdn_layer *l, float *state, size_t n);

void sdn_activation_forward(sdn_layer *l, const sdn_pass *p);
void sdn_activation_backward(sdn_layer *l, const sdn_pass *p);

/* dropout and alpha dropout share the kernels and the mask (src/layers/dropout.c) */
void sdn_dropout_forward(sdn_layer *l, const sdn_pass *p);
void sdn_dropout_backward(sdn_layer *l, const sdn_pass *p);
/* Klambauer's constants for a rate: a, b and the dropped value c = a·(−λα) + b */
void sdn_alpha_dropout_constants(float rate, float *a, float *b, float *c);

/* ---- initializers (src/init.c) ---- */
void sdn_init_fill(float *w, size_t n, sdn_initializer init, size_t fan_in, size_t fan_out,
                   uint64_t seed, uint32_t stream);

/* ---- optimizers (src/optim/) ---- */
/* The per-step scalars for step t (1-based); mu_product is Π μ_1..μ_{t−1} on entry (Nadam). */
sdn_optim_scalars sdn_optim_scalars_for(const sdn_optimizer_options *o, uint64_t t,
                                        double mu_product_prev, double *mu_product);
double sdn_nadam_mu(float beta1, uint64_t t);
/* One optimizer update over params[off, off+len) with the model's slots. */
void sdn_optim_apply(const sdn_kernels *k, const sdn_optimizer_options *o,
                     const sdn_optim_scalars *s, float *w, const float *g, float *m, float *v,
                     size_t len);

/* ---- i16 hook: data-parallel training (src/dist/) ---- */
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
/* ---- end i16 hook ---- */

/* ---- test hooks (internal) ---- */
/* Forward + loss (+ backward into model->grads when grads != 0) in training mode at the current
 * step, without an optimizer step or any state change. loss_out: mean data loss + regularization,
 * accumulated in double. For the gradient checks. */
sdn_status sdn_model_loss_and_grads(sdn_model *m, const float *x, const int32_t *labels, size_t n,
                                    int grads, double *loss_out);
/* Tuning hook: forward multiply-adds per batch below which a pass stays on one thread. */
extern double sdn_parallel_min_macs;
/* Breaks a backward pass on purpose (0 = off): 1 scales the first dense layer's kernel gradient by 1.1. */
extern int sdn_debug_break_backward;

#endif
