/* Every training knob as a flag, from one table (train_options.h): parsing (--name value or
 * --name=value, --no-name for switches) with range checks that name the flag, and presets. The
 * help text and the list a checkpoint stores are written from the same table (train_config_args.c).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "train_options.h"

#define O(f) offsetof(app_train_config, f)
const opt_def app_train_opts[] = {
    {"preset", K_PRESET, O(preset), 0, 0,
     "elu-he | batchnorm | selu | alpha-dropout (Géron ch. 11 ex. 8b-8e) | 1cycle | cnn; other "
     "flags override it"},
    {"layers", K_INT, O(layers), 0, 1000, "hidden layers"},
    {"units", K_SIZE, O(units), 1, 1e6, "units per hidden layer"},
    {"activation", K_ACT, O(activation), 0, 0, "elu selu relu leaky_relu tanh sigmoid linear"},
    {"activation-alpha", K_DOUBLE, O(activation_alpha), 0, 100,
     "ELU alpha / leaky slope (0: the activation's default)"},
    {"init", K_INIT, O(init), 0, 0,
     "he_normal he_uniform lecun_normal lecun_uniform glorot_normal glorot_uniform"},
    {"batch-norm", K_BOOL, O(batch_norm), 0, 1,
     "batch normalization on the inputs and before every hidden activation"},
    {"conv", K_STR, O(conv), 0, 0,
     "convolutional layers before the dense ones, e.g. c32,c32,m2,c64,c64,m2,g (cN: N 3x3 "
     "filters [kK size, sS stride, v valid], mN/aN: max/avg pool, g: global average pool)"},
    {"augment", K_BOOL, O(augment), 0, 1, "random crops (padding 4) and flips of image batches"},
    {"dropout", K_DOUBLE, O(dropout), 0, 0.99, "dropout rate before the output layer"},
    {"alpha-dropout", K_DOUBLE, O(alpha_dropout), 0, 0.99,
     "AlphaDropout rate before the output layer (for SELU)"},
    {"l1", K_DOUBLE, O(l1), 0, 1e3, "L1 kernel regularization"},
    {"l2", K_DOUBLE, O(l2), 0, 1e3, "L2 kernel regularization"},
    {"optimizer", K_OPTIM, O(optimizer), 0, 0, "sgd adam nadam rmsprop"},
    {"lr", K_OPT_DOUBLE, O(lr), 1e-12, 100, "learning rate, or auto (simdnn lr-find's suggestion)"},
    {"momentum", K_OPT_DOUBLE, O(momentum), 0, 1, "SGD momentum"},
    {"nesterov", K_BOOL, O(nesterov), 0, 1, "SGD Nesterov momentum"},
    {"beta1", K_OPT_DOUBLE, O(beta1), 0, 0.999999, "Adam/Nadam beta1"},
    {"beta2", K_OPT_DOUBLE, O(beta2), 0, 0.99999999, "Adam/Nadam beta2"},
    {"rho", K_OPT_DOUBLE, O(rho), 0, 1, "RMSProp rho"},
    {"epsilon", K_OPT_DOUBLE, O(epsilon), 1e-12, 1, "optimizer epsilon"},
    {"clip-norm", K_OPT_DOUBLE, O(clip_norm), 0, 1e9, "clip gradients by global norm (0: off)"},
    {"epochs", K_INT, O(epochs), 1, 1e6, "epochs (the total, when resuming)"},
    {"batch-size", K_SIZE, O(batch_size), 1, 65536, "samples per batch"},
    {"patience", K_INT, O(patience), 0, 1e6, "early stopping patience in epochs (0: off)"},
    {"min-delta", K_DOUBLE, O(min_delta), 0, 1e6, "smallest change that counts as improvement"},
    {"monitor", K_MONITOR, O(monitor), 0, 0, "val_loss | val_accuracy (early stopping, best)"},
    {"restore-best", K_BOOL, O(restore_best), 0, 1, "end with the best epoch's weights"},
    {"save-best", K_BOOL, O(save_best), 0, 1, "write model.safetensors at every new best"},
    {"validation-split", K_DOUBLE, O(validation_split), 0, 1e9,
     "last part of the training data held out: a fraction < 1 or a count"},
    {"standardize", K_BOOL, O(standardize), 0, 1,
     "per-pixel mean/std from the training part (else x/255)"},
    {"seed", K_U64, O(seed), 0, 0, "seed of weights, dropout and shuffling"},
    {"threads", K_INT, O(threads), 0, 1024, "threads (0: OpenMP's default)"},
    {"progress", K_PROGRESS, O(progress), 0, 0, "auto | bar | lines | quiet"},
    {"dataset", K_DATASET, O(dataset), 0, 0, "cifar10 | fashion-mnist | idx"},
    {"data", K_STR, O(data), 0, 0,
     "data path (cifar-10-binary.tar.gz, its folder, an IDX folder); else $SIMDNN_DATA, ./data"},
    {"out", K_STR, O(out), 0, 0, "output folder"},
    {"resume", K_STR, O(resume), 0, 0,
     "continue from a checkpoint (file or the folder holding checkpoint.safetensors)"},
    {"train-limit", K_SIZE, O(train_limit), 0, 1e9,
     "use only the first N training samples (0: all), before the split"},
    {"test-limit", K_SIZE, O(test_limit), 0, 1e9, "use only the first N test samples (0: all)"},
    /* Learning-rate schedules, Keras' parameter names */
    {"schedule", K_SCHEDULE, O(schedule), 0, 0,
     "learning rate per step: constant exponential power piecewise plateau 1cycle"},
    {"decay-steps", K_OPT_DOUBLE, O(decay_steps), 1e-9, 1e15,
     "exponential, power: steps per decay period [10000]"},
    {"decay-rate", K_OPT_DOUBLE, O(decay_rate), 0, 1e6,
     "exponential: factor per period [0.96]; power: lr0/(1+rate*step/decay_steps)^power [1]"},
    {"power", K_OPT_DOUBLE, O(power), 1e-6, 100, "power schedule's exponent [1]"},
    {"staircase", K_BOOL, O(staircase), 0, 1, "exponential, power: decay in whole periods"},
    {"boundaries", K_STR, O(boundaries), 0, 0,
     "piecewise: steps where the rate changes, e.g. 5000,8000"},
    {"values", K_STR, O(values), 0, 0, "piecewise: the rates, one more than boundaries"},
    {"max-lr", K_OPT_DOUBLE, O(max_lr), 1e-12, 100,
     "1cycle: peak rate [--lr]; starts at peak/10, ends at peak/10000"},
    {"cycle-momentum", K_BOOL, O(cycle_momentum), 0, 1,
     "1cycle: momentum (SGD) or beta1 (Adam, Nadam) from --max-momentum down to --min-momentum "
     "at the peak rate and back"},
    {"max-momentum", K_OPT_DOUBLE, O(max_momentum), 0, 0.999999,
     "1cycle: momentum at the ends [0.95]"},
    {"min-momentum", K_OPT_DOUBLE, O(min_momentum), 0, 0.999999,
     "1cycle: momentum at the peak [0.85]"},
    {"factor", K_OPT_DOUBLE, O(factor), 1e-6, 0.999999, "plateau: rate multiplier [0.1]"},
    {"plateau-patience", K_INT, O(plateau_patience), 0, 1e6,
     "plateau: epochs without improvement of --monitor before reducing"},
    {"plateau-min-delta", K_OPT_DOUBLE, O(plateau_min_delta), 0, 1e6,
     "plateau: smallest change that counts as improvement [1e-4]"},
    {"cooldown", K_INT, O(cooldown), 0, 1e6, "plateau: epochs to wait after a reduction"},
    {"min-lr", K_OPT_DOUBLE, O(min_lr), 0, 100, "plateau: lower bound of the rate [0]"},
};
#undef O
const size_t app_train_opt_count = sizeof app_train_opts / sizeof app_train_opts[0];

