/* simdnn: dense deep-learning engine in C on handwritten SIMD kernels, no BLAS.
 * The public API: opaque handles, errors as values, row-major float32 everywhere.
 *
 * Threads. A model (and everything reached from it) is used from one thread at a time; different
 * models may be used from different threads at once. sdn_dispatch_init, the sdn_cpu/ISA queries,
 * the name functions and sdn_sgemm are safe from any thread; sdn_last_error is per thread. Inside a
 * call, the library parallelizes with OpenMP by itself. sdn_set_num_threads(n) is
 * omp_set_num_threads(n) for the calling thread: the host's own OpenMP parallel regions started
 * from that thread then use n threads too (n <= 0 restores what omp_get_max_threads() gave at the
 * first call). Call it from one thread, not concurrently. Called from inside the host's parallel
 * region, the library runs single-threaded there (unless the host enabled nested parallelism).
 * Results do not depend on the thread count. */
#ifndef SIMDNN_H
#define SIMDNN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "simdnn_version.h"

/* Marks the public functions: the only symbols libsimdnn.so exports (built with hidden
 * visibility), and libsimdnn.dll on Windows (dllexport while the library is built; a program
 * calls them through the import library or the static one alike). */
#if defined(_WIN32) && defined(SDN_BUILD_LIBRARY)
#define SDN_API __declspec(dllexport)
#elif defined(_WIN32)
#define SDN_API
#elif defined(__GNUC__) || defined(__clang__)
#define SDN_API __attribute__((visibility("default")))
#else
#define SDN_API
#endif
/* Marks a call kept for programs written against an earlier header (CHANGELOG.md): using it
 * warns, naming its replacement. Each stays until 1.0. */
#if defined(__GNUC__) || defined(__clang__)
#define SDN_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define SDN_DEPRECATED(msg)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH": the library actually linked, where SDN_VERSION_STRING
 * is the header compiled against. What each version changed in this API: CHANGELOG.md. */
SDN_API const char *sdn_version(void);

/* ---------------------------------------------------------------- errors */

typedef enum sdn_status {
    SDN_OK = 0,
    SDN_ERR_INVALID_ARG, /* a bad argument: shape, range, NULL, unknown name */
    SDN_ERR_NOMEM,
    SDN_ERR_IO,          /* a file could not be opened, read or written */
    SDN_ERR_FORMAT,      /* a file is truncated, corrupt or of the wrong kind */
    SDN_ERR_UNSUPPORTED, /* e.g. an ISA this CPU cannot run */
    SDN_ERR_STATE,       /* e.g. training an uncompiled model */
    SDN_ERR_NUMERIC,     /* NaN or Inf where a finite number is needed */
} sdn_status;

/* Short name of a status ("invalid argument"). */
SDN_API const char *sdn_status_name(sdn_status status);
/* Message of the last error raised on this thread ("" if none). */
SDN_API const char *sdn_last_error(void);

/* ------------------------------------------------------- CPU and dispatch */

typedef enum sdn_isa {
    SDN_ISA_REF = 0, /* portable C reference kernels */
    SDN_ISA_AVX2,    /* AVX2 + FMA */
    SDN_ISA_AVX512,  /* AVX-512 F/BW/VL/DQ */
    SDN_ISA_NEON,    /* AArch64 Advanced SIMD */
    SDN_ISA_COUNT
} sdn_isa;

typedef struct sdn_cpu_info {
    char vendor[16];
    char brand[64];
    unsigned avx2 : 1, fma : 1, avx512f : 1, avx512bw : 1, avx512vl : 1, avx512dq : 1, neon : 1,
        os_ymm : 1, os_zmm : 1;
    size_t l1d_bytes, l2_bytes, l3_bytes; /* per core (L1d, L2) and in all (L3) */
    /* Where each size came from: "cpuid", "sysconf", "sysfs", "SIMDNN_CACHE_SIZES", or "default"
     * (no source knew: 32 KiB, 256 KiB, 8 MiB). Sizes only tune blocking, never change a bit. */
    const char *l1d_source, *l2_source, *l3_source;
} sdn_cpu_info;

/* Detects the CPU and selects kernels once (thread-safe); honours SIMDNN_ISA=ref|avx2|avx512|neon.
 * Fails with SDN_ERR_UNSUPPORTED (message lists what this CPU runs) for an ISA the CPU or OS lacks,
 * and SDN_ERR_INVALID_ARG for an unknown name. Every entry point below calls it implicitly. */
