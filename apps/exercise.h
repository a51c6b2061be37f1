/* The exercise (Géron ch. 11, exercise 8) as runs → results → report: cmd_exercise.c trains and
 * measures into app_exercise_results, exercise_report.c writes report.md and the plots from them
 * alone. */
#ifndef SDN_APP_EXERCISE_H
#define SDN_APP_EXERCISE_H

#include <stdio.h>

#include "train.h"

typedef struct app_exercise_run {
    const char *id, *preset, *what;
} app_exercise_run;

/* 8b elu-he, 8c batchnorm, 8d selu, 8e alpha-dropout */
extern const app_exercise_run app_exercise_runs[4];

/* Self-normalization evidence: the hidden layers' output statistics of 8b and 8d. */
enum { SDN_EX_STAT_LAYERS = 32 };
typedef struct app_exercise_stats {
    int layers; /* 0: not measured */
    double init_mean[SDN_EX_STAT_LAYERS], init_std[SDN_EX_STAT_LAYERS];
    double trained_mean[SDN_EX_STAT_LAYERS], trained_std[SDN_EX_STAT_LAYERS];
} app_exercise_stats;

/* Everything the report shows, measured once. */
typedef struct app_exercise_results {
    /* how it ran */
    char command[4096]; /* the arguments after "simdnn exercise" */
    char when[64];      /* start, UTC */
    char cpu[128], dataset[32];
    const char *isa;
    int threads, subset; /* subset: training or test limits (a smoke run) */
    size_t batch_size;   /* the settings every run shared */
    int epochs, patience;
    sdn_monitor monitor;
    size_t n_train, n_val, n_test;
    /* the runs (done[k]: run k has a history) */
    int done[4];
    app_train_result res[4];
    /* MC Dropout on 8e: accuracy without and with it, mean std of the predicted class */
    int mc_samples;
    double mc_val[2], mc_test[2], mc_spread;
    /* 8b and 8d, on stats_samples validation images */
    app_exercise_stats stats[2];
    size_t stats_samples;
} app_exercise_results;

/* report.md: the comparison table and the exercise's answers from the numbers. */
void app_exercise_report(FILE *f, const app_exercise_results *r);
/* loss.svg and accuracy.svg in dir. */
void app_exercise_plots(const char *dir, const app_exercise_results *r);

#endif
