/* The training flags' table, shared by the parser (train_config.c) and the writers of the help
 * text and of the list a checkpoint stores (train_config_args.c). */
#ifndef SDN_TRAIN_OPTIONS_H
#define SDN_TRAIN_OPTIONS_H

#include <stddef.h>

#include "train.h"

typedef enum {
    K_INT,
    K_SIZE,
    K_DOUBLE,
    K_OPT_DOUBLE, /* NaN = unset */
    K_U64,
    K_BOOL,
    K_STR,
    K_ACT,
    K_INIT,
    K_OPTIM,
    K_MONITOR,
    K_PROGRESS,
    K_DATASET,
    K_PRESET,
    K_SCHEDULE,
} kind;

typedef struct opt_def {
    const char *name;
    kind k;
    size_t off;
    double lo, hi; /* numeric range, inclusive */
    const char *help;
} opt_def;

/* One row per flag, in --help order. */
extern const opt_def app_train_opts[];
extern const size_t app_train_opt_count;

/* Whether the flag `name` is in the space-separated list `allowed` (NULL: every flag). */
int app_train_opt_allowed(const char *allowed, const char *name);

#endif