SDN_API sdn_status sdn_dispatch_init(void);
/* sdn_dispatch_init's earlier name (CHANGELOG.md). */
SDN_API sdn_status sdn_init(void) SDN_DEPRECATED("use sdn_dispatch_init");
SDN_API const sdn_cpu_info *sdn_cpu(void);
SDN_API const char *sdn_isa_name(sdn_isa isa);
/* Parses "ref", "avx2", ...; returns SDN_ISA_COUNT for an unknown name. */
SDN_API sdn_isa sdn_isa_from_name(const char *name);
/* Whether this CPU and OS can run the ISA's kernels (and this build contains them). */
SDN_API int sdn_isa_supported(sdn_isa isa);
/* The ISA in use (after sdn_dispatch_init). */
SDN_API sdn_isa sdn_active_isa(void);

/* Threads used by the library (OpenMP); 1 when built without OpenMP. n <= 0 restores the default.
 */
SDN_API void sdn_set_num_threads(int n);
SDN_API int sdn_num_threads(void);

/* What splitting work between threads costs on this host, measured once a process on first use
 * (a few milliseconds; zeros where there is one thread or no OpenMP). A product or a pass runs on
 * one thread below what its split would earn back, so it never runs slower on two. */
typedef struct sdn_thread_costs {
    int threads;              /* the threads measured (sdn_num_threads at the time) */
    double fork_join_ns;      /* an empty parallel region of those threads */
    double round_trip_ns;     /* a cache line from one thread to another and back */
    double fma_per_ns;        /* one core's multiply-adds a nanosecond, active ISA */
    double gemm_parallel_min; /* multiply-adds from which sdn_sgemm splits (unless
                               * SIMDNN_GEMM_PARALLEL_MIN says otherwise) */
    double line_ns;           /* a 64-byte line crossing: another thread wrote it, this one reads
                               * it in a stream, and the other writes it again */
} sdn_thread_costs;
SDN_API const sdn_thread_costs *sdn_thread_costs_get(void);
/* Measures them now (benchmarks note the host's state beside each figure); the library keeps
 * using the first measurement. */
SDN_API sdn_status sdn_thread_costs_measure(sdn_thread_costs *costs);

/* ------------------------------------------------------------------ GEMM */

typedef enum sdn_transpose { SDN_NO_TRANS = 0, SDN_TRANS = 1 } sdn_transpose;

/* C[m×n] = alpha·op(A)·op(B) + beta·C, row-major with leading dimensions lda, ldb, ldc.
 * op(A) is m×k, op(B) is k×n. beta == 0 ignores what C held (NaN included). */
SDN_API sdn_status sdn_sgemm(sdn_transpose trans_a, sdn_transpose trans_b, size_t m, size_t n,
                             size_t k, float alpha, const float *a, size_t lda, const float *b,
                             size_t ldb, float beta, float *c, size_t ldc);

/* The same plus a row vector: C = alpha·op(A)·op(B) + beta·C + bias[j] on every row. The bias is
 * added in the store of each tile (the dense layer's forward pass). bias may be NULL. */
SDN_API sdn_status sdn_sgemm_bias(sdn_transpose trans_a, sdn_transpose trans_b, size_t m, size_t n,
                                  size_t k, float alpha, const float *a, size_t lda, const float *b,
                                  size_t ldb, float beta, float *c, size_t ldc, const float *bias);

/* ------------------------------------------------------------ the model */

typedef enum sdn_activation {
    SDN_ACT_LINEAR = 0,
    SDN_ACT_ELU, /* alpha (default 1) */
    SDN_ACT_SELU,
    SDN_ACT_RELU,
    SDN_ACT_LEAKY_RELU, /* alpha = negative slope (default 0.3 as Keras; 0.01 as PyTorch) */
    SDN_ACT_TANH,
    SDN_ACT_SIGMOID,
    SDN_ACT_SOFTMAX, /* output layer only */
    SDN_ACT_COUNT
} sdn_activation;
/* SELU's fixed constants (Klambauer et al. 2017): selu(x) = λ·x for x > 0, λ·α·(eˣ − 1) else. */
#define SDN_SELU_LAMBDA 1.0507009873554805
#define SDN_SELU_ALPHA 1.6732632423543772

