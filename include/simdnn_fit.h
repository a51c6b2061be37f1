/* simdnn training loop: the exercise's network from a small spec, fit() with progress reported to
 * a callback, early stopping, restore-best-weights, NaN and Ctrl-C handling, history files,
 * checkpoints. */
#ifndef SIMDNN_FIT_H
#define SIMDNN_FIT_H

#include <signal.h>
#include <stdio.h>

#include "simdnn.h"
#include "simdnn_data.h"
#include "simdnn_io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ network spec */

/* Flatten → [BN] → hidden_layers × (Dense(units) [→ BN] → activation) → [dropout] → Dense(classes,
 * softmax). With batch_norm the dense layer stays linear and BN sits before the activation (Géron's
 * 8c). dropout / alpha_dropout are applied before the output layer (8e; MC Dropout keeps them). */
typedef struct sdn_net_spec {
    size_t input_size, classes;
    int hidden_layers;
    size_t units;
    sdn_activation activation;
    float activation_alpha;
    sdn_init_kind init;
    int batch_norm;
    float dropout, alpha_dropout;
    float l1, l2;
    /* A convolutional trunk before the dense layers (conv empty: none). The input is an
     * image_h × image_w × image_c HWC image and conv a comma-separated list: "c32" a 3×3 Conv2D
     * of 32 filters, padding same ("c64k5s2v": 5×5, stride 2, valid), each followed by batch
     * norm and the activation when batch_norm, else with the activation fused; "m2" a 2×2 max
     * pooling, "a2" an average pooling; "g" global average pooling. */
    size_t image_h, image_w, image_c;
    char conv[128];
} sdn_net_spec;

/* Builds and compiles the model (seed fixes the initial weights and dropout masks). */
SDN_API sdn_status sdn_net_build(const sdn_net_spec *spec, uint64_t seed, size_t max_batch,
                                 const sdn_optimizer_options *optimizer, sdn_model **out);

/* Spec and optimizer as "simdnn.*" metadata strings and back (for model files). The strings live in
 * `store` (at least SDN_NET_META_STORE bytes); meta needs SDN_NET_META_COUNT entries. The writer
 * returns the entry count, or 0 (sdn_last_error says why) for a spec out of range; the reader
 * refuses (SDN_ERR_FORMAT, naming the key) any value that is not exactly a number in range. */
#define SDN_NET_META_COUNT 24
#define SDN_NET_META_STORE 2048
SDN_API size_t sdn_net_to_meta(const sdn_net_spec *spec, const sdn_optimizer_options *opt,
                               uint64_t seed, sdn_st_meta *meta, char *store);
SDN_API sdn_status sdn_net_from_file(const sdn_safetensors *st, sdn_net_spec *spec,
                                     sdn_optimizer_options *opt, uint64_t *seed);

/* ------------------------------------------------------------------- fit */

typedef enum sdn_monitor { SDN_MONITOR_VAL_LOSS = 0, SDN_MONITOR_VAL_ACCURACY } sdn_monitor;
typedef enum sdn_stop_reason {
    SDN_STOP_COMPLETED = 0, /* all epochs run */
    SDN_STOP_EARLY,         /* patience exhausted */
    SDN_STOP_NUMERIC,       /* NaN/Inf loss: weights from before that step kept */
    SDN_STOP_INTERRUPTED,   /* the interrupt flag (Ctrl-C) was raised */
} sdn_stop_reason;
SDN_API const char *sdn_stop_reason_name(sdn_stop_reason r);

typedef struct sdn_epoch_log {
    int epoch; /* 1-based */
    double loss, accuracy, val_loss, val_accuracy, seconds, learning_rate;
} sdn_epoch_log;

/* What fit reports as it goes; the application draws it (the CLI: a Keras-like bar or one line
 * per epoch, apps/progress.c). fit itself prints nothing. */
