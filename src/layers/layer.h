/* What a layer is to the model: its record (options and parameter layout, fixed at compile), its
 * buffers in a pass's workspace, the pass itself, and the table of operations every layer kind
 * provides (one `const sdn_layer_ops` per file in src/layers/). The model walks the layers through
 * these tables and never asks which kind a layer is. Internal to simdnn (src/, tests/). */
#ifndef SDN_LAYER_H
#define SDN_LAYER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "barrier.h"
#include "kernels.h"
#include "simdnn.h"

/* Rows per reduction chunk. Batch statistics, bias and BN sums are reduced chunk by chunk in chunk
 * order, and threads take whole chunks, so results depend on the batch only, never on threads. */
#define SDN_CHUNK_ROWS 8

/* The chunks of a batch of n rows (the last may be short). */
static inline size_t sdn_chunks(size_t n)
{
    return (n + SDN_CHUNK_ROWS - 1) / SDN_CHUNK_ROWS;
}

/* Weight blocks at least this big are split across threads by rows for their gradient and
 * update; a dense layer with such a kernel also multiplies its input in SDN_DENSE_PIECES fixed
 * slices of the input features, each thread the slices of its own kernel rows. */
#define SDN_SPLIT_MIN_WEIGHTS 65536
#define SDN_DENSE_PIECES 4

typedef struct sdn_layer_ops sdn_layer_ops;

/* A layer: what the user asked for and where its parameters sit. Constant while passes run. */
typedef struct sdn_layer {
    const sdn_layer_ops *ops;
    char name[32];
    size_t n_in, n_out;
    /* image shape of a row in and out, NHWC (a flat row is 1 × 1 × n): set by the compiler from
     * the model's input shape, and by each kind's layout for its output */
    size_t in_h, in_w, in_c, out_h, out_w, out_c;
    size_t row_macs; /* weight_matrix kinds: forward multiply-adds per batch row */
    /* Conv2D and pooling options (kernel or pool window, stride, padding "same") and the padding
     * before the first row and column that "same" resolves to at compile */
    size_t filters, kh, kw, stride_h, stride_w, pad_top, pad_left;
    int pad_same;
    int winograd; /* Conv2D: forward and input gradient by Winograd F(2×2, 3×3) (conv2d.c) */
    /* options */
    sdn_activation act;
    float alpha; /* ELU alpha, leaky slope (resolved default) */
    sdn_initializer kernel_init, bias_init;
    int use_bias;
    float l1, l2;                 /* Keras factors: loss += l1·Σ|w| + l2·Σw² */
    float momentum, epsilon;      /* batch norm */
    float rate;                   /* dropout */
    float drop_a, drop_b, drop_c; /* dropout affine: y = keep ? a·x + b : c */
    /* parameters (floats into the flat buffers): a block of w_rows × w_cols regularized by l1, l2,
     * whose weight gradient may be split by rows across threads (dense: the kernel; BN: gamma
     * then beta), and an unregularized bias of b_size */
    size_t w_off, w_rows, w_cols, w_size, b_off, b_size;
    size_t s_off, s_size; /* non-trainable state (BN moving mean, then moving variance) */
    int index;            /* position in the model */
    int need_dx;          /* some earlier layer has parameters: compute the input gradient */
    int pieces;           /* dense: input slices of the forward product (1: one product) */
    int by_features;      /* batch norm: split by features, not rows (set by the compiler when
                           * a sliced dense layer reads it: each thread keeps its own slices) */
    int relu_fused;       /* batch norm: applies the ReLU of the activation layer right after it;
                           * that layer: its ReLU is done there, and it shares the batch norm's y
                           * and dy (set by the compiler: one pass over the activations, not two) */
} sdn_layer;

/* Per-thread copies of a BN layer's batch statistics: every thread reduces the chunk partials in
 * the same order into its own copy (bitwise equal), which saves a barrier. n floats each. A BN
 * split by features uses copy 0 only, each thread its own features of it. */
typedef struct sdn_bn_stats {
    float *mean, *var, *inv_std, *mean_dy, *mean_dy_xhat;
} sdn_bn_stats;