void app_train_config_defaults(app_train_config *c)
{
    memset(c, 0, sizeof *c);
    c->layers = 20;
    c->units = 100;
    c->activation = SDN_ACT_ELU;
    c->init = SDN_INIT_HE_NORMAL;
    c->optimizer = SDN_OPT_NADAM;
    c->lr = c->momentum = c->beta1 = c->beta2 = c->rho = c->epsilon = c->clip_norm = NAN;
    c->max_momentum = c->min_momentum = NAN;
    c->cycle_momentum = 1;
    c->epochs = 100;
    c->batch_size = 32;
    c->patience = 20;
    c->monitor = SDN_MONITOR_VAL_LOSS;
    c->restore_best = 1;
    c->save_best = 1;
    c->validation_split = 0.1;
    c->standardize = 1;
    c->seed = 42;
    snprintf(c->dataset, sizeof c->dataset, "cifar10");
    snprintf(c->out, sizeof c->out, "simdnn-run");
    c->decay_steps = c->decay_rate = c->power = c->max_lr = NAN;
    c->factor = c->min_lr = c->plateau_min_delta = NAN;
    c->plateau_patience = 10;
}

static const char *kind_hint(const opt_def *d)
{
    static _Thread_local char buf[96];
    switch (d->k) {
    case K_INT:
    case K_SIZE:
        snprintf(buf, sizeof buf, "an integer from %g to %g", d->lo, d->hi);
        return buf;
    case K_U64:
        return "a non-negative integer";
    case K_DOUBLE:
    case K_OPT_DOUBLE:
        snprintf(buf, sizeof buf, "a number from %g to %g", d->lo, d->hi);
        return buf;
    case K_BOOL:
        return "1/0, true/false, yes/no, on/off";
    case K_STR:
        return "a path under 1024 bytes, without a newline";
    default:
        return d->help;
    }
}