typedef enum sdn_fit_event {
    SDN_FIT_EPOCH_BEGIN, /* epoch of epochs starts */
    SDN_FIT_STEP,        /* after every batch: step of steps, seconds into the epoch, running
                          * mean loss and accuracy */
    SDN_FIT_EPOCH_END,   /* a whole epoch: row (its history row), improved, have_val */
    SDN_FIT_PARTIAL,     /* the epoch ended after `step` batches (NaN loss or the interrupt) */
    SDN_FIT_MESSAGE,     /* message: a line for the user (monitor changed, nothing to do) */
    SDN_FIT_STOPPED,     /* message: why training stopped early (stop says which reason) */
} sdn_fit_event;

typedef struct sdn_fit_progress {
    sdn_fit_event event;
    int epoch, epochs; /* 1-based */
    size_t step, steps;
    double seconds, loss, accuracy;
    const sdn_epoch_log *row;
    int improved, have_val;
    int stop; /* sdn_stop_reason (SDN_FIT_STOPPED) */
    const char *message;
} sdn_fit_progress;

/* Everything a resumed run needs besides the model: history, best so far, patience counter. */
typedef struct sdn_fit_state {
    int epochs_done;
    sdn_epoch_log *history;
    int history_len, history_cap;
    int best_epoch; /* 0 before the first epoch */
    double best_value, best_val_loss, best_val_accuracy;
    int wait;          /* epochs without improvement */
    int monitor;       /* the sdn_monitor that chose the best; -1 unknown (older checkpoint) */
    float *best_state; /* sdn_model_get_state of the best epoch (restore_best) */
    size_t state_count;
    sdn_stop_reason stop;
    char message[256];
    double train_seconds, eval_seconds;
    uint64_t samples_trained;
    sdn_schedule_state schedule; /* The learning-rate schedule's carried state */
} sdn_fit_state;

typedef struct sdn_fit_options sdn_fit_options;
struct sdn_fit_options {
    int epochs; /* total, counting those already done on resume */
    size_t batch_size;
    uint64_t seed; /* shuffle of epoch e: sdn_shuffle_indices(seed, e) */
    sdn_monitor monitor;
    int patience;     /* 0: no early stopping */
    double min_delta; /* an improvement must beat the best by more than this */
    int restore_best; /* at the end, load the best epoch's weights */
    /* Progress as it happens (NULL: none); see sdn_fit_progress. */
    void (*on_progress)(void *progress_ctx, const sdn_fit_progress *p);
    void *progress_ctx;
    const volatile sig_atomic_t *interrupt; /* checked after every batch */
    /* Called after every epoch (improved: this epoch is the new best) and once at the end
     * (epoch_end == 0): save checkpoints and history here. A nonzero status stops training. */
    sdn_status (*on_epoch)(void *ctx, sdn_model *model, const sdn_fit_state *st, int improved,
                           int epoch_end);
    void *ctx;
    /* The learning rate of every step (NULL: the optimizer's rate throughout) */
    const sdn_schedule *schedule;
    /* Training batches augmented (sdn_augment_batch with the run's seed; height 0: none) */
    sdn_augment augment;
};

SDN_API sdn_fit_options sdn_fit_defaults(void);
/* Zeroed state for a fresh run; free with sdn_fit_state_free. */
SDN_API void sdn_fit_state_init(sdn_fit_state *st);
SDN_API void sdn_fit_state_free(sdn_fit_state *st);

/* Trains from st->epochs_done to o->epochs. val may be NULL or empty (then the training loss is
 * monitored). Returns SDN_OK also when stopped early, by NaN or by the interrupt: see st->stop and
 * st->message; an error only for failures (I/O in on_epoch, bad arguments). */
SDN_API sdn_status sdn_fit(sdn_model *model, const sdn_dataset *train, const sdn_dataset *val,
                           const sdn_preprocess *pre, const sdn_fit_options *o, sdn_fit_state *st);

/* Mean loss and accuracy of the model on a dataset, converting in chunks (no float copy of it). */
SDN_API sdn_status sdn_evaluate_dataset(sdn_model *model, const sdn_dataset *d,
                                        const sdn_preprocess *pre, double *loss, double *accuracy);