/* One layer's buffers in a workspace (max_batch rows each): everything a pass writes. */
typedef struct sdn_acts {
    const float *x; /* input rows: the previous layer's y, or the pass's input */
    float *dx;      /* where the input gradient goes: the previous layer's dy */
    float *y;       /* output (flatten: the input, never written through) */
    float *z;       /* dense pre-activation when the activation is not linear; else == y */
    float *dy;      /* gradient of the output (dense: becomes dZ in place) */
    float *zpart;   /* dense with pieces: the products of slices 1.. (slice 0 goes to z) */
    float *xhat;    /* BN normalized input */
    uint8_t *keep;  /* dropout mask */
    /* BN reductions: chunk partials [chunks × n] (forward Σx, Σ(x−mean)²; backward Σdy, Σdy·xhat,
     * in separate buffers: a fast thread's backward must not overwrite what a slow one still
     * reads in the forward) and per-thread statistics */
    float *part_a, *part_b, *part_c, *part_d;
    sdn_bn_stats *stats; /* [threads] */
    float *inf_inv_std;  /* inference: 1/sqrt(moving_var + eps) */
    float *cols;         /* Conv2D: each thread's im2col tile [threads][tile × K] */
    float *wino;         /* Conv2D by Winograd: each thread's transforms (winograd.h) */
    float *arg;          /* MaxPool2D: the window index of each output's maximum (as floats) */
} sdn_acts;

/* One forward (and backward) over rows [r0, r1) of an n-row batch, on thread t of nthreads. */
typedef struct sdn_pass {
    const sdn_kernels *k;
    sdn_barrier *barrier; /* threads meet here (sdn_pass_barrier); NULL: one thread */
    /* the model's flat buffers: a layer's slices start at its w_off, b_off and s_off */
    const float *params;
    float *grads;
    const float *state;
    uint64_t seed;            /* the model's seed (dropout masks) */
    sdn_acts *acts;           /* the workspace: one entry per layer */
    size_t n, r0, r1, c0, c1; /* batch rows; this thread's rows and chunks */
    size_t u0, u1;            /* this thread's part of a sliced dense layer (sdn_piece_rows) */
    uint64_t *waited;         /* where sdn_pass_barrier adds this thread's waits; NULL: none */
    int staged_from;          /* a staged pass (stage_hi > 0): layers from here on are staged, */
    int stage_lo, stage_hi;   /* and this thread's stage is layers [stage_lo, stage_hi) */
    int t, nthreads;
    int bn_training;      /* batch statistics (else moving) */
    int dropout_active;   /* masks drawn (else identity) */
    uint32_t stream_base; /* SDN_STREAM_DROPOUT or SDN_STREAM_MC */
    uint64_t rng_step;    /* step (training) or pass index (MC) */
    uint64_t row_base;    /* global index of row 0 (MC over many chunks) */
} sdn_pass;

/* Inside a layer, every thread of the pass meets here; a profile records how long each waited
 * (layer.c). */
void sdn_pass_barrier(const sdn_pass *p);
/* The same between layers, where a profile counts it as the step's own barrier (A, B). */
void sdn_pass_meet(const sdn_pass *p);
/* Waits until another thread has stored at least v in *flag (a staged pass's hand-over); the wait
 * counts toward this thread's waits. */
void sdn_pass_await(const sdn_pass *p, atomic_uint *flag, unsigned v);

/* Test hook (sdn_debug_slow_thread = F): thread 1's core F times slower, as a laptop's efficiency
 * core beside a performance core. Around each piece of its work (a layer's forward or backward, a
 * weight gradient, an update) it spins F times what it worked, its waits excluded: at each
 * meeting inside the piece (sdn_pass_barrier) and at its end (sdn_slow_core_done), so the other
 * threads wait on it where they would on a slower core. */
void sdn_slow_core_start(const sdn_pass *p);
void sdn_slow_core_done(const sdn_pass *p);

/* A sliced dense layer's work is SDN_DENSE_PIECES input slices, each over every chunk of the
 * batch's rows: this many slice chunks in a pass of n rows. A thread's part is [u0, u1) of them,
 * slice after slice. With at most SDN_DENSE_PIECES threads a thread takes whole slices but for
 * the one where its part starts or ends, whose rows it shares with its neighbour, so the shares
 * can follow unequal cores. */
static inline size_t sdn_slice_chunks(size_t n)
{
    return SDN_DENSE_PIECES * sdn_chunks(n);
}