SDN_API const char *sdn_activation_name(sdn_activation act);
SDN_API sdn_activation sdn_activation_from_name(const char *name); /* SDN_ACT_COUNT if unknown */

typedef enum sdn_init_kind {
    SDN_INIT_ZEROS = 0,
    SDN_INIT_CONSTANT, /* every weight = value: the "equal initial weights" experiment */
    SDN_INIT_HE_NORMAL,
    SDN_INIT_HE_UNIFORM,
    SDN_INIT_LECUN_NORMAL,
    SDN_INIT_LECUN_UNIFORM,
    SDN_INIT_GLOROT_NORMAL,
    SDN_INIT_GLOROT_UNIFORM,
    SDN_INIT_COUNT
} sdn_init_kind;

typedef struct sdn_initializer {
    sdn_init_kind kind;
    float value; /* SDN_INIT_CONSTANT only */
} sdn_initializer;

SDN_API const char *sdn_init_name(sdn_init_kind kind);
SDN_API sdn_init_kind sdn_init_from_name(const char *name); /* SDN_INIT_COUNT if unknown */

typedef struct sdn_dense_options {
    size_t units;
    sdn_activation activation;   /* fused into the layer */
    float activation_alpha;      /* ELU alpha / leaky slope; 0 means the activation's default */
    sdn_initializer kernel_init; /* default glorot_uniform, as Keras */
    sdn_initializer bias_init;   /* default zeros */
    int use_bias;                /* default 1 */
    float l1, l2;                /* kernel regularization: loss += l1·Σ|w| + l2·Σw² */
} sdn_dense_options;

/* Keras' defaults for Dense(units). */
SDN_API sdn_dense_options sdn_dense_defaults(size_t units);

typedef enum sdn_optimizer_kind {
    SDN_OPT_SGD = 0, /* momentum, nesterov */
    SDN_OPT_ADAM,
    SDN_OPT_NADAM, /* Dozat's momentum schedule, as Keras and PyTorch's NAdam */
    SDN_OPT_RMSPROP,
    SDN_OPT_COUNT
} sdn_optimizer_kind;

typedef struct sdn_optimizer_options {
    sdn_optimizer_kind kind;
    float learning_rate;
    float momentum;     /* SGD */
    int nesterov;       /* SGD */
    float beta1, beta2; /* Adam, Nadam */
    float rho;          /* RMSProp */
    float epsilon;
    float clip_norm; /* clip gradients by global norm; 0 = off */
} sdn_optimizer_options;

/* Keras' defaults for the kind (e.g. Nadam: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). */
SDN_API sdn_optimizer_options sdn_optimizer_defaults(sdn_optimizer_kind kind);
SDN_API const char *sdn_optimizer_name(sdn_optimizer_kind kind);
SDN_API sdn_optimizer_kind sdn_optimizer_from_name(const char *name); /* SDN_OPT_COUNT if unknown */

typedef struct sdn_model sdn_model;

/* A new empty Sequential model. The seed fixes initial weights, dropout masks and nothing else. */
SDN_API sdn_model *sdn_model_new(uint64_t seed);
SDN_API void sdn_model_free(sdn_model *model);

SDN_API sdn_status sdn_model_add_flatten(sdn_model *model);
SDN_API sdn_status sdn_model_add_dense(sdn_model *model, const sdn_dense_options *options);
/* Keras semantics: batch statistics in training, moving statistics in inference. The moving
 * variance follows Keras (biased batch variance), not PyTorch's running_var (unbiased). */
SDN_API sdn_status sdn_model_add_batch_norm(sdn_model *model, float momentum /* 0.99 */,
                                            float epsilon /* 1e-3 */);
SDN_API sdn_status sdn_model_add_activation(sdn_model *model, sdn_activation act, float alpha);
SDN_API sdn_status sdn_model_add_dropout(sdn_model *model, float rate);
SDN_API sdn_status sdn_model_add_alpha_dropout(sdn_model *model, float rate);

/* ---- convolutional layers (NHWC images: channels innermost; docs/cnn.md) ---- */
typedef enum sdn_padding {
    SDN_PAD_VALID = 0, /* windows inside the image only */
    SDN_PAD_SAME       /* ceil(size / stride) outputs, zeros around (TensorFlow's split) */
} sdn_padding;

