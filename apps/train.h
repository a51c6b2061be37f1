/* Shared by train, evaluate, predict and exercise: the training configuration (every flag),
 * presets, loading data and running one training into an output folder. */
#ifndef SDN_APP_TRAIN_H
#define SDN_APP_TRAIN_H

#include <signal.h>
#include <stdio.h>

#include "simdnn.h"
#include "simdnn_data.h"
#include "simdnn_fit.h"
#include "simdnn_io.h"

typedef enum app_progress_view {
    SDN_PROGRESS_AUTO = 0, /* a bar on a terminal, one line per epoch otherwise */
    SDN_PROGRESS_BAR,
    SDN_PROGRESS_LINES,
    SDN_PROGRESS_QUIET
} app_progress_view;

typedef struct app_train_config {
    char preset[32];
    /* network */
    int layers;
    size_t units;
    sdn_activation activation;
    double activation_alpha;
    sdn_init_kind init;
    int batch_norm;
    double dropout, alpha_dropout, l1, l2;
    char conv[1024]; /* a convolutional trunk (sdn_net_spec.conv); empty: none */
    int augment;     /* random crop with padding 4 and flips of image batches */
    /* optimizer: NaN means the optimizer's own default */
    sdn_optimizer_kind optimizer;
    double lr, momentum, beta1, beta2, rho, epsilon, clip_norm;
    int nesterov;
    /* training */
    int epochs;
    size_t batch_size;
    int patience;
    double min_delta;
    sdn_monitor monitor;
    int restore_best, save_best;
    double validation_split;
    int standardize;
    unsigned long long seed;
    int threads;
    app_progress_view progress;
    /* data and files */
    char dataset[32]; /* cifar10, fashion-mnist, idx */
    char data[1024];
    char out[1024];
    char resume[1024];
    size_t train_limit, test_limit; /* 0: all */
    /* Learning-rate schedule (NaN: the schedule's default) and --lr auto */
    sdn_schedule_kind schedule;
    double decay_steps, decay_rate, power, max_lr, factor, min_lr, plateau_min_delta;
    double max_momentum, min_momentum; /* 1cycle's momentum cycle (NaN: 0.95, 0.85) */
    int staircase, plateau_patience, cooldown, lr_auto, cycle_momentum;
    char boundaries[1024], values[1024];
} app_train_config;

/* Defaults (the elu-he network without its optimizer settings). */
void app_train_config_defaults(app_train_config *c);
/* Applies a preset by name; 0 if unknown. */
int app_train_preset(app_train_config *c, const char *name);
extern const char *const app_train_preset_names[6];

/* Parses argv[first..argc) into c. Options not in `allowed` (a space-separated list of option
 * names without dashes, NULL = all training options) are refused. Prints the usage error naming the
 * flag (prefixed by `cmd`) and returns 2; returns 0 on success, -1 when --help was asked (*help_out
 * set). Unknown arguments are left to `extra` when given: it returns the number of argv entries it
 * consumed (0 = unknown). */
typedef int (*app_extra_arg_fn)(void *ctx, int argc, char **argv, int i);
int app_train_parse(app_train_config *c, const char *cmd, int argc, char **argv, int first,
                    const char *allowed, app_extra_arg_fn extra, void *ctx);
/* Prints the options (those in `allowed`) with their help and defaults. */
void app_train_print_options(FILE *out, const char *allowed, const char *out_default);
/* The canonical "--name=value" list of every option, '\n'-separated (stored in checkpoints). */
void app_train_config_args(const app_train_config *c, char *buf, size_t size);
/* Re-applies a stored list. Returns 0 on success. */
int app_train_config_apply_args(app_train_config *c, const char *args);

sdn_net_spec app_train_net_spec(const app_train_config *c, size_t input_size, size_t classes);
sdn_optimizer_options app_train_optimizer(const app_train_config *c);