/* The slices [*first, *end) that this thread's part touches. */
static inline void sdn_slices_of(const sdn_pass *p, size_t *first, size_t *end)
{
    const size_t C = sdn_chunks(p->n);
    *first = p->u0 / C;
    *end = (p->u1 + C - 1) / C;
}

/* The batch row where slice chunk u falls in slice [lo, hi) of the chunks: 0 before it, n after. */
static inline size_t sdn_slice_row(const sdn_pass *p, size_t lo, size_t hi, size_t u)
{
    const size_t row = (u < lo ? 0 : u > hi ? hi - lo : u - lo) * SDN_CHUNK_ROWS;
    return row < p->n ? row : p->n;
}

/* This thread's batch rows [*i0, *i1) of slice q. */
static inline void sdn_piece_rows(const sdn_pass *p, size_t q, size_t *i0, size_t *i1)
{
    const size_t C = sdn_chunks(p->n);
    *i0 = sdn_slice_row(p, q * C, q * C + C, p->u0);
    *i1 = sdn_slice_row(p, q * C, q * C + C, p->u1);
}

/* Of n (the kernel rows of a sliced dense layer, the features of a layer that feeds it), the part
 * [*f0, *f1) that matches this thread's part of the layer: the kernel rows it steps, and the
 * features it keeps on the core that multiplies them. */
static inline void sdn_feature_share(const sdn_pass *p, size_t n, size_t *f0, size_t *f1)
{
    *f0 = n * p->u0 / sdn_slice_chunks(p->n);
    *f1 = n * p->u1 / sdn_slice_chunks(p->n);
}

static inline sdn_acts *sdn_acts_of(const sdn_pass *p, const sdn_layer *l)
{
    return &p->acts[l->index];
}

/* sum[j] = Σ_r x[r][j], rows added in order (the colsum kernel adds into what it is given). */
static inline void sdn_column_sums(const sdn_kernels *k, size_t rows, size_t cols, const float *x,
                                   float *sum)
{
    memset(sum, 0, cols * sizeof(float));
    k->colsum(rows, cols, x, sum);
}

/* Bump allocation in the workspace arena: a sizing pass (base NULL) then the real one, 64-byte
 * aligned; `take` returns NULL in the sizing pass. */
typedef struct sdn_bump {
    char *base;
    size_t used;
} sdn_bump;
void *sdn_bump_take(sdn_bump *b, size_t bytes);

/* Workspace sizes a layer's buffers are cut for. */
typedef struct sdn_ws_dims {
    size_t max_batch, n_chunks, threads;
} sdn_ws_dims;

/* The model's tensor list while it is built: a sizing pass (tensors NULL) counts. */
typedef struct sdn_tensor_list {
    sdn_tensor *tensors;
    char (*names)[64];
    size_t count;
    float *params, *state, *slot; /* slot: the optimizer buffer being listed */
} sdn_tensor_list;
/* Appends "<layer>.<what>" over params (or state) [off, off + s0·s1). s1 = 0: rank 1. */
void sdn_tensor_list_add(sdn_tensor_list *t, sdn_tensor_role role, size_t off, size_t s0, size_t s1,
                         const char *layer, const char *what);

/* The operations of a layer kind. NULL entries mean "nothing to do" (and, for layout, "same
 * width out as in, no parameters"). Forward and backward run on every thread of a pass over its
 * own rows; kinds that reduce over the batch (BN) reach barriers inside them. */
