/* simdnn lr-find: the learning-rate range test on the configured network: loss against rate as
 * CSV and SVG, and the suggested rate (what `--lr auto` uses). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "platform.h"
#include "svg.h"
#include "train.h"

/* where the command writes unless --out says otherwise */
#define LR_FIND_OUT "lr-find"

static const char *ALLOWED =
    "preset layers units activation activation-alpha init batch-norm dropout alpha-dropout l1 "
    "l2 optimizer lr momentum nesterov beta1 beta2 rho epsilon clip-norm batch-size "
    "validation-split standardize seed threads dataset data out train-limit cycle-momentum "
    "max-momentum";

typedef struct find_args {
    double start, end;
    long steps;
} find_args;

static int extra_arg(void *ctx, int argc, char **argv, int i)
{
    find_args *a = ctx;
    static const char *names[] = {"--start-lr", "--end-lr", "--steps"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(names[k]);
        const char *v = NULL;
        int used = 0;
        if (!strcmp(argv[i], names[k]) && i + 1 < argc) {
            v = argv[i + 1];
            used = 2;
        } else if (!strncmp(argv[i], names[k], n) && argv[i][n] == '=') {
            v = argv[i] + n + 1;
            used = 1;
        }
        if (!v)
            continue;
        char *end;
        double x = strtod(v, &end);
        if (!*v || *end || !(x > 0 && x <= 1e9) || (k == 2 && x != floor(x))) {
            fprintf(stderr, "simdnn lr-find: bad value '%s' for %s (%s)\n", v, names[k],
                    k == 2 ? "a whole number of steps >= 1" : "a rate > 0");
            return -1;
        }
        if (k == 0)
            a->start = x;
        else if (k == 1)
            a->end = x;
        else
            a->steps = (long)x;
        return used;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: simdnn lr-find [--preset NAME] [options]\n\n"
            "The learning-rate range test (Smith; Géron ch. 11): trains the configured network\n"
            "for at most one epoch, one batch per rate, the rate growing exponentially; stops\n"
            "once the smoothed loss exceeds 4x its lowest value. Writes lr_find.csv and\n"
            "lr_find.svg into --out.\n\n"
            "The rule: lr_min is the rate at the lowest smoothed loss, the last rate before the\n"
            "loss turns up. Suggested constant rate: lr_min / 10 (Géron: about 10 times below\n"
            "the turning point; what `simdnn train --lr auto` uses). Suggested 1cycle peak:\n"
            "lr_min itself (Smith: the cycle peaks at the largest rate that still lowers the\n"
            "loss; the cycle spends most steps below it and starts at a tenth of it; what\n"
            "`--schedule 1cycle --lr auto` uses, and where the 1cycle preset's --lr comes from).\n"
            "Run it with the optimizer settings of the training it is for: 1cycle's SGD runs\n"
            "with the cycle's top momentum.\n\n"
            "  --start-lr X           first rate [1e-6]\n"
            "  --end-lr X             last rate [10]\n"
            "  --steps N              at most N batches (default: one epoch)\n");
    app_train_print_options(out, ALLOWED, LR_FIND_OUT);
}

static int write_outputs(const char *dir, const sdn_lr_find_result *r)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/lr_find.csv", dir);
    FILE *f = sdn_fopen(path, "w");
    if (!f) {
        fprintf(stderr, "simdnn: %s: cannot write\n", path);
        return 1;
    }
    fprintf(f, "step,lr,loss,smoothed_loss\n");
    for (size_t i = 0; i < r->n; i++)
        fprintf(f, "%zu,%.9g,%.9g,%.9g\n", i + 1, r->lr[i], r->raw[i], r->loss[i]);
    if (fclose(f)) {
        fprintf(stderr, "simdnn: %s: write failed\n", path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/lr_find.svg", dir);
    /* the smoothed loss only: the batch losses (in the CSV) would let the last spike set the scale
     */
    app_xy_series s[1] = {{"smoothed loss", r->lr, r->loss, (int)r->n, 0}};
    app_xy_plot p = {"Learning-rate range test (dotted: suggested rate)",
                     "learning rate",
                     "loss",
                     1,
                     0,
                     r->suggested};
    if (app_svg_xy(path, &p, s, 1)) {
        fprintf(stderr, "simdnn: %s: cannot write\n", path);
        return 1;
    }
    return 0;
}

int cli_lrfind(int argc, char **argv)
{
    app_train_config c;
    app_train_config_defaults(&c);
    snprintf(c.out, sizeof c.out, LR_FIND_OUT);
    find_args a = {1e-6, 10, 0};
    int rc = app_train_parse(&c, "simdnn lr-find", argc, argv, 1, ALLOWED, extra_arg, &a);
    if (rc == -1) {
        usage(stdout);
        return 0;
    }
    if (rc)
        return rc;
    if (!(a.end > a.start)) {
        fprintf(stderr, "simdnn lr-find: --end-lr (%g) must be above --start-lr (%g)\n", a.end,
                a.start);
        return 2;
    }
    if (app_start(c.threads, c.out))
        return 1;
    sdn_dataset train = {0}, val = {0};
    sdn_preprocess pre = {0};
    sdn_model *m = NULL;
    sdn_lr_find_result r = {0};
    rc = 1;
    if (app_load_data(&c, &train, NULL))
        goto done;
    sdn_net_spec spec;
    sdn_optimizer_options opt = app_train_optimizer(&c);
    if (sdn_dataset_split(&train, c.validation_split, &val) ||
        sdn_preprocess_fit(&pre, &train, c.standardize) ||
        (spec = app_train_net_spec(&c, train.features, train.classes),
         sdn_net_build(&spec, c.seed, c.batch_size, &opt, &m))) {
        app_error();
        goto done;
    }
    sdn_lr_find_options o = sdn_lr_find_defaults();
    o.min_lr = a.start;
    o.max_lr = a.end;
    o.max_steps = (size_t)a.steps;
    o.batch_size = c.batch_size;
    o.seed = c.seed;
    if (sdn_lr_find(m, &train, &pre, &o, &r)) {
        app_error();
        goto done;
    }
    if (write_outputs(c.out, &r))
        goto done;
    printf("range test: %zu steps of batch %zu, lr %.3g to %.3g%s\n", r.n, c.batch_size, r.lr[0],
           r.lr[r.n - 1], r.diverged ? " (stopped: the loss blew up)" : "");
    printf("lowest smoothed loss %.4f at lr_min %.3g\nsuggested learning rate: %.3g (lr_min/10, "
           "constant)\nsuggested 1cycle peak: %.3g (lr_min)\n",
           r.min_loss, r.min_loss_lr, r.suggested, r.min_loss_lr);
    printf("wrote %s/lr_find.csv and %s/lr_find.svg\n", c.out, c.out);
    rc = 0;
done:
    sdn_lr_find_result_free(&r);
    sdn_model_free(m);
    sdn_preprocess_free(&pre);
    sdn_dataset_free(&train);
    return rc;
}