typedef struct sdn_conv2d_options {
    size_t filters;
    size_t kernel_h, kernel_w;
    size_t stride_h, stride_w;   /* default 1 */
    sdn_padding padding;         /* default valid, as Keras */
    sdn_activation activation;   /* after the convolution; default linear */
    float activation_alpha;      /* ELU alpha / leaky slope; 0 means the activation's default */
    sdn_initializer kernel_init; /* default glorot_uniform, as Keras */
    sdn_initializer bias_init;   /* default zeros */
    int use_bias;                /* default 1 */
    float l1, l2;                /* kernel regularization */
} sdn_conv2d_options;

/* Keras' defaults for Conv2D(filters, kernel × kernel). */
SDN_API sdn_conv2d_options sdn_conv2d_defaults(size_t filters, size_t kernel);
/* The rows the model takes are height × width × channels images, NHWC (channel innermost);
 * compile then requires input_size = height·width·channels. Before any image layer's shape is
 * known, so before compile. */
SDN_API sdn_status sdn_model_set_input_shape(sdn_model *model, size_t height, size_t width,
                                             size_t channels);
/* Conv2D: the kernel is saved as "conv2d_<i>.kernel" [kernel_h·kernel_w·in_channels × filters]
 * (Keras' HWIO flattened); a kernel larger than its valid input fails compile. */
SDN_API sdn_status sdn_model_add_conv2d(sdn_model *model, const sdn_conv2d_options *options);
/* pool × pool windows (at most 16 × 16), stride 0 meaning the pool size (Keras' default); "same"
 * leaves the padding out of the max or the mean. */
SDN_API sdn_status sdn_model_add_max_pool2d(sdn_model *model, size_t pool, size_t stride,
                                            sdn_padding padding);
SDN_API sdn_status sdn_model_add_avg_pool2d(sdn_model *model, size_t pool, size_t stride,
                                            sdn_padding padding);
/* Each channel's mean over the image: a flat row of channels. */
SDN_API sdn_status sdn_model_add_global_avg_pool2d(sdn_model *model);
/* A batch_norm layer after an image layer normalizes each channel over the batch's pixels. */

/* Fixes the input size, the largest batch and the optimizer; allocates everything once and
 * initializes the weights. The loss is sparse categorical cross-entropy on a softmax output. */
SDN_API sdn_status sdn_model_compile(sdn_model *model, size_t input_size, size_t max_batch,
                                     const sdn_optimizer_options *optimizer);

SDN_API size_t sdn_model_input_size(const sdn_model *model);
SDN_API size_t sdn_model_output_size(const sdn_model *model);
SDN_API size_t sdn_model_param_count(const sdn_model *model); /* trainable parameters */

/* One optimizer step on a batch (n <= max_batch); labels in [0, output_size).
 * loss (mean, regularization included) and accuracy may be NULL. A NaN/Inf loss returns
 * SDN_ERR_NUMERIC and leaves the weights as they were before the step. */
SDN_API sdn_status sdn_model_train_batch(sdn_model *model, const float *x, const int32_t *labels,
                                         size_t n, float *loss, float *accuracy);
/* Class probabilities [n × output_size], inference mode; any n (processed in max_batch chunks). */
SDN_API sdn_status sdn_model_predict(sdn_model *model, const float *x, size_t n, float *probs);
/* Mean loss and accuracy in inference mode; any n. */
SDN_API sdn_status sdn_model_evaluate(sdn_model *model, const float *x, const int32_t *labels,
                                      size_t n, float *loss, float *accuracy);
/* MC Dropout: `samples` stochastic passes (dropout active, batch norm in inference mode);
 * mean and standard deviation of the class probabilities [n × output_size]. std may be NULL. */
SDN_API sdn_status sdn_model_predict_mc(sdn_model *model, const float *x, size_t n, int samples,
                                        float *mean, float *std);

/* SDN_ERR_INVALID_ARG (the rate unchanged) unless lr is finite and > 0. */
SDN_API sdn_status sdn_model_set_learning_rate(sdn_model *model, float lr);
SDN_API float sdn_model_learning_rate(const sdn_model *model);
/* The optimizer's momentum: SGD's momentum, Adam's and Nadam's beta1 (what 1cycle cycles). Needs
 * a value in [0, 1) and an optimizer with a first-moment slot (SGD compiled with momentum > 0,
 * Adam, Nadam); else SDN_ERR_INVALID_ARG and the value unchanged. */
