/* simdnn profile diff A B: two profile.json side by side — the step, every kernel (by function and
 * table ISA) and every layer — with the ratio B/A (below 1: B is faster). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_min.h"
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

/* Loads A or A/profile.json; prints the error and returns -1 on failure. */
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
    if (strcmp(sdn_json_str(v, "format", ""), "simdnn-profile") ||
        sdn_json_num(v, "version", 0) != 1) {
        fprintf(stderr, "simdnn profile diff: %s: not a simdnn profile.json of version 1\n", path);
        sdn_json_free(v);
        return -1;
    }
    return 0;
}

static void ratio(double a, double b)
{
    if (a > 0 && b > 0)
        printf(" %.3f |\n", b / a);
    else
        printf(" – |\n");
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

/* GFLOP/s at the median call when the file has it (robust on a busy host), else the total's. */
static double rate(const sdn_jval *k)
{
    return sdn_json_num(k, "p50_gflops", sdn_json_num(k, "gflops", 0));
}

static void kernels(const sdn_jval *a, const sdn_jval *b)
{
    static const char *const keys[] = {"kernel", "isa", "shape", "phase", NULL};
    printf("\n## Kernels (one row per kernel, shape and phase; GFLOP/s at the median call)\n\n"
           "| kernel | ISA | shape | in | A ms | B ms | A GFLOP/s | B GFLOP/s | A %% roof | "
           "B %% roof | B/A time |\n|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    const sdn_jval *la = sdn_json_get(a, "kernels"), *lb = sdn_json_get(b, "kernels");
    for (int side = 0; side < 2; side++) { /* A's kernels, then those only B has */
        const sdn_jval *l = side ? lb : la;
        for (size_t i = 0; l && l->type == SDN_J_ARR && i < l->n; i++) {
            const sdn_jval *e = &l->items[i];
            const sdn_jval *ka = find(la, e, keys), *kb = find(lb, e, keys);
            if (side && ka)
                continue;
            const double ta = sdn_json_num(ka, "total_ms", 0), tb = sdn_json_num(kb, "total_ms", 0);
            printf("| %s | %s | %s | %s | %.3f | %.3f | %.1f | %.1f | %.1f | %.1f |",
                   sdn_json_str(e, "kernel", "?"), sdn_json_str(e, "isa", "?"),
                   sdn_json_str(e, "shape", "?"), sdn_json_str(e, "phase", "?"), ta, tb, rate(ka),
                   rate(kb), sdn_json_num(ka, "p50_roof_pct", 0),
                   sdn_json_num(kb, "p50_roof_pct", 0));
            ratio(ta, tb);
        }
    }
}

static double layer_ms(const sdn_jval *l)
{
    static const char *const cols[] = {"forward_ms", "backward_ms", "weight_grad_ms",
                                       "optimizer_ms", "other_ms"};
    double s = 0;
    for (int c = 0; c < 5; c++)
        s += sdn_json_num(l, cols[c], 0);
    return s;
}

static void layers(const sdn_jval *a, const sdn_jval *b)
{
    static const char *const layer_key[] = {"layer", NULL};
    printf("\n## Layers (ms per step in the layer's scopes, all phases)\n\n| layer | A forward | B "
           "forward | "
           "A backward | B backward | A total | B total | B/A |\n"
           "|---|--:|--:|--:|--:|--:|--:|--:|\n");
    const sdn_jval *la = sdn_json_get(a, "layers"), *lb = sdn_json_get(b, "layers");
    for (int side = 0; side < 2; side++) {
        const sdn_jval *l = side ? lb : la;
        for (size_t i = 0; l && l->type == SDN_J_ARR && i < l->n; i++) {
            const char *name = sdn_json_str(&l->items[i], "layer", "?");
            const sdn_jval *ea = find(la, &l->items[i], layer_key),
                           *eb = find(lb, &l->items[i], layer_key);
            if (side && ea)
                continue;
            printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |", name,
                   sdn_json_num(ea, "forward_ms", 0), sdn_json_num(eb, "forward_ms", 0),
                   sdn_json_num(ea, "backward_ms", 0), sdn_json_num(eb, "backward_ms", 0),
                   layer_ms(ea), layer_ms(eb));
            ratio(ea ? layer_ms(ea) : 0, eb ? layer_ms(eb) : 0);
        }
    }
}

int sdn_cmd_profile_diff(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: simdnn profile diff A B   (profile.json files or their folders)\n");
        return 2;
    }
    sdn_jval a, b;
    if (load(argv[1], &a))
        return 1;
    if (load(argv[2], &b)) {
        sdn_json_free(&a);
        return 1;
    }
    const sdn_jval *ma = sdn_json_get(&a, "machine"), *mb = sdn_json_get(&b, "machine");
    printf("# simdnn profile diff\n\n- A: %s — %s, %s, %.0f threads\n- B: %s — %s, %s, %.0f "
           "threads\n",
           argv[1], sdn_json_str(ma, "cpu", "?"), sdn_json_str(ma, "isa", "?"),
           sdn_json_num(ma, "threads", 0), argv[2], sdn_json_str(mb, "cpu", "?"),
           sdn_json_str(mb, "isa", "?"), sdn_json_num(mb, "threads", 0));
    const sdn_jval *sa = sdn_json_get(&a, "step"), *sb = sdn_json_get(&b, "step");
    printf("\n## Step\n\n| figure | A | B | B/A |\n|---|--:|--:|--:|\n");
    static const char *const figs[] = {"wall_ms", "wall_p50_ms", "gflops",
                                       "mfu_pct", "kernel_ms",   "overhead_pct"};
    for (int i = 0; i < (int)(sizeof figs / sizeof figs[0]); i++) {
        const double x = sdn_json_num(sa, figs[i], 0), y = sdn_json_num(sb, figs[i], 0);
        printf("| %s | %.4f | %.4f |", figs[i], x, y);
        ratio(x, y);
    }
    kernels(&a, &b);
    layers(&a, &b);
    sdn_json_free(&a);
    sdn_json_free(&b);
    return 0;
}
