/* The training configuration as text: the --help list of flags with their defaults, and the
 * canonical "--name=value" list a checkpoint stores and a resumed run parses back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train_options.h"

static void value_str(const app_train_config *c, const opt_def *d, char *buf, size_t size)
{
    const char *base = (const char *)c + d->off;
    static const char *progress[] = {"auto", "bar", "lines", "quiet"};
    switch (d->k) {
    case K_INT:
    case K_BOOL:
        snprintf(buf, size, "%d", *(const int *)base);
        break;
    case K_SIZE:
        snprintf(buf, size, "%zu", *(const size_t *)base);
        break;
    case K_DOUBLE:
    case K_OPT_DOUBLE:
        snprintf(buf, size, "%.9g", *(const double *)base);
        break;
    case K_U64:
        snprintf(buf, size, "%llu", *(const unsigned long long *)base);
        break;
    case K_STR:
    case K_DATASET:
    case K_PRESET:
        snprintf(buf, size, "%s", base);
        break;
    case K_ACT:
        snprintf(buf, size, "%s", sdn_activation_name(*(const sdn_activation *)base));
        break;
    case K_INIT:
        snprintf(buf, size, "%s", sdn_init_name(*(const sdn_init_kind *)base));
        break;
    case K_OPTIM:
        snprintf(buf, size, "%s", sdn_optimizer_name(*(const sdn_optimizer_kind *)base));
        break;
    case K_MONITOR:
        snprintf(buf, size, "%s",
                 *(const sdn_monitor *)base == SDN_MONITOR_VAL_LOSS ? "val_loss" : "val_accuracy");
        break;
    case K_PROGRESS:
        snprintf(buf, size, "%s", progress[*(const app_progress_view *)base]);
        break;
    case K_SCHEDULE:
        snprintf(buf, size, "%s", sdn_schedule_name(*(const sdn_schedule_kind *)base));
        break;
    }
}

void app_train_print_options(FILE *out, const char *allowed, const char *out_default)
{
    app_train_config c;
    app_train_config_defaults(&c);
    if (out_default) /* the command's own folder (lab, lr-find) */
        snprintf(c.out, sizeof c.out, "%s", out_default);
    for (size_t k = 0; k < app_train_opt_count; k++) {
        const opt_def *d = &app_train_opts[k];
        if (!app_train_opt_allowed(allowed, d->name))
            continue;
        char v[64], flag[64];
        value_str(&c, d, v, sizeof v);
        snprintf(flag, sizeof flag, d->k == K_BOOL ? "--[no-]%s" : "--%s", d->name);
        fprintf(out, "  %-22s %s", flag, d->help);
        if (d->k == K_OPT_DOUBLE && isnan(*(const double *)((const char *)&c + d->off)))
            fprintf(out, strchr(d->help, '[') ? "\n" : " [optimizer default]\n"); /* i14 */
        else if (d->k == K_BOOL)
            fprintf(out, " [%s]\n", v[0] == '1' ? "on" : "off");
        else if (v[0])
            fprintf(out, " [%s]\n", v);
        else
            fprintf(out, "\n");
    }
}

/* The schedule options (from --schedule on in the table) at their defaults are left
 * out, so a run without a schedule stores exactly the arguments it stored before them. */
static int schedule_option_at_default(const opt_def *d, const char *v)
{
    static app_train_config defaults;
    static int ready;
    if (!ready) {
        app_train_config_defaults(&defaults);
        ready = 1;
    }
    const opt_def *first = NULL;
    for (size_t k = 0; k < app_train_opt_count && !first; k++)
        if (app_train_opts[k].k == K_SCHEDULE)
            first = &app_train_opts[k];
    char dv[1100];
    value_str(&defaults, d, dv, sizeof dv);
    return first && d >= first && !strcmp(v, dv);
}

void app_train_config_args(const app_train_config *c, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t k = 0; k < app_train_opt_count; k++) {
        const opt_def *d = &app_train_opts[k];
        /* The preset is already expanded into the other options; resume is per run. */
        if (d->k == K_PRESET || !strcmp(d->name, "resume"))
            continue;
        if (d->k == K_OPT_DOUBLE && isnan(*(const double *)((const char *)c + d->off)))
            continue;
        char v[1100];
        value_str(c, d, v, sizeof v);
        /* unset strings, and --augment off, are left out: a dense run stores what it did before */
        if ((d->k == K_STR && !v[0]) || schedule_option_at_default(d, v) ||
            (!strcmp(d->name, "augment") && !strcmp(v, "0")))
            continue;
        int w = snprintf(buf + n, size - n, "%s--%s=%s", n ? "\n" : "", d->name, v);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
}

int app_train_config_apply_args(app_train_config *c, const char *args)
{
    char *copy = strdup(args), *save = NULL;
    char *argv[128];
    int argc = 0;
    if (!copy)
        return 1;
    for (char *t = strtok_r(copy, "\n", &save); t && argc < 128; t = strtok_r(NULL, "\n", &save))
        argv[argc++] = t;
    int r = app_train_parse(c, "checkpoint", argc, argv, 0, NULL, NULL, NULL);
    free(copy);
    return r;
}