SDN_API sdn_status sdn_model_set_momentum(sdn_model *model, float momentum);
/* Optimizer steps taken so far (restored with the optimizer state on resume). */
SDN_API uint64_t sdn_model_step(const sdn_model *model);
SDN_API void sdn_model_set_step(sdn_model *model, uint64_t step);

/* Keras-like summary: layer, output shape, parameters; totals. */
SDN_API sdn_status sdn_model_summary(const sdn_model *model, FILE *out);

/* All state as named tensors, for checkpoints: trainable parameters ("dense_0.kernel" [in, out],
 * "dense_0.bias", "batch_norm_0.gamma"...), non-trainable state ("batch_norm_0.moving_mean"...)
 * and optimizer slots ("optimizer.m.dense_0.kernel"...). data points into the model's buffers:
 * read it to save, write it to load. Slots: Adam/Nadam "m" and "v", RMSProp "v", SGD with
 * momentum "m" (its velocity). The step count is not a tensor: see sdn_model_step. */
typedef enum sdn_tensor_role {
    SDN_TENSOR_PARAM,
    SDN_TENSOR_STATE,
    SDN_TENSOR_OPTIMIZER
} sdn_tensor_role;
typedef struct sdn_tensor {
    const char *name;
    sdn_tensor_role role;
    int rank;
    size_t shape[2];
    size_t size; /* elements */
    float *data;
} sdn_tensor;
SDN_API size_t sdn_model_tensor_count(const sdn_model *model);
SDN_API sdn_status sdn_model_tensor(const sdn_model *model, size_t index, sdn_tensor *out);

/* The whole trainable parameter vector (count = sdn_model_param_count), e.g. to keep the best
 * weights; sdn_model_get_state / set_state also include non-trainable state (BN moving stats). */
SDN_API sdn_status sdn_model_get_params(const sdn_model *model, float *dst, size_t count);
SDN_API sdn_status sdn_model_set_params(sdn_model *model, const float *src, size_t count);
SDN_API size_t sdn_model_state_count(const sdn_model *model);
SDN_API sdn_status sdn_model_get_state(const sdn_model *model, float *dst, size_t count);
SDN_API sdn_status sdn_model_set_state(sdn_model *model, const float *src, size_t count);

/* Fraction of trainable kernel weights (dense layers; biases and BN excluded) with
 * |w| <= threshold (sparsity after L1 or pruning). */
SDN_API double sdn_model_sparsity(const sdn_model *model, float threshold);
/* Sets every kernel weight with |w| below the q-quantile of |w| to zero (magnitude pruning). */
SDN_API sdn_status sdn_model_prune(sdn_model *model, double fraction);

/* ------------------------------------------------ learning-rate schedules */

/* The rate of optimizer step `step` (0-based: the steps already taken, as Keras' iterations).
 * Parameters take Keras' names where Keras has the schedule. */
typedef enum sdn_schedule_kind {
    SDN_SCHEDULE_CONSTANT = 0,
    SDN_SCHEDULE_EXPONENTIAL, /* lr0 · decay_rate^(step / decay_steps) (Keras ExponentialDecay) */
    SDN_SCHEDULE_ONECYCLE,    /* linear up to max_lr at 45%, down to lr0 at 90%, then to lr0/1000;
                                 the momentum the other way (see max_momentum) */
    SDN_SCHEDULE_POWER,       /* lr0 / (1 + decay_rate · step / decay_steps)^power: Keras'
                                 InverseTimeDecay at power 1, Géron's power scheduling */
    SDN_SCHEDULE_PIECEWISE,   /* values[i] while step <= boundaries[i], values[n] after the last
                                 (Keras PiecewiseConstantDecay) */
    SDN_SCHEDULE_PLATEAU,     /* lr0, times factor after `patience` epochs without improvement of
                                 the monitored metric (Keras ReduceLROnPlateau): see below */
    SDN_SCHEDULE_COUNT
} sdn_schedule_kind;

#define SDN_SCHEDULE_MAX_PIECES 16