static int preset_known(const char *name)
{
    app_train_config probe;
    app_train_config_defaults(&probe);
    return app_train_preset(&probe, name);
}

/* "--lr auto" (the range test picks the rate); 1 when v was it. */
static int take_lr_auto(app_train_config *c, const opt_def *d, const char *v)
{
    if (d->off != offsetof(app_train_config, lr))
        return 0;
    c->lr_auto = !strcmp(v, "auto");
    if (c->lr_auto)
        c->lr = NAN;
    return c->lr_auto;
}

/* Numbers: in range, integral where the field is; 0 if v is not such a value. */
static int set_number(char *base, const opt_def *d, const char *v)
{
    char *end = NULL;
    errno = 0;
    if (d->k == K_U64) {
        unsigned long long x = strtoull(v, &end, 10);
        if (!*v || *end || errno || *v == '-')
            return 0;
        *(unsigned long long *)base = x;
        return 1;
    }
    double x = strtod(v, &end);
    if (!*v || *end || errno || !(x >= d->lo && x <= d->hi) ||
        ((d->k == K_INT || d->k == K_SIZE) && x != floor(x)))
        return 0;
    if (d->k == K_INT)
        *(int *)base = (int)x;
    else if (d->k == K_SIZE)
        *(size_t *)base = (size_t)x;
    else
        *(double *)base = x;
    return 1;
}

/* Switches: 1/0, true/false, yes/no, on/off; 0 if v is none of them. */
static int set_switch(int *out, const char *v)
{
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
        *out = 0;
    else
        return 0;
    return 1;
}

/* Paths and the dataset's name, copied into the field; 0 if v may not be stored. */
static int set_text(char *base, const opt_def *d, const char *v)
{
    if (d->k == K_DATASET) {
        if (strcmp(v, "cifar10") && strcmp(v, "fashion-mnist") && strcmp(v, "mnist") &&
            strcmp(v, "idx"))
            return 0;
        snprintf(base, 32, "%s", v);
        return 1;
    }
    /* A checkpoint stores the options one per line and an empty one as absent: a newline, or
     * an empty --out, would come back as something else on --resume. */
    if (strlen(v) >= 1024 || strchr(v, '\n') || (!*v && !strcmp(d->name, "out")))
        return 0;
    snprintf(base, 1024, "%s", v);
    return 1;
}

/* The index of v in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

/* Names of the library's enumerations and of the tool's own choices; 0 if v names none that the
 * flag accepts (softmax is for the output layer only, constant and zeros for biases only). */
static int set_named(char *base, const opt_def *d, const char *v)
{
    static const char *const monitors[] = {"val_loss", "val_accuracy"};
    static const char *const progress[] = {"auto", "bar", "lines", "quiet"};
    int i;
    switch (d->k) {
    case K_ACT:
        i = (int)sdn_activation_from_name(v);
        if (i == SDN_ACT_COUNT || i == SDN_ACT_SOFTMAX)
            return 0;
        *(sdn_activation *)base = (sdn_activation)i;
        return 1;
    case K_INIT:
        i = (int)sdn_init_from_name(v);
        if (i == SDN_INIT_COUNT || i == SDN_INIT_CONSTANT || i == SDN_INIT_ZEROS)
            return 0;
        *(sdn_init_kind *)base = (sdn_init_kind)i;
        return 1;
    case K_OPTIM:
        i = (int)sdn_optimizer_from_name(v);
        if (i == SDN_OPT_COUNT)
            return 0;
        *(sdn_optimizer_kind *)base = (sdn_optimizer_kind)i;
        return 1;
    case K_SCHEDULE:
        i = (int)sdn_schedule_from_name(v);
        if (i == SDN_SCHEDULE_COUNT)
            return 0;
        *(sdn_schedule_kind *)base = (sdn_schedule_kind)i;
        return 1;
    case K_MONITOR:
        if ((i = name_index(monitors, 2, v)) < 0)
            return 0;
        *(sdn_monitor *)base = i ? SDN_MONITOR_VAL_ACCURACY : SDN_MONITOR_VAL_LOSS;
        return 1;
    case K_PROGRESS:
        if ((i = name_index(progress, 4, v)) < 0)
            return 0;
        *(app_progress_view *)base = (app_progress_view)i;
        return 1;
    case K_PRESET: /* applied before every other flag (see app_train_parse): only checked here */
        return preset_known(v);
    default:
        return 0;
    }
}

