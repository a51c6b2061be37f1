/* simdnn lab NAME|all: runs the chapter's questions as measured experiments (apps/labs/) on
 * CIFAR-10 (or Fashion-MNIST, or generated data with --quick) and writes report.md, one JSON of
 * numbers per lab and the SVG figures into --out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "labs/lab.h"
#include "platform.h"
#include "simdnn_commit.h"

/* where the command writes unless --out says otherwise */
#define LAB_OUT "labs"

static const char *ALLOWED = "data dataset out threads seed train-limit test-limit";

/* The stamp of a section: what a CI check needs to tell whether the doc is stale. */
#define LAB_LOADED 1.5 /* a 1-minute load above this: the footer says the timings were shared */

typedef struct lab_args {
    int quick, jobs, seeds, print_hash, epochs;
    char name[16];
    char commit[16];
} lab_args;

/* The value of --NAME V or --NAME=V at argv[i] (NULL: not this option); *used gets the words. */
static const char *option_value(int argc, char **argv, int i, const char *name, int *used)
{
    const size_t n = strlen(name);
    if (strncmp(argv[i], "--", 2) || strncmp(argv[i] + 2, name, n))
        return NULL;
    if (argv[i][2 + n] == '=')
        return *used = 1, argv[i] + 3 + n;
    if (!argv[i][2 + n] && i + 1 < argc)
        return *used = 2, argv[i + 1];
    return NULL;
}