/* History as CSV (epoch,loss,accuracy,val_loss,val_accuracy,seconds,learning_rate) and JSON
 * ({"epoch": [...], "loss": [...], ...} as Keras' history.history). */
SDN_API sdn_status sdn_history_write_csv(const sdn_fit_state *st, const char *path);
SDN_API sdn_status sdn_history_write_json(const sdn_fit_state *st, const char *path);

/* Fit state to metadata strings and "fit.best_state" tensor, and back (checkpoints). */
#define SDN_FIT_META_COUNT 11 /* with fit.schedule */
SDN_API size_t sdn_fit_state_to_meta(const sdn_fit_state *st, sdn_st_meta *meta, char **store);
SDN_API sdn_status sdn_fit_state_from_file(const sdn_safetensors *file, sdn_fit_state *st,
                                           size_t state_count);

/* ------------------------------------------------------------- checkpoints
 * (src/train/checkpoint.c) */

/* Most metadata entries the application adds to a checkpoint (its network spec, its arguments). */
#define SDN_CHECKPOINT_APP_META 32
/* One atomic write of the model (with_fit = 0: a model file) or a checkpoint (with_fit = 1: plus
 * optimizer slots, the fit state and the best epoch's weights), with the preprocessing statistics,
 * "fit.step" and "simdnn.epoch" after the application's metadata. */
SDN_API sdn_status sdn_checkpoint_save(const char *path, const sdn_model *model,
                                       const sdn_fit_state *st, int with_fit,
                                       const sdn_preprocess *pre, const sdn_st_meta *app_meta,
                                       size_t app_meta_count);
/* The preprocessing a file records: its standardization statistics, or x/255 without them. */
SDN_API sdn_status sdn_checkpoint_read_preprocess(const sdn_safetensors *file, size_t features,
                                                  sdn_preprocess *pre);
/* Continues from an open checkpoint: the preprocessing (the checkpoint's statistics when it has
 * them and standardize is on, else fitted on train), the model's tensors with optimizer slots, the
 * fit state and the step count. */
SDN_API sdn_status sdn_checkpoint_resume(const sdn_safetensors *ckpt, sdn_model *model,
                                         sdn_fit_state *st, sdn_preprocess *pre,
                                         const sdn_dataset *train, int standardize);

/* ------------------------------------------- learning-rate range test */

/* Smith's range test as Géron and fastai run it: the rate grows exponentially from min_lr to
 * max_lr over at most one epoch (max_steps), one batch per rate; the loss is smoothed (EMA 0.98,
 * bias-corrected) and the sweep stops once it exceeds stop_factor × its lowest value. */
typedef struct sdn_lr_find_options {
    double min_lr, max_lr;         /* [1e-6, 10] */
    size_t batch_size;             /* [32] */
    size_t max_steps;              /* 0: one epoch */
    uint64_t seed;                 /* the shuffle */
    double smoothing, stop_factor; /* [0.98, 4] */
} sdn_lr_find_options;

typedef struct sdn_lr_find_result {
    size_t n;                /* steps run */
    double *lr, *loss, *raw; /* [n]: the rate, the smoothed and the batch loss */
    double min_loss, min_loss_lr;
    double suggested; /* min_loss_lr / 10: below where the loss turns up */
    int diverged;     /* stopped by stop_factor or a NaN loss */
} sdn_lr_find_result;

SDN_API sdn_lr_find_options sdn_lr_find_defaults(void);
/* Trains `model` during the sweep (use a scratch copy) and fills r (free with
 * sdn_lr_find_result_free). */
SDN_API sdn_status sdn_lr_find(sdn_model *model, const sdn_dataset *train,
                               const sdn_preprocess *pre, const sdn_lr_find_options *o,
                               sdn_lr_find_result *r);
SDN_API void sdn_lr_find_result_free(sdn_lr_find_result *r);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_FIT_H */
