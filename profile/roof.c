/* One kernel row's roof: the time a call cannot beat on one thread, the slowest of its ceilings —
 * FMA (a GEMM narrower than its register tile only fills part of it), exp, square root and
 * divide, compare-select (per element, per kernel), and bandwidth at the cache level its bytes
 * fit in for its number of streams — and the name of the one that binds. A row faster than its
 * roof is marked, with the likely reason. */
#include <math.h>
#include <string.h>

#include "report.h"

/* Special operations per element of each kernel function (from its name). */
typedef struct kind_ops {
    double exp, sqrtdiv, cmpsel;
} kind_ops;

static kind_ops ops_of(const sdn_kernel_stat *k)
{
    const char *fn = k->fn ? k->fn : "";
    kind_ops o = {0, 0, 0};
    /* "relu" first: it holds "elu" */
    if (strstr(fn, "relu") || strstr(fn, "maxpool") || k->kind == SDN_KK_DROPOUT ||
        k->kind == SDN_KK_DROPOUT_GRAD)
        o.cmpsel = 1;
    else if (strstr(fn, "elu") || strstr(fn, "tanh") || strstr(fn, "sigmoid") ||
             k->kind == SDN_KK_SOFTMAX || k->kind == SDN_KK_SOFTMAX_XENT)
        o.exp = 1; /* ELU, SELU (also "elu"), tanh and sigmoid through one exp; softmax's exp */
    if (k->kind == SDN_KK_ADAM || k->kind == SDN_KK_RMSPROP)
        o.sqrtdiv = 1;
    return o;
}

static double elements_of(const sdn_kernel_stat *k)
{
    return k->kind == SDN_KK_GEMM ? (double)k->m * k->n : k->m ? (double)k->m * k->n : k->n;
}

/* The cache level a call's bytes fit in. */
static int level_of(const sdn_calibration *c, double bytes)
{
    for (int l = 0; l < 3; l++)
        if (c->cache_bytes[l] && bytes <= (double)c->cache_bytes[l])
            return l;
    return SDN_LVL_DRAM;
}

/* A GEMM narrower than the register tile fills part of its vectors of columns ("tile fill
 * 10/16": 10 columns in one 16-lane vector of a 32-column tile): 1 otherwise. */
static double tile_fill(const sdn_profile_report *r, const sdn_kernel_stat *k, char *why,
                        size_t size)
{
    const unsigned mr = r->d ? r->d->gemm_mr[k->isa] : 0, nr = r->d ? r->d->gemm_nr[k->isa] : 0;
    double fill = 1;
    why[0] = 0;
    if (k->kind != SDN_KK_GEMM || !mr || !nr)
        return 1;
    const unsigned lanes = r->d->gemm_lanes[k->isa] ? r->d->gemm_lanes[k->isa] : nr;
    if (k->n < nr) {
        const unsigned used = (k->n + lanes - 1) / lanes * lanes;
        fill *= (double)k->n / used;
        if (k->n < used)
            snprintf(why, size, "tile fill %u/%u", k->n, used);
    }
    if (k->m < mr) {
        fill *= (double)k->m / mr;
        snprintf(why + strlen(why), size - strlen(why), "%stile rows %u/%u", why[0] ? ", " : "",
                 k->m, mr);
    }
    return fill;
}

typedef struct ceiling {
    double ns; /* one call's least time under this ceiling */
    char name[40];
} ceiling;

static void consider(ceiling *worst, double ns, const char *name)
{
    if (ns > worst->ns) {
        worst->ns = ns;
        snprintf(worst->name, sizeof worst->name, "%s", name);
    }
}

/* Why a row can run above its roof. */
static void explain(const sdn_profile_report *r, sdn_kernel_stat *k, double rate, double per_call)
{
    const sdn_calibration *c = &r->cal;
    const double faster =
        k->level > 0 ? sdn_calibration_bw(c, k->isa, k->level - 1, k->streams) : 0;
    const int memory = strchr(k->bound, ',') != NULL; /* "L2, 7 streams" */
    if (memory && k->level > 0 && per_call > 0 && k->intensity * faster >= rate)
        snprintf(k->why, sizeof k->why,
                 "its %.0f KiB fit %s only, but part of them was still in %s (written by the "
                 "kernel before): under %s's roof",
                 per_call / 1024, sdn_level_name(k->level), sdn_level_name(k->level - 1),
                 sdn_level_name(k->level - 1));
    else if (memory && r->threads_used > 1)
        snprintf(k->why, sizeof k->why,
                 "its share of a call split across threads meets a cache that the other threads "
                 "warmed; the roof is one thread's");
    else
        snprintf(k->why, sizeof k->why,
                 "faster than the calibration: the clock or the host changed since it was "
                 "measured (simdnn profile calibrate --redo)");
}

void sdn_kernel_roof(const sdn_profile_report *r, sdn_kernel_stat *k)
{
    const sdn_calibration *c = &r->cal;
    const double calls = k->calls ? (double)k->calls : 1;
    const double flops = k->flops / calls, bytes = k->bytes / calls, el = elements_of(k);
    const double peak = c->peak_gflops[k->isa][0];
    k->level = level_of(c, bytes);
    k->streams = k->kind == SDN_KK_GEMM ? 3 : (el > 0 ? bytes / (4.0 * el) : 1);
    k->roof_gflops = k->roof_pct = k->p50_roof_pct = 0;
    k->above = 0;
    snprintf(k->bound, sizeof k->bound, "–");
    if (!(peak > 0))
        return; /* no calibration */
    ceiling worst = {0, ""};
    char fill_why[40];
    const double fill = tile_fill(r, k, fill_why, sizeof fill_why);
    consider(&worst, flops / (peak * fill), fill < 1 ? fill_why : "FMA");
    const kind_ops o = ops_of(k);
    if (o.exp > 0 && c->exp_gops[k->isa] > 0)
        consider(&worst, o.exp * el / c->exp_gops[k->isa], "exp");
    if (o.sqrtdiv > 0 && c->sqrtdiv_gops[k->isa] > 0)
        consider(&worst, o.sqrtdiv * el / c->sqrtdiv_gops[k->isa], "sqrt/div");
    if (o.cmpsel > 0 && c->cmpsel_gops[k->isa] > 0)
        consider(&worst, o.cmpsel * el / c->cmpsel_gops[k->isa], "compare-select");
    const double bw = sdn_calibration_bw(c, k->isa, k->level, k->streams);
    if (bw > 0) {
        char name[40];
        snprintf(name, sizeof name, "%s, %.0f stream%s", sdn_level_name(k->level),
                 round(k->streams), round(k->streams) == 1 ? "" : "s");
        consider(&worst, bytes / bw, name);
    }
    if (!(worst.ns > 0))
        return;
    snprintf(k->bound, sizeof k->bound, "%s", worst.name);
    k->roof_gflops = flops / worst.ns;
    if (!(k->roof_gflops > 0))
        return;
    k->roof_pct = 100.0 * k->gflops / k->roof_gflops;
    k->p50_roof_pct = 100.0 * k->p50_gflops / k->roof_gflops;
    /* the median call: a preempted call moves the mean, not the median */
    k->above = k->p50_roof_pct > 100.0;
    if (k->above)
        explain(r, k, k->p50_gflops, bytes);
}