static int int_option(const char *name, const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        fprintf(stderr, "simdnn lab: bad value '%s' for --%s (%d to %d)\n", v, name, lo, hi);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int extra_arg(void *ctx, int argc, char **argv, int i)
{
    lab_args *a = ctx;
    if (!strcmp(argv[i], "--quick") || !strcmp(argv[i], "--print-hash")) {
        *(argv[i][2] == 'q' ? &a->quick : &a->print_hash) = 1;
        return 1;
    }
    int used = 0;
    const char *v;
    if ((v = option_value(argc, argv, i, "jobs", &used)))
        return int_option("jobs", v, 1, 8, &a->jobs) ? -1 : used;
    if ((v = option_value(argc, argv, i, "epochs", &used)))
        return int_option("epochs", v, 1, 1000, &a->epochs) ? -1 : used;
    if ((v = option_value(argc, argv, i, "seeds", &used)))
        return int_option("seeds", v, 1, 20, &a->seeds) ? -1 : used;
    if ((v = option_value(argc, argv, i, "commit", &used))) {
        size_t n = strlen(v), hex = strspn(v, "0123456789abcdef");
        if (n < 12 || hex != n) {
            fprintf(stderr, "simdnn lab: bad value '%s' for --commit (a git hash, lowercase)\n", v);
            return -1;
        }
        snprintf(a->commit, sizeof a->commit, "%.12s", v);
        return used;
    }
    if (argv[i][0] != '-' && !a->name[0]) {
        snprintf(a->name, sizeof a->name, "%.15s", argv[i]);
        return 1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: simdnn lab NAME|all [--data PATH] [--dataset NAME] [--out DIR] "
                 "[--quick]\n\nEach lab answers one of the chapter's questions by measurement "
                 "and writes its\nsection of report.md (claim, setup, numbers, a verdict computed "
                 "from them),\n<lab>.json with the numbers and SVG figures into --out.\n\n");
    for (int i = 0; i < 8; i++)
        fprintf(out, "  %-4s %s\n", app_labs[i].name, app_labs[i].title);
    fprintf(out,
            "  all  every lab, one report\n\n"
            "  --quick                seconds: generated data (or 1000 samples of --data), "
            "4 x 32 networks\n"
            "  --jobs N               run N labs at once, each in its own process [1] (their "
            "timings then\n                         share the machine)\n"
            "  --seeds N              seeds of every comparison [3, and 5 where a verdict "
            "rests on it;\n                         1 with --quick]\n"
            "  --print-hash           print only the hash of the numbers (no timings) and "
            "write nothing;\n                         with --quick: the hash a section's "
            "stamp names\n"
            "  --epochs N             the budget of a run, which each lab scales [10; 3 with "
            "--quick]\n"
            "  --commit HASH          the commit the stamp names [the build's: %s]\n",
            SIMDNN_GIT_COMMIT);
    app_train_print_options(out, ALLOWED, LAB_OUT);
}

/* Generated stand-in for --quick: 10 classes of 8×8 "images", each a fixed random prototype plus
 * noise, clamped to bytes: learnable in a few epochs, not trivially. */
static void generate(sdn_dataset *d, size_t n, uint64_t seed)
{
    enum { F = 64, C = 10 };
    memset(d, 0, sizeof *d);
    d->n = n;
    d->features = F;
    d->classes = C;
    d->channels = 1;
    d->height = d->width = 8;
    d->owns = 1;
    snprintf(d->name, sizeof d->name, "generated");
    d->pixels = malloc(n * F);
    d->labels = malloc(n * sizeof *d->labels);
    if (!d->pixels || !d->labels)
        return;
    uint64_t s = 0x9e3779b97f4a7c15ull;
    unsigned char proto[C][F];
    for (int c = 0; c < C; c++)
        for (int j = 0; j < F; j++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            proto[c][j] = (unsigned char)(s >> 56);
        }
    s ^= seed * 0x2545f4914f6cdd1dull;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        const int c = (int)((s >> 33) % C);
        d->labels[i] = c;
        for (int j = 0; j < F; j++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            /* a sum of two uniforms: noise of std ~74 against prototypes of std ~74 */
            const int noise = (int)((s >> 56) & 0xff) + (int)((s >> 48) & 0xff) - 255;
            const int v = proto[c][j] + noise;
            d->pixels[i * F + j] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

static int load(lab_ctx *ctx, const app_train_config *c, int generated)
{
    if (generated) {
        generate(&ctx->train, 1300, 1);
        generate(&ctx->test, 300, 2);
        if (!ctx->train.pixels || !ctx->test.pixels) {
            fprintf(stderr, "simdnn: out of memory\n");
            return 1;
        }
    } else if (app_load_data(c, &ctx->train, &ctx->test)) {
        return 1;
    }
    ctx->train_full = ctx->train.n;
    /* the labs' training subset + validation: with --train-limit, a 20% validation split of it */
    const size_t keep = ctx->quick ? 1300 : c->train_limit ? c->train_limit : 25000;
    if (sdn_dataset_split(&ctx->train, ctx->quick ? 300 : (double)(keep / 5), &ctx->val)) {
        app_error();
        return 1;
    }
    /* The validation part is the last of the full set; the subset is the first of the rest. */
    sdn_dataset_truncate(&ctx->train, keep - ctx->val.n);
    if (ctx->quick)
        sdn_dataset_truncate(&ctx->test, 300);
    if (sdn_preprocess_fit(&ctx->pre_std, &ctx->train, 1) ||
        sdn_preprocess_fit(&ctx->pre_raw, &ctx->train, 0)) {
        app_error();
        return 1;
    }
    return 0;
}

/* The 1-minute load average (NaN where the host has no /proc/loadavg). */
static double load_now(void)
{
    FILE *f = sdn_fopen("/proc/loadavg", "r");
    double v = NAN;
    if (f) {
        if (fscanf(f, "%lf", &v) != 1)
            v = NAN;
        fclose(f);
    }
    return v;
}

static double load_max(double a, double b)
{
    return isnan(a) ? b : isnan(b) ? a : fmax(a, b);
}

/* What the stamps of this invocation share. */
static struct {
    char commit[16];
    int canonical; /* this run is the stamp's check itself: its own hash is the one */
    double load;   /* the largest load seen by the whole run */
} stamp;

static int run_lab(lab_ctx *ctx, const lab_def *lab);

/* The hash of `lab --quick` on the generated data with the default settings: what the stamp's
 * check command recomputes. 0, or 1 after an error. */
static int quick_hash(const lab_def *lab, const lab_ctx *like, uint64_t *hash)
{
    app_train_config c;
    app_train_config_defaults(&c);
    c.threads = like->cfg->threads;
    lab_ctx q;
    memset(&q, 0, sizeof q);
    q.quick = q.print_hash = 1;
    q.seeds = q.seeds_deciding = 1;
    q.cfg = &c;
    q.out = like->out;
    q.layers = 4;
    q.units = 32;
    q.epochs = 3;
    q.jobs = 1;
    int rc = load(&q, &c, 1) || run_lab(&q, lab);
    *hash = q.hash;
    sdn_preprocess_free(&q.pre_std);
    sdn_preprocess_free(&q.pre_raw);
    sdn_dataset_free(&q.train);
    sdn_dataset_free(&q.val);
    sdn_dataset_free(&q.test);
    return rc;
}

/* The section's footer: command, date, machine, data, load, and the machine-readable stamp. */
static void footer(lab_ctx *ctx, const lab_def *lab, double seconds, double load)
{
    char when[64];
    const time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    lab_md(ctx,
           "\n*(%s: `%s` on %s; %s, ISA %s, %d thread%s%s; data %s, %zu train / %zu val / %zu "
           "test; %d seed%s (%d where a verdict rests on them); %.0f s; load %.2f%s.)*\n\n",
           lab->name, ctx->command, when,
           sdn_cpu()->brand[0] ? sdn_cpu()->brand : sdn_cpu()->vendor,
           sdn_isa_name(sdn_active_isa()), sdn_num_threads(), sdn_num_threads() > 1 ? "s" : "",
           ctx->jobs > 1 ? ", other labs running at once" : "",
           ctx->quick && !ctx->cfg->data[0] ? "generated" : ctx->cfg->dataset, ctx->train.n,
           ctx->val.n, ctx->test.n, ctx->seeds, ctx->seeds > 1 ? "s" : "", ctx->seeds_deciding,
           seconds, load,
           load > LAB_LOADED ? ": a loaded host, its timings are shared with other work" : "");
    uint64_t hash = ctx->hash;
    if (!stamp.canonical && quick_hash(lab, ctx, &hash))
        fprintf(stderr, "simdnn: %s --quick failed: the stamp's hash is not its check's\n",
                lab->name);
    lab_md(ctx,
           "<!-- simdnn-stamp commit=%s isa=%s threads=%d round_trip_ns=%.0f load=%.2f "
           "check=\"lab %s --quick --print-hash\" hash=%016llx -->\n\n",
           stamp.commit, sdn_isa_name(sdn_active_isa()), sdn_num_threads(),
           sdn_thread_costs_get()->round_trip_ns, load, lab->name, (unsigned long long)hash);
}

/* Runs one lab into <out>/<name>.md and <name>.json (into temporary files when only the hash
 * counts). */
static int run_lab(lab_ctx *ctx, const lab_def *lab)
{
    char path[1100];
    snprintf(ctx->name, sizeof ctx->name, "%s", lab->name);
    snprintf(path, sizeof path, "%s/%s.md", ctx->out, lab->name);
    ctx->md = ctx->print_hash ? tmpfile() : sdn_fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s.json", ctx->out, lab->name);
    ctx->json = ctx->print_hash ? tmpfile() : sdn_fopen(path, "w");
    if (!ctx->md || !ctx->json) {
        fprintf(stderr, "simdnn: cannot write into %s\n", ctx->out);
        if (ctx->md)
            fclose(ctx->md);
        if (ctx->json)
            fclose(ctx->json);
        return 1;
    }
    ctx->json_count = 0;
    ctx->hash = 0xcbf29ce484222325ull;
    ctx->seed = ctx->cfg->seed;
    fprintf(ctx->json, "{");
    lab_str(ctx, "lab", lab->name);
    lab_num(ctx, "quick", ctx->quick);
    lab_num(ctx, "seeds", ctx->seeds);
    lab_num(ctx, "seeds_deciding", ctx->seeds_deciding);
    if (!ctx->print_hash)
        fprintf(stderr, "\n=== %s: %s ===\n", lab->name, lab->title);
    lab_md(ctx, "## %s: %s\n\n", lab->name, lab->title);
    const double t0 = lab_now(), load0 = load_now();
    int rc = lab->run(ctx);
    const double load = load_max(load0, load_now());
    lab_num(ctx, "seconds", lab_now() - t0);
    lab_num(ctx, "load", load);
    stamp.load = load_max(stamp.load, load);
    if (!ctx->print_hash)
        footer(ctx, lab, lab_now() - t0, load);
    fprintf(ctx->json, "\n}\n");
    if (fclose(ctx->md) | fclose(ctx->json)) {
        fprintf(stderr, "simdnn: writing %s's report failed\n", lab->name);
        return 1;
    }
    return rc;
}

static void copy_into(FILE *dst, const char *path)
{
    FILE *f = sdn_fopen(path, "r");
    char buf[4096];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, dst);
    if (f)
        fclose(f);
}

typedef struct lab_job {
    lab_ctx *ctx;
    const lab_def *lab;
} lab_job;

static int run_job(void *arg)
{
    const lab_job *j = arg;
    return run_lab(j->ctx, j->lab);
}

/* The labs marked in `ran`, one after another or in up to `jobs` forked processes (the data is
 * loaded once and shared copy-on-write; one after another where the host cannot fork). Returns 0
 * when all succeeded. */
static int run_labs(lab_ctx *ctx, const int *ran, int jobs)
{
    int rc = 0, running = 0;
    for (int i = 0; i < 8 && !app_interrupted; i++) {
        if (!ran[i])
            continue;
        if (jobs <= 1 || !SDN_HAVE_FORK) {
            rc |= run_lab(ctx, &app_labs[i]);
            if (rc)
                break;
            continue;
        }
        if (running == jobs) {
            rc |= sdn_wait_child() != 0;
            running--;
        }
        lab_job job = {ctx, &app_labs[i]};
        if (sdn_fork_run(run_job, &job)) {
            fprintf(stderr, "simdnn: cannot start a process for %s\n", app_labs[i].name);
            rc = 1;
            break;
        }
        running++;
    }
    for (; running > 0; running--)
        rc |= sdn_wait_child() != 0;
    return rc;
}

/* report.md: how to read it, then the section of every lab found in the folder (this run's and
 * earlier ones', each ending with the command, date, machine and data that produced it). */
static int write_report(const lab_ctx *ctx, double seconds)
{
    char path[1100], tmp[1200];
    snprintf(path, sizeof path, "%s/report.md", ctx->out);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return 1;
    fprintf(f, "# The chapter's questions, measured\n\nEach section below is one lab of `simdnn "
               "lab`: the claim, the setup, the measured numbers and a verdict computed from those "
               "numbers by thresholds written in the lab's source (apps/labs/); it ends with the "
               "command, date, machine and data that produced it. Timings come from a shared "
               "machine: compare ratios within one lab, not across labs. The numbers of each lab "
               "are also in <lab>.json beside this file. Every comparison runs over several seeds "
               "(the footer says how many); tables give mean ± sample standard deviation over "
               "them, and a difference smaller than that spread is reported as no measurable "
               "difference, never as a win.\n\n");
    fprintf(f,
            "This run: `%s`, %.0f s, largest 1-minute load %.2f%s; %d seeds a comparison (%d "
            "where a verdict rests on it); the labs train on the first %zu training images "
            "(the %zu after them held out for validation) and test on %zu test images. The "
            "subset, the epochs and the seeds are part of the setup: smaller ones keep a run on "
            "a loaded host to minutes at the price of lower accuracies and wider spreads, so "
            "read each verdict with its setup and its spread.\n\n",
            ctx->command, seconds, stamp.load,
            stamp.load > LAB_LOADED ? " (a loaded host: its timings are shared with other work)"
                                    : "",
            ctx->seeds, ctx->seeds_deciding, ctx->train.n, ctx->val.n, ctx->test.n);
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "%s/%s.md", ctx->out, app_labs[i].name);
        copy_into(f, path);
    }
    snprintf(path, sizeof path, "%s/report.md", ctx->out);
    if (fclose(f) || sdn_replace_file(tmp, path))
        return 1;
    return 0;
}