typedef struct sdn_schedule {
    sdn_schedule_kind kind;
    float lr0;
    float decay_rate;
    double decay_steps;
    float max_lr;
    uint64_t total_steps;
    int staircase; /* exponential, power: step / decay_steps rounded down (Keras' staircase) */
    float power;   /* power; 0 is taken as 1 */
    int n_boundaries;
    uint64_t boundaries[SDN_SCHEDULE_MAX_PIECES];
    float values[SDN_SCHEDULE_MAX_PIECES + 1];
    /* plateau (Keras' defaults: factor 0.1, patience 10, min_delta 1e-4, cooldown 0, min_lr 0) */
    float factor, min_lr;
    int patience, cooldown;
    double min_delta;
    /* 1cycle's momentum cycling (Smith 2018; Géron ch. 11): max_momentum while the rate is at lr0,
     * min_momentum at the peak, linear in between, max_momentum again for the last 10%. It sets
     * SGD's momentum, or Adam's and Nadam's beta1. Defaults 0.95 and 0.85; 0 and 0 = off. */
    float max_momentum, min_momentum;
} sdn_schedule;

SDN_API float sdn_schedule_lr(const sdn_schedule *schedule, uint64_t step);
/* The momentum of step `step`, or NaN when the schedule does not cycle it (not 1cycle, or off). */
SDN_API float sdn_schedule_momentum(const sdn_schedule *schedule, uint64_t step);
/* "constant", ..., "1cycle"; from_name gives SDN_SCHEDULE_COUNT for an unknown name */
SDN_API const char *sdn_schedule_name(sdn_schedule_kind kind);
SDN_API sdn_schedule_kind sdn_schedule_from_name(const char *name);
/* A schedule of `kind` starting at lr0 with its defaults (exponential and power: decay_steps
 * 10000; exponential decay_rate 0.96 as Keras' example, power decay_rate 1 and power 1 as Géron's
 * power scheduling; plateau as Keras). */
SDN_API sdn_schedule sdn_schedule_defaults(sdn_schedule_kind kind, float lr0);
/* Checks the parameters; SDN_ERR_INVALID_ARG names the bad one. */
SDN_API sdn_status sdn_schedule_check(const sdn_schedule *schedule);

/* What a schedule carries from epoch to epoch (plateau only; the others are functions of the
 * step): kept in the fit state and checkpoint so a resumed run continues exactly. */
typedef struct sdn_schedule_state {
    float lr;    /* the plateau's current rate; NaN before the first step */
    double best; /* best monitored value so far; NaN before the first epoch */
    int wait, cooldown;
} sdn_schedule_state;

SDN_API void sdn_schedule_state_init(sdn_schedule_state *state);
/* Sets the model's rate for its next step (model step = the steps done), and 1cycle's momentum
 * where the optimizer has one to set (SGD without momentum keeps none). NULL schedule: no-op. */
SDN_API void sdn_schedule_apply(const sdn_schedule *schedule, sdn_schedule_state *state,
                                sdn_model *model);
/* Plateau: the epoch's monitored value (maximize: accuracy-like) may lower the rate. Returns 1
 * when the rate was reduced. Other kinds: no-op. */
SDN_API int sdn_schedule_epoch_end(const sdn_schedule *schedule, sdn_schedule_state *state,
                                   double value, int maximize);

/* ------------------------------------------ elementwise activations */

/* y[n] = f(x) and dx[n] = dy·f'(x) (y = f(x) given) with the dispatched kernels a layer runs;
 * alpha 0 takes the activation's default. Softmax is not elementwise: SDN_ERR_INVALID_ARG. */
SDN_API sdn_status sdn_activation_forward_n(sdn_activation act, float alpha, size_t n,
                                            const float *x, float *y);
SDN_API sdn_status sdn_activation_backward_n(sdn_activation act, float alpha, size_t n,
                                             const float *x, const float *y, const float *dy,
                                             float *dx);

/* ------------------------------------------------------- predictions */

/* Index of the largest of v[0..n) (the first on ties): the predicted class of a probability row. */
SDN_API size_t sdn_argmax(const float *v, size_t n);

/* The active GEMM microkernel's tile: mr rows by nr columns (simdnn info). */
SDN_API void sdn_gemm_tile(unsigned *mr, unsigned *nr);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_H */
