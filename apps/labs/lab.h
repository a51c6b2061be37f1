/* The labs of `simdnn lab`: each answers one of the chapter's questions by an experiment and writes
 * its section of the report (Markdown), its numbers (JSON, flat) and SVG figures. The verdict of
 * every lab is computed from its numbers with thresholds named in its file. */
#ifndef SDN_APP_LAB_H
#define SDN_APP_LAB_H

#include <stdio.h>

#include "platform.h"
#include "simdnn.h"
#include "simdnn_data.h"
#include "simdnn_fit.h"
#include "spread.h"
#include "svg.h"
#include "train.h"

typedef struct lab_ctx {
    int quick;
    int print_hash;     /* quiet, no figures: only the hash of the numbers counts */
    int seeds;          /* seeds of a descriptive comparison (1 when quick) */
    int seeds_deciding; /* seeds of a comparison a verdict rests on */
    uint64_t seed;      /* the seed of the runs being made now (lab_seed) */
    uint64_t hash;      /* FNV-1a of every number written to the JSON but timings */
    const char *out;
    const app_train_config *cfg;     /* data, dataset, seed, threads */
    sdn_dataset train, val, test;    /* train: the subset the labs train on */
    sdn_preprocess pre_std, pre_raw; /* standardized per feature; x/255 */
    size_t train_full;               /* training samples before the subset */
    int layers;                      /* the exercise's depth and width (smaller when quick) */
    size_t units;
    int epochs;        /* the default budget per run; labs scale it */
    char command[600]; /* this invocation, for each section's footer */
    int jobs;
    FILE *md;
    FILE *json;
    int json_count;
    char name[16];
} lab_ctx;

typedef struct lab_def {
    const char *name, *title;
    int (*run)(lab_ctx *ctx); /* 0, or 1 after printing the error */
} lab_def;

extern const lab_def app_labs[8];

/* ---- report output */
void lab_md(lab_ctx *ctx, const char *fmt, ...) __attribute__((format(SDN_PRINTF_FORMAT, 2, 3)));
void lab_num(lab_ctx *ctx, const char *key, double v);
void lab_nums(lab_ctx *ctx, const char *key, const double *v, int n);
void lab_str(lab_ctx *ctx, const char *key, const char *v);
/* <out>/<lab>-<what>.svg, and the Markdown image line for it. */
void lab_figure_path(const lab_ctx *ctx, const char *what, char *path, size_t size);
void lab_md_figure(lab_ctx *ctx, const char *what, const char *caption);
/* Accuracy per epoch of several runs (validation solid, training dashed) as <lab>-<what>.svg,
 * with its line in the report. */
struct lab_result;
void lab_accuracy_figure(lab_ctx *ctx, const char *what, const struct lab_result *const *runs,
                         const char *const *labels, int n);
/* The verdict of a claim made of `of` parts of which `held` held: "confirmed" (all), "partly"
 * (some) or "refuted" (none); also written as the JSON's "verdict". */
const char *lab_verdict(lab_ctx *ctx, int held, int of);
/* A y-against-x figure as <lab>-<what>.svg, with its line in the report. */
void lab_xy_figure(lab_ctx *ctx, const char *what, const char *caption, const app_xy_plot *plot,
                   const app_xy_series *series, int count);
/* Percent of a fraction, for tables. */
double lab_pct(double fraction);
/* Keys whose numbers are timings (or the host's load): written, but left out of ctx->hash, so the
 * hash of a run is the same on every ISA, thread count and load. */
int lab_timing_key(const char *key);

/* ---- seeds (spreads: spread.h) */
/* The i-th seed of a comparison: the config's seed, then the next ones. */
uint64_t lab_seed(const lab_ctx *ctx, int i);
/* How many seeds a comparison runs: deciding ones (a verdict rests on them) get more. */
int lab_seed_count(const lab_ctx *ctx, int deciding);

/* ---- networks and training */
/* The exercise's stack of ctx->layers × ctx->units with this activation and initializer. */
sdn_net_spec lab_spec(const lab_ctx *ctx, sdn_activation act, sdn_init_kind init);

