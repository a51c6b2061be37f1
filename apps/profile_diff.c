/* simdnn profile diff A B: two profile.json compared per call and per step, never by totals (the
 * kept steps may differ). Each row's noise comes from the profiles' own p50/p99 spread; rows that
 * moved beyond it are flagged and sorted by their share of the step; different CPUs, ISAs,
 * calibrations or round trips are warned about; --fail-above P% exits 3 on a regression above P. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "platform.h"
#include "profile_cmds.h"

static char *read_all(const char *path)
{
    FILE *f = sdn_fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *grown = realloc(buf, cap *= 2);
        if (!grown)
            free(buf);
        buf = grown;
    }
    if (buf)
        buf[n] = 0;
    fclose(f);
    return buf;
}

/* Loads A or A/profile.json (version 1 or 2); prints the error and returns -1 on failure. */
static int load(const char *arg, sdn_jval *v)
{
    char path[1100], err[160];
    snprintf(path, sizeof path, "%s", arg);
    if (sdn_path_kind_of(arg) == SDN_PATH_DIR)
        snprintf(path, sizeof path, "%s/profile.json", arg);
    char *text = read_all(path);
    if (!text) {
        fprintf(stderr, "simdnn profile diff: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    const int r = sdn_json_parse(text, v, err, sizeof err);
    free(text);
    if (r) {
        fprintf(stderr, "simdnn profile diff: %s: not JSON (%s)\n", path, err);
        return -1;
    }
    const double version = sdn_json_num(v, "version", 0);
    if (strcmp(sdn_json_str(v, "format", ""), "simdnn-profile") || (version != 1 && version != 2)) {
        fprintf(stderr, "simdnn profile diff: %s: not a simdnn profile.json (version 1 or 2)\n",
                path);
        sdn_json_free(v);
        return -1;
    }
    return 0;
}

/* ---- per-row figures, from either version ---- */

static double kept_steps(const sdn_jval *root)
{
    const double s = sdn_json_num(sdn_json_get(root, "schedule"), "kept_steps", 1);
    return s > 0 ? s : 1;
}

/* The step's wall time: start to start (version 2), else the pass (version 1). */
static double step_ms(const sdn_jval *root, const char *key)
{
    return sdn_json_num(sdn_json_get(root, "step"), key, 0);
}

static double ms_per_step(const sdn_jval *root, const sdn_jval *k)
{
    const double v = sdn_json_num(k, "ms_per_step", -1);
    return v >= 0 ? v : sdn_json_num(k, "total_ms", 0) / kept_steps(root);
}

static double share_pct(const sdn_jval *root, const sdn_jval *k)
{
    const double v = sdn_json_num(k, "share_of_step_pct", -1);
    if (v >= 0)
        return v;
    const double wall = step_ms(root, "wall_ms"),
                 threads = sdn_json_num(sdn_json_get(root, "step"), "threads_used", 1);
    return wall > 0 ? 100.0 * ms_per_step(root, k) / (wall * (threads > 0 ? threads : 1)) : 0;
}

static double calls_per_step(const sdn_jval *root, const sdn_jval *k)
{
    const double v = sdn_json_num(k, "calls_per_step", -1);
    return v >= 0 ? v : sdn_json_num(k, "calls", 0) / kept_steps(root);
}

/* Two standard errors of a median, estimated from the p50/p99 spread over n samples, at least
 * 1 %: what two runs of the same code differ by. */
static double noise(double p50, double p99, double n)
{
    const double spread = p50 > 0 && p99 > p50 ? (p99 - p50) / p50 : 0;
    const double se = n > 1 ? 2.0 * spread / sqrt(n) : spread;
    return se > 0.01 ? se : 0.01;
}

/* The entry of `list` whose members named in keys[] (NULL-terminated) equal those of `like`. */
static const sdn_jval *find(const sdn_jval *list, const sdn_jval *like, const char *const *keys)
{
    for (size_t i = 0; like && list && list->type == SDN_J_ARR && i < list->n; i++) {
        const sdn_jval *e = &list->items[i];
        int same = 1;
        for (const char *const *k = keys; *k && same; k++)
            same = !strcmp(sdn_json_str(e, *k, ""), sdn_json_str(like, *k, ""));
        if (same)
            return e;
    }
    return NULL;
}

typedef struct diff_opts {
    double fail_above; /* a fraction; < 0: never fail */
    double noise;      /* a fraction; < 0: from the profiles */
} diff_opts;

typedef struct row {
    const sdn_jval *a, *b;
    double share, ratio, step_ratio, noise;
    int verdict; /* -1 faster, 0 within noise, 1 slower, 2 only in one */
} row;

static int cmp_rows(const void *x, const void *y)
{
    const row *p = x, *q = y;
    return (p->share < q->share) - (p->share > q->share);
}

static const char *verdict_text(int v)
{
    return v > 1 ? "only in one" : v > 0 ? "**slower**" : v < 0 ? "**faster**" : "within noise";
}

/* Kernel rows matched by function, table ISA, shape and phase, with their per-call ratio. */
static int kernel_rows(const sdn_jval *a, const sdn_jval *b, const diff_opts *o, row **out)
{
    static const char *const keys[] = {"kernel", "isa", "shape", "phase", NULL};
    const sdn_jval *la = sdn_json_get(a, "kernels"), *lb = sdn_json_get(b, "kernels");
    const size_t na = la && la->type == SDN_J_ARR ? la->n : 0;
    const size_t nb = lb && lb->type == SDN_J_ARR ? lb->n : 0;
    row *rows = calloc(na + nb + 1, sizeof *rows);
    int n = 0;
    for (int side = 0; rows && side < 2; side++) { /* A's rows, then those only B has */
        const sdn_jval *l = side ? lb : la;
        for (size_t i = 0; i < (side ? nb : na); i++) {
            const sdn_jval *ka = find(la, &l->items[i], keys), *kb = find(lb, &l->items[i], keys);
            if (side && ka)
                continue;
            row *r = &rows[n++];
            r->a = ka;
            r->b = kb;
            r->share = ka ? share_pct(a, ka) : share_pct(b, kb);
            r->verdict = 2;
            if (!ka || !kb)
                continue;
            const double pa = sdn_json_num(ka, "p50_us", 0), pb = sdn_json_num(kb, "p50_us", 0);
            const double ca = sdn_json_num(ka, "calls", 1), cb = sdn_json_num(kb, "calls", 1);
            r->ratio = pa > 0 ? pb / pa : 0;
            const double sa = ms_per_step(a, ka), sb = ms_per_step(b, kb);
            r->step_ratio = sa > 0 ? sb / sa : 0;
            const double na_ = noise(pa, sdn_json_num(ka, "p99_us", 0), ca);
            const double nb_ = noise(pb, sdn_json_num(kb, "p99_us", 0), cb);
            r->noise = o->noise >= 0 ? o->noise : (na_ > nb_ ? na_ : nb_);
            r->verdict = r->ratio > 1 + r->noise                   ? 1
                         : r->ratio > 0 && r->ratio < 1 - r->noise ? -1
                                                                   : 0;
        }
    }
    if (rows)
        qsort(rows, (size_t)n, sizeof *rows, cmp_rows);
    *out = rows;
    return rows ? n : -1;
}

/* Prints the kernel table; returns the worst flagged per-call slowdown (a fraction). */
static double kernels(const sdn_jval *a, const sdn_jval *b, const diff_opts *o)
{
    row *rows;
    const int n = kernel_rows(a, b, o, &rows);
    double worst = 0;
    if (n < 0)
        return 0;
    printf("\n## Kernels, per call (largest share of A's step first)\n\n"
           "| kernel | ISA | shape | in | %% of step | calls/step A | B | p50 µs A | B | B/A per "
           "call | ms/step A | B | B/A per step | noise ± | verdict |\n"
           "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        const sdn_jval *e = r->a ? r->a : r->b;
        printf("| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.3f | %.3f | ",
               sdn_json_str(e, "kernel", "?"), sdn_json_str(e, "isa", "?"),
               sdn_json_str(e, "shape", "?"), sdn_json_str(e, "phase", "?"), r->share,
               r->a ? calls_per_step(a, r->a) : 0, r->b ? calls_per_step(b, r->b) : 0,
               sdn_json_num(r->a, "p50_us", 0), sdn_json_num(r->b, "p50_us", 0));
        if (r->verdict == 2)
            printf("– | %.4f | %.4f | – | – | %s |\n", r->a ? ms_per_step(a, r->a) : 0,
                   r->b ? ms_per_step(b, r->b) : 0, verdict_text(r->verdict));
        else
            printf("%.3f | %.4f | %.4f | %.3f | %.1f %% | %s |\n", r->ratio, ms_per_step(a, r->a),
                   ms_per_step(b, r->b), r->step_ratio, 100 * r->noise, verdict_text(r->verdict));
        /* rows under 1 % of the step cannot move it: they do not fail a CI */
        if (r->verdict == 1 && r->share >= 1.0 && r->ratio - 1 > worst)
            worst = r->ratio - 1;
    }
    free(rows);
    return worst;
}

static void layers(const sdn_jval *a, const sdn_jval *b)
{
    static const char *const key[] = {"layer", NULL};
    static const char *const cols[] = {"forward_ms", "backward_ms", "weight_grad_ms",
                                       "optimizer_ms", "other_ms"};
    printf("\n## Layers, ms per step (all phases)\n\n| layer | A | B | B/A |\n|---|--:|--:|--:|\n");
    const sdn_jval *la = sdn_json_get(a, "layers"), *lb = sdn_json_get(b, "layers");
    for (size_t i = 0; la && la->type == SDN_J_ARR && i < la->n; i++) {
        const sdn_jval *ea = &la->items[i], *eb = find(lb, ea, key);
        double ma = 0, mb = 0;
        for (int c = 0; c < 5; c++) {
            ma += sdn_json_num(ea, cols[c], 0);
            mb += sdn_json_num(eb, cols[c], 0);
        }
        printf("| %s | %.4f | %.4f | %s%.3f |\n", sdn_json_str(ea, "layer", "?"), ma, mb,
               eb ? "" : "– ", ma > 0 && eb ? mb / ma : 0);
    }
}

/* Different hosts or settings make the ratios say less: each difference is named. */
static void warnings(const sdn_jval *a, const sdn_jval *b)
{
    const sdn_jval *ma = sdn_json_get(a, "machine"), *mb = sdn_json_get(b, "machine");
    const char *keys[] = {"cpu", "isa"};
    int n = 0;
    printf("\n## Warnings\n\n");
    for (int i = 0; i < 2; i++)
        if (strcmp(sdn_json_str(ma, keys[i], "?"), sdn_json_str(mb, keys[i], "?")))
            printf("- **different %s**: %s against %s\n", keys[i] == keys[0] ? "CPUs" : "ISAs",
                   sdn_json_str(ma, keys[i], "?"), sdn_json_str(mb, keys[i], "?")),
                n++;
    if (sdn_json_num(ma, "threads", 0) != sdn_json_num(mb, "threads", 0))
        printf("- **different thread counts**: %.0f against %.0f\n", sdn_json_num(ma, "threads", 0),
               sdn_json_num(mb, "threads", 0)),
            n++;
    const char *ca = sdn_json_str(sdn_json_get(a, "calibration"), "signature", "(version 1)");
    const char *cb = sdn_json_str(sdn_json_get(b, "calibration"), "signature", "(version 1)");
    if (strcmp(ca, cb))
        printf("- **different calibrations** (%% of roof compares different roofs): %s against "
               "%s\n",
               ca, cb),
            n++;
    const sdn_jval *ra = sdn_json_get(ma, "core_round_trip_ns"),
                   *rb = sdn_json_get(mb, "core_round_trip_ns");
    if (ra && rb && ra->n == 2 && rb->n == 2 && ra->items[0].num > 0 && rb->items[0].num > 0) {
        const double x = (ra->items[0].num + ra->items[1].num) / 2;
        const double y = (rb->items[0].num + rb->items[1].num) / 2;
        if (x > 1.5 * y || y > 1.5 * x)
            printf("- **different round trips**: %.0f ns against %.0f ns: the host placed the "
                   "threads differently, and every exchanged line costs accordingly\n",
                   x, y),
                n++;
    }
    if (!n)
        printf("- none: same CPU, ISA, threads, calibration and round trip\n");
}

/* The step per step: start to start (version 2; version 1 has the pass only). Returns its p50's
 * slowdown when beyond noise (a fraction), else 0. */
static double step(const sdn_jval *a, const sdn_jval *b, const diff_opts *o)
{
    static const char *const figs[] = {"wall_p50_ms", "wall_ms",     "wall_p99_ms",   "pass_ms",
                                       "fork_ms",     "join_ms",     "batch_prep_ms", "other_ms",
                                       "mfu_pct",     "overhead_pct"};
    const sdn_jval *sa = sdn_json_get(a, "step"), *sb = sdn_json_get(b, "step");
    printf("\n## Step (per step, ms)\n\n| figure | A | B | B/A |\n|---|--:|--:|--:|\n");
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        const double x = sdn_json_num(sa, figs[i], -1), y = sdn_json_num(sb, figs[i], -1);
        if (x < 0 && y < 0)
            continue;
        printf("| %s |", figs[i]);
        for (int side = 0; side < 2; side++) /* a figure one version lacks: – */
            printf((side ? y : x) >= 0 ? " %.4f |" : " – |", side ? y : x);
        printf(x > 0 && y > 0 ? " %.3f |\n" : " – |\n", x > 0 ? y / x : 0);
    }
    const double pa = step_ms(a, "wall_p50_ms"), pb = step_ms(b, "wall_p50_ms");
    const double na = noise(pa, step_ms(a, "wall_p99_ms"), sdn_json_num(sa, "intervals", 1));
    const double nb = noise(pb, step_ms(b, "wall_p99_ms"), sdn_json_num(sb, "intervals", 1));
    const double nz = o->noise >= 0 ? o->noise : na > nb ? na : nb;
    if (!(pa > 0 && pb > 0))
        return 0;
    const double r = pb / pa;
    printf("\nMedian step B/A %.3f, noise ± %.1f %%: %s\n", r, 100 * nz,
           verdict_text(r > 1 + nz   ? 1
                        : r < 1 - nz ? -1
                                     : 0));
    return r > 1 + nz ? r - 1 : 0;
}

/* "5%" or "5" into 0.05; -1 when malformed. */
static double percent(const char *s)
{
    char *end;
    const double v = strtod(s, &end);
    if (end == s || (*end && strcmp(end, "%")) || !(v >= 0) || v > 1000)
        return -1;
    return v / 100;
}

static int usage(void)
{
    fprintf(stderr, "usage: simdnn profile diff A B [--fail-above P%%] [--noise P%%]   "
                    "(profile.json files or their folders)\n");
    return 2;
}

int cli_profile_diff(int argc, char **argv)
{
    diff_opts o = {-1, -1};
    const char *paths[2];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        double *slot = !strcmp(argv[i], "--fail-above") ? &o.fail_above
                       : !strcmp(argv[i], "--noise")    ? &o.noise
                                                        : NULL;
        if (slot && i + 1 < argc && (*slot = percent(argv[i + 1])) >= 0) {
            i++;
        } else if (slot) {
            fprintf(stderr, "simdnn profile diff: %s needs a percentage (e.g. 5%%)\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-' || n == 2) {
            return usage();
        } else {
            paths[n++] = argv[i];
        }
    }
    if (n != 2)
        return usage();
    sdn_jval a, b;
    if (load(paths[0], &a))
        return 1;
    if (load(paths[1], &b)) {
        sdn_json_free(&a);
        return 1;
    }
    const sdn_jval *ma = sdn_json_get(&a, "machine"), *mb = sdn_json_get(&b, "machine");
    printf("# simdnn profile diff\n\n- A: %s — %s, %s, %.0f kept steps\n- B: %s — %s, %s, %.0f "
           "kept steps\n",
           paths[0], sdn_json_str(ma, "cpu", "?"), sdn_json_str(ma, "isa", "?"), kept_steps(&a),
           paths[1], sdn_json_str(mb, "cpu", "?"), sdn_json_str(mb, "isa", "?"), kept_steps(&b));
    warnings(&a, &b);
    const double step_slow = step(&a, &b, &o), kernel_slow = kernels(&a, &b, &o);
    layers(&a, &b);
    sdn_json_free(&a);
    sdn_json_free(&b);
    const double worst = step_slow > kernel_slow ? step_slow : kernel_slow;
    if (o.fail_above >= 0 && worst > o.fail_above) {
        printf("\n**Regression: %.1f %% slower, above --fail-above %.1f %%**\n", 100 * worst,
               100 * o.fail_above);
        return 3;
    }
    return 0;
}