/* Loads the train and/or test set named by the config (dataset, data path, limits). */
int app_load_data(const app_train_config *c, sdn_dataset *train, sdn_dataset *test);

typedef struct app_train_result {
    double best_val_accuracy, best_val_loss, test_accuracy, test_loss;
    int best_epoch, epochs_run;
    double seconds_per_epoch, samples_per_second, total_seconds, peak_rss_mb;
    sdn_stop_reason stop;
    sdn_fit_state history; /* owned: sdn_fit_state_free */
} app_train_result;

/* Draws fit's progress (apps/progress.c): pass app_progress as on_progress, a drawer as its
 * context. */
typedef struct app_progress_drawer {
    FILE *out;
    int bar, quiet;
    double last_draw; /* seconds into the epoch of the last bar drawn */
    /* Rows per epoch and the last batch's seconds into it: the job's samples/s over ranks */
    size_t epoch_rows;
    double train_seconds;
} app_progress_drawer;
void app_progress_drawer_init(app_progress_drawer *d, app_progress_view mode, FILE *out);
void app_progress(void *ctx, const sdn_fit_progress *p);

/* One predicted row (apps/predict_set.c): probabilities [classes], and with MC Dropout their mean
 * and standard deviation over the samples. */
typedef struct app_prediction {
    size_t index;
    int label;
    size_t classes;
    const float *probs, *mean, *std; /* mean, std: NULL without MC samples */
    int predicted, predicted_mc;
} app_prediction;
typedef struct app_prediction_totals {
    size_t n, right, right_mc;
    double confidence, confidence_mc, spread; /* sums over rows, in row order */
} app_prediction_totals;
typedef void (*app_prediction_fn)(void *ctx, const app_prediction *row);
/* Predicts every row of d (and its MC Dropout mean with mc_samples > 0), calling each(ctx, row) in
 * order. Returns 0, or 1 after printing the error. */
int app_predict_set(sdn_model *model, const sdn_preprocess *pre, const sdn_dataset *d,
                    int mc_samples, app_prediction_fn each, void *ctx,
                    app_prediction_totals *totals);

/* Set by the SIGINT handler; training stops after the current batch. */
extern volatile sig_atomic_t app_interrupted;
void app_install_sigint(void);

/* One training run into c->out (created): history.csv/json, checkpoint.safetensors each epoch,
 * model.safetensors (best), summary.json. Returns 0, or 1 after printing a runtime error. */
int app_train(const app_train_config *c, app_train_result *result);

/* Opens a model file (or <dir>/model.safetensors), rebuilds its network, loads weights and
 * preprocessing. Returns 0, or 1 after printing the error. */
int app_open_model(const char *path, size_t max_batch, int with_optimizer, sdn_model **model,
                   sdn_preprocess *pre, sdn_safetensors **file);

/* The configured schedule for `steps_per_epoch` (1cycle spans every epoch), the
 * boundaries and values lists parsed. Returns 0, or prints the error naming the flag and
 * returns 2. */
int app_train_schedule(const app_train_config *c, const sdn_optimizer_options *opt,
                       size_t steps_per_epoch, sdn_schedule *out);
/* The learning-rate range test for --lr auto on a scratch copy of the network (same
 * spec and seed); prints the sweep's result. Returns 0 with *lr set, or 1 after an error. */
int app_lr_auto(const app_train_config *c, const sdn_net_spec *spec,
                const sdn_optimizer_options *opt, const sdn_dataset *train,
                const sdn_preprocess *pre, float *lr);

double app_peak_rss_mb(void);
/* mkdir -p; 0 on success. */
int app_mkdirs(const char *path);
/* What every command does before its work: selects the kernels, sets the thread count (0: keep
 * OpenMP's) and, when `out` is not NULL, creates the output folder. Returns 0, or 1 after
 * printing the error. */
int app_start(int threads, const char *out);
/* Prints "simdnn: <last error>" and returns 1. */
int app_error(void);

#endif