/* Sets option d from text; returns 0 or prints the usage error and returns 2. */
static int set_value(app_train_config *c, const char *cmd, const opt_def *d, const char *v)
{
    char *base = (char *)c + d->off;
    int ok;
    switch (d->k) {
    case K_INT:
    case K_SIZE:
    case K_DOUBLE:
    case K_OPT_DOUBLE:
    case K_U64:
        ok = take_lr_auto(c, d, v) || set_number(base, d, v);
        break;
    case K_BOOL:
        ok = set_switch((int *)base, v);
        break;
    case K_STR:
    case K_DATASET:
        ok = set_text(base, d, v);
        break;
    default:
        ok = set_named(base, d, v);
    }
    if (ok)
        return 0;
    fprintf(stderr, "%s: bad value '%s' for --%s (%s)\n", cmd, v, d->name, kind_hint(d));
    return 2;
}

int app_train_parse(app_train_config *c, const char *cmd, int argc, char **argv, int first,
                    const char *allowed, app_extra_arg_fn extra, void *ctx)
{
    /* A preset sets defaults; every explicit flag overrides it wherever it stands. */
    if (app_train_opt_allowed(allowed, "preset"))
        for (int i = first; i < argc; i++) {
            const char *v = !strcmp(argv[i], "--preset") && i + 1 < argc ? argv[i + 1]
                            : !strncmp(argv[i], "--preset=", 9)          ? argv[i] + 9
                                                                         : NULL;
            if (v && !app_train_preset(c, v)) {
                fprintf(stderr,
                        "%s: bad value '%s' for --preset (elu-he, batchnorm, selu, "
                        "alpha-dropout, 1cycle)\n",
                        cmd, v);
                return 2;
            }
        }
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return -1;
        if (extra) {
            int used = extra(ctx, argc, argv, i);
            if (used < 0)
                return 2;
            if (used > 0) {
                i += used - 1;
                continue;
            }
        }
        if (strncmp(a, "--", 2)) {
            fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", cmd, a);
            return 2;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int negated = 0;
        const opt_def *d = NULL;
        for (int pass = 0; pass < 2 && !d; pass++) {
            const char *nm = pass ? name + 3 : name;
            size_t nl = pass ? len - 3 : len;
            if (pass && (len < 4 || strncmp(name, "no-", 3)))
                break;
            for (size_t k = 0; k < app_train_opt_count; k++)
                if (strlen(app_train_opts[k].name) == nl &&
                    !strncmp(app_train_opts[k].name, nm, nl) &&
                    app_train_opt_allowed(allowed, app_train_opts[k].name) &&
                    (!pass || app_train_opts[k].k == K_BOOL)) {
                    d = &app_train_opts[k];
                    negated = pass;
                }
        }
        if (!d) {
            fprintf(stderr, "%s: unknown option '%.*s' (try --help)\n", cmd, (int)len + 2, a);
            return 2;
        }
        const char *v;
        if (d->k == K_BOOL && !eq) {
            v = negated ? "0" : "1";
        } else if (negated) {
            fprintf(stderr, "%s: --no-%s takes no value\n", cmd, d->name);
            return 2;
        } else if (eq) {
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            fprintf(stderr, "%s: option --%s needs a value (%s)\n", cmd, d->name, kind_hint(d));
            return 2;
        }
        int r = set_value(c, cmd, d, v);
        if (r)
            return r;
    }
    return 0;
}

int app_train_opt_allowed(const char *allowed, const char *name)
{
    if (!allowed)
        return 1;
    size_t n = strlen(name);
    for (const char *p = allowed; (p = strstr(p, name)); p += n)
        if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return 1;
    return 0;
}