struct sdn_layer_ops {
    const char *name;  /* "dense": layer names (dense_0) and error messages */
    const char *title; /* "Dense": the summary */
    int in_place;      /* output is the input (flatten): no buffers of its own */
    int weight_matrix; /* the w block is a weight matrix: counted by MACs, sparsity and pruning */
    int split_rows;    /* big w blocks may have their gradient split by rows across threads */
    int random;        /* Output drawn anew per MC Dropout sample (when rate > 0) */
    int flat_out;      /* the output is a flat row (Dense, Flatten), whatever the input's shape */
    /* compile: NULL, or why this kind cannot take its input shape (in_h, in_w, in_c), as a
     * complete message in err; checked before layout */
    int (*check)(const sdn_layer *l, char *err, size_t size);
    /* compile: n_out (and the output image shape, when it is not the input's) and the parameter
     * and state layout from *params, *state (floats so far) */
    void (*layout)(sdn_layer *l, size_t *params, size_t *state);
    /* compile: this kind's buffers beyond y and dy */
    void (*buffers)(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d);
    /* compile: initial parameters and state; stream is this layer's first of two RNG streams */
    void (*init)(const sdn_layer *l, float *params, float *state, uint64_t seed, uint32_t stream);
    /* rows [r0, r1): y = f(x) */
    void (*forward)(const sdn_layer *l, const sdn_pass *p);
    /* rows [r0, r1): dx from dy (and dZ in place where the kind keeps one) */
    void (*backward)(const sdn_layer *l, const sdn_pass *p);
    /* after every row's backward: gradient of w rows [i0, i1) and (with_bias) of the bias */
    void (*weight_grads)(const sdn_layer *l, const sdn_pass *p, size_t i0, size_t i1,
                         int with_bias);
    /* before inference passes: anything derived from state (BN's 1/sqrt(var + eps)) */
    void (*prepare_inference)(const sdn_layer *l, sdn_acts *a, const float *state);
    /* after a successful training step, from thread 0's statistics */
    void (*update_state)(const sdn_layer *l, const sdn_acts *a, float *state);
    /* output layer only (softmax): where its logits are, and where d(loss)/d(logits) goes */
    const float *(*logits)(const sdn_layer *l, const sdn_acts *a);
    float *(*dlogits)(const sdn_layer *l, const sdn_acts *a);
    /* summary: the details column ("elu", "rate 0.1") */
    void (*describe)(const sdn_layer *l, char *buf, size_t size);
    /* the layer's parameters and state, in the order they are saved */
    void (*tensors)(const sdn_layer *l, sdn_tensor_list *t);
};

extern const sdn_layer_ops sdn_flatten_ops, sdn_dense_ops, sdn_batch_norm_ops, sdn_activation_ops,
    sdn_dropout_ops, sdn_alpha_dropout_ops, sdn_conv2d_ops, sdn_max_pool2d_ops, sdn_avg_pool2d_ops,
    sdn_global_avg_pool2d_ops;

/* Pixels of a row in and out (1 for flat rows, and for a record the compiler did not shape). */
static inline size_t sdn_in_pixels(const sdn_layer *l)
{
    return l->in_c ? l->in_h * l->in_w : 1;
}
static inline size_t sdn_out_pixels(const sdn_layer *l)
{
    return l->out_c ? l->out_h * l->out_w : 1;
}

/* "same" and "valid" output sizes of a window k with stride s over n (0: the window does not fit)
 * and the padding "same" puts before the first element (TensorFlow's: the odd one after). */
static inline size_t sdn_window_out(size_t n, size_t k, size_t s, int same)
{
    if (same)
        return (n + s - 1) / s;
    return n >= k ? (n - k) / s + 1 : 0;
}
static inline size_t sdn_window_pad(size_t n, size_t k, size_t s, int same)
{
    const size_t out = sdn_window_out(n, k, s, same), span = (out - 1) * s + k;
    return same && span > n ? (span - n) / 2 : 0;
}
/* Shared by the windowed kinds (conv2d.c, pool2d.c): output shape and "same" padding, and the
 * check that a window fits its (padded) input. */
void sdn_window_layout(sdn_layer *l, size_t out_c);
int sdn_window_check(const sdn_layer *l, char *err, size_t size);

/* dropout and alpha dropout share the kernels and the mask (src/layers/dropout.c) */
void sdn_dropout_forward(const sdn_layer *l, const sdn_pass *p);
void sdn_dropout_backward(const sdn_layer *l, const sdn_pass *p);
void sdn_dropout_buffers(const sdn_layer *l, sdn_acts *a, sdn_bump *b, const sdn_ws_dims *d);
void sdn_dropout_describe(const sdn_layer *l, char *buf, size_t size);
/* Klambauer's constants for a rate: a, b and the dropped value c = a·(−λα) + b */
void sdn_alpha_dropout_constants(float rate, float *a, float *b, float *c);
/* dense and activation layers describe themselves by their activation */
void sdn_activation_describe(const sdn_layer *l, char *buf, size_t size);

#endif