typedef struct lab_run {
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    int epochs, patience;           /* patience 0: the whole budget */
    size_t batch_size;              /* 0: 32 */
    uint64_t seed;                  /* 0: the config's */
    const sdn_preprocess *pre;      /* NULL: standardized */
    const sdn_dataset *train, *val; /* NULL: ctx's */
    sdn_monitor monitor;            /* the best epoch's criterion [val_accuracy] */
    const sdn_schedule *schedule;
    /* Called after the model is built, before training (e.g. to set the initial weights). */
    void (*prepare)(sdn_model *m, void *arg);
    void *arg;
} lab_run;

typedef struct lab_result { /* one training run */
    sdn_model *model;       /* the best epoch's weights (by val_accuracy); owned */
    sdn_fit_state fit;
    double val_accuracy, test_accuracy, seconds_per_epoch;
} lab_result;

lab_run lab_run_defaults(const lab_ctx *ctx, sdn_net_spec spec, sdn_optimizer_kind opt, float lr);
/* Trains quietly (on ctx->train, validating on ctx->val unless the run names others), tests on
 * ctx->test; prints one line. 0, or 1 after an error. */
int lab_train(lab_ctx *ctx, const char *label, const lab_run *run, lab_result *res);
void lab_result_free(lab_result *res);
/* The run over n seeds (lab_seed 0 .. n−1; ctx->seed is each one during its run, so a prepare
 * function can read it): val[i] and test[i] (may be NULL) get each seed's accuracies, inspect
 * (may be NULL) sees each result before it is freed, keep (may be NULL) gets the first seed's.
 * 0, or 1 after an error (nothing left to free). */
typedef void (*lab_inspect_fn)(lab_ctx *ctx, const lab_result *r, int i, void *arg);
int lab_train_seeds(lab_ctx *ctx, const char *label, const lab_run *run, int n, lab_result *keep,
                    double *val, double *test, lab_inspect_fn inspect, void *arg);
#define LAB_MAX_SEEDS 20

/* A training loop for labs that act after every step (masks, frozen units, per-step losses):
 * epochs over `train` in fit's shuffled order; after_step may return nonzero to stop.
 * losses (may be NULL) gets every step's loss; returns the steps run, or -1 after an error. A NaN
 * loss stops the loop (the step is counted, its loss is NaN). */
typedef int (*lab_step_fn)(sdn_model *m, size_t step, float loss, void *arg);
long lab_fit_steps(lab_ctx *ctx, sdn_model *m, const sdn_dataset *train, int epochs, size_t batch,
                   lab_step_fn after_step, void *arg, double *losses, size_t max_losses);

/* Accuracy (and mean loss) of a model on one of ctx's sets. */
double lab_accuracy(lab_ctx *ctx, sdn_model *m, const sdn_dataset *d, const sdn_preprocess *pre);

/* ---- looking inside a model (Keras layout: kernel [in × out]) */
/* Distinct units of every dense kernel but the output's: columns equal within tol·max|w|. */
int lab_distinct_units(const sdn_model *m, double tol, int *distinct, int max_layers);

/* Mean and std of every hidden layer's output and the fraction of units whose output is 0 for
 * every one of the rows (dead ReLUs), recomputed from the weights on n rows of d; dead_units (may
 * be NULL) gets one flag per hidden unit, layer after layer. Returns the number of hidden layers
 * (no BN: the spec's stack). */
typedef struct lab_layer_stats {
    double mean, std, dead;
} lab_layer_stats;
int lab_hidden_stats(const sdn_model *m, const sdn_net_spec *spec, const sdn_dataset *d,
                     const sdn_preprocess *pre, size_t n, lab_layer_stats *out, int max_layers,
                     unsigned char *dead_units);

/* The model's trainable tensors whose name ends in `suffix` (".kernel", ".bias"), in layer order
 * (the output layer's last); their data is writable. */
int lab_params(const sdn_model *m, const char *suffix, sdn_tensor *out, int max);

/* Deterministic draws for the labs' own initializations (xorshift64*, Box-Muller). */
double lab_normal(uint64_t *state);

double lab_now(void);

#endif