/* --print-hash: each lab's hash alone (after its name when there are several). */
static int print_hashes(lab_ctx *ctx, const int *ran, int named)
{
    int rc = 0;
    for (int i = 0; i < 8 && !rc; i++)
        if (ran[i]) {
            rc = run_lab(ctx, &app_labs[i]);
            if (named)
                printf("%s ", app_labs[i].name);
            printf("%016llx\n", (unsigned long long)ctx->hash);
        }
    return rc;
}

int cli_lab(int argc, char **argv)
{
    app_train_config c;
    app_train_config_defaults(&c);
    snprintf(c.out, sizeof c.out, LAB_OUT);
    lab_args a = {0, 1, 0, 0, 0, "", ""};
    int r = app_train_parse(&c, "simdnn lab", argc, argv, 1, ALLOWED, extra_arg, &a);
    if (r == -1) {
        usage(stdout);
        return 0;
    }
    if (r)
        return r;
    int which = -1;
    for (int i = 0; i < 8; i++)
        if (!strcmp(a.name, app_labs[i].name))
            which = i;
    if (which < 0 && strcmp(a.name, "all")) {
        fprintf(stderr, "simdnn lab: %s '%s' (q1 ... q8 or all; try --help)\n",
                a.name[0] ? "unknown lab" : "which lab?", a.name);
        return 2;
    }
    if (app_start(c.threads, a.print_hash ? NULL : c.out))
        return 1;
    app_install_sigint();
    lab_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.quick = a.quick;
    ctx.out = c.out;
    ctx.cfg = &c;
    ctx.layers = a.quick ? 4 : 20;
    ctx.units = a.quick ? 32 : 100;
    ctx.epochs = a.quick ? 3 : a.epochs ? a.epochs : 10;
    ctx.jobs = a.jobs;
    ctx.print_hash = a.print_hash;
    ctx.seeds = a.seeds ? a.seeds : a.quick ? 1 : 3;
    ctx.seeds_deciding = a.seeds ? a.seeds : a.quick ? 1 : 5;
    snprintf(stamp.commit, sizeof stamp.commit, "%s", a.commit[0] ? a.commit : SIMDNN_GIT_COMMIT);
    stamp.load = load_now();
    /* the stamp's check is this very command: defaults, generated data, one seed */
    app_train_config dflt;
    app_train_config_defaults(&dflt);
    stamp.canonical = a.quick && !c.data[0] && c.seed == dflt.seed && ctx.seeds == 1 && !a.epochs &&
                      !c.train_limit && !c.test_limit;
    const double t0 = lab_now();
    int at = snprintf(ctx.command, sizeof ctx.command, "simdnn");
    for (int i = 0; i < argc && at < (int)sizeof ctx.command; i++)
        at += snprintf(ctx.command + at, sizeof ctx.command - (size_t)at, " %s", argv[i]);
    int rc = load(&ctx, &c, a.quick && !c.data[0]);
    int ran[8] = {0};
    for (int i = 0; i < 8; i++)
        ran[i] = which < 0 || which == i;
    if (!rc && a.print_hash) {
        rc = print_hashes(&ctx, ran, which < 0);
        sdn_preprocess_free(&ctx.pre_std);
        sdn_preprocess_free(&ctx.pre_raw);
        sdn_dataset_free(&ctx.train);
        sdn_dataset_free(&ctx.test);
        return rc;
    }
    if (!rc)
        rc = run_labs(&ctx, ran, a.jobs);
    if (!rc && app_interrupted)
        rc = 1;
    stamp.load = load_max(stamp.load, load_now());
    if (write_report(&ctx, lab_now() - t0)) {
        fprintf(stderr, "simdnn: cannot write %s/report.md\n", c.out);
        rc = 1;
    } else {
        fprintf(stderr, "\nwrote %s/report.md\n", c.out);
    }
    sdn_preprocess_free(&ctx.pre_std);
    sdn_preprocess_free(&ctx.pre_raw);
    sdn_dataset_free(&ctx.train);
    sdn_dataset_free(&ctx.test);
    return rc;
}
