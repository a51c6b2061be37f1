/* The plan of a product (plan.h): cache blocks from the host's caches, which operands the tile
 * reads in place, and how the last panel is computed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm.h"
#include "gemm/plan.h"
#include "platform/platform.h"

/* The widest last panel that goes to the column tile. */
enum { EDGE_COLUMNS_MAX = 8 };

/* ------------------------------------------------------------------ tuning overrides */

/* SIMDNN_GEMM_IN_PLACE: which operands the tile may read without packing (tuning only). */
typedef enum in_place_policy {
    IN_PLACE_AUTO,
    IN_PLACE_NONE,
    IN_PLACE_A,
    IN_PLACE_B,
    IN_PLACE_AB
} in_place_policy;

/* The environment's overrides (0: none), read once; the test hook's win over them. */
static sdn_once env_once = SDN_ONCE_INIT;
static size_t env_kc, env_mc, env_nc, env_par_min;
static in_place_policy env_in_place;
static size_t hook_kc, hook_mc, hook_nc;

static size_t env_size(const char *name)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return *end == 0 ? (size_t)v : 0;
}

static void env_once_fn(void)
{
    env_kc = env_size("SIMDNN_GEMM_KC");
    env_mc = env_size("SIMDNN_GEMM_MC");
    env_nc = env_size("SIMDNN_GEMM_NC");
    env_par_min = env_size("SIMDNN_GEMM_PARALLEL_MIN");
    const char *ip = getenv("SIMDNN_GEMM_IN_PLACE");
    static const char *const names[] = {"auto", "none", "a", "b", "ab"};
    for (int i = 0; ip && i < 5; i++)
        if (!strcmp(ip, names[i]))
            env_in_place = (in_place_policy)i;
}

void sdn_gemm_set_blocks(size_t kc, size_t mc, size_t nc)
{
    hook_kc = kc;
    hook_mc = mc;
    hook_nc = nc;
}

double sdn_gemm_parallel_min(void)
{
    sdn_call_once(&env_once, env_once_fn);
    return env_par_min ? (double)env_par_min : sdn_thread_costs_get()->gemm_parallel_min;
}

/* ------------------------------------------------------------------ blocks */

static size_t round_up(size_t x, size_t r)
{
    return (x + r - 1) / r * r;
}
static size_t round_down_min(size_t x, size_t r)
{
    return x < r ? r : x / r * r;
}
static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}
static size_t pick(size_t derived, size_t env, size_t hook)
{
    return hook ? hook : env ? env : derived;
}

size_t sdn_gemm_kc_for(size_t k, size_t kc_max)
{
    /* equal blocks, not full ones and a thin last one */
    size_t blocks = (k + kc_max - 1) / kc_max;
    return round_up((k + blocks - 1) / blocks, 4 < kc_max ? 4 : 1);
}

/* Analytic blocking (Low et al., "Analytical modeling is enough") for the blocks that only move
 * rows and columns, never a bit: an mc×kc block of A an eighth of L2, a kc×nc block of B a slice
 * of L3, at the depth where a kc×NR panel of B fills half of L1 (an eighth of L2 rather than half
 * leaves room for C and B's stream: simd/README.md has the figures). */
static void plan_blocks(sdn_gemm_plan *p)
{
    const sdn_cpu_info *cpu = sdn_cpu();
    size_t kc_l1 = cpu->l1d_bytes / 2 / (p->nr * sizeof(float));
    kc_l1 = kc_l1 < 64 ? 64 : kc_l1 > 1024 ? 1024 : kc_l1 / 8 * 8;
    size_t nc = min_size(cpu->l3_bytes / 4, 16 << 20) / (kc_l1 * sizeof(float));
    nc = nc > 4096 ? 4096 : nc;
    p->kc = p->k ? sdn_gemm_kc_for(p->k, pick(SDN_GEMM_KC, env_kc, hook_kc)) : 0;
    p->mc =
        round_down_min(pick(cpu->l2_bytes / 8 / (kc_l1 * sizeof(float)), env_mc, hook_mc), p->mr);
    p->nc = round_down_min(pick(nc, env_nc, hook_nc), p->nr);
    /* C passes between KC blocks; above an eighth of L3 it is gone by the next one */
    p->prefetch_c = (double)p->m * (double)p->n * sizeof(float) > (double)(cpu->l3_bytes / 8);
}

/* ------------------------------------------------------------------ paths */

/* Packing pays off only when packed panels are reused often and unpacked ones would thrash the
 * caches. A narrow C (at most 8 panels: the dense layers' 100 and 10 outputs) reuses little, so
 * row-major B is read in place, and so is A when its rows are contiguous, or transposed with
 * rows within a page, or with a tile big enough (MR·NR ≥ 384) to hide a new page each step.
 * Alpha must then be 1: packing is where it is folded in. */
static void plan_in_place(sdn_gemm_plan *p, float alpha)
{
    const int a_ok = alpha == 1.0f && (p->csa == 1 || p->rsa == 1);
    const int b_ok = p->csb == 1;
    if (env_in_place != IN_PLACE_AUTO) {
        p->a_in_place = a_ok && (env_in_place == IN_PLACE_A || env_in_place == IN_PLACE_AB);
        p->b_in_place = b_ok && (env_in_place == IN_PLACE_B || env_in_place == IN_PLACE_AB);
        return;
    }
    const int narrow = p->n <= 8 * p->nr, big_tile = p->mr * p->nr >= 384;
    p->a_in_place = narrow && a_ok && (p->csa == 1 || p->csa <= 1024 || big_tile);
    p->b_in_place = narrow && b_ok;
}

/* The last panel, when NR does not divide n: a register tile computes it a row per FMA with few
 * lanes busy. Up to 4 columns after a full panel widen that panel's tile; up to 8 otherwise go
 * to the column tile, which needs op(A)'s rows contiguous (stored transposed, or row-major read
 * in place and transposed once per block). */
static sdn_gemm_edge plan_edge(const sdn_kernels *k, const sdn_gemm_plan *p, float alpha)
{
    const size_t rem = p->n % p->nr;
    if (rem == 0)
        return SDN_EDGE_NONE;
    const size_t last_block = p->n - (p->n - 1) / p->nc * p->nc;
    if (k->gemm_wide && rem <= 4 && last_block > p->nr)
        return SDN_EDGE_WIDE;
    const int a_rows = p->rsa == 1 || (p->a_in_place && p->csa == 1);
    if (k->gemm_cols16 && alpha == 1.0f && a_rows && env_in_place == IN_PLACE_AUTO &&
        rem <= EDGE_COLUMNS_MAX)
        return SDN_EDGE_COLUMNS;
    return SDN_EDGE_TILE;
}

/* A short C with a transposed B and a row-major A (a thread's dX = dZ·Wᵀ): packing dZ's rows
 * for the column tile costs 16 × kc floats a tile instead of all of Wᵀ. */
static int columns_fit(const sdn_kernels *k, const sdn_gemm_plan *p, sdn_transpose trans_a,
                       sdn_transpose trans_b, float alpha)
{
    return k->gemm_cols16 && trans_b && !trans_a && alpha == 1.0f && p->m <= 64 &&
           env_in_place == IN_PLACE_AUTO;
}

sdn_gemm_plan sdn_gemm_plan_make(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b,
                                 size_t m, size_t n, size_t kdim, float alpha, size_t lda,
                                 size_t ldb)
{
    sdn_call_once(&env_once, env_once_fn);
    sdn_gemm_plan p = {.m = m, .n = n, .k = kdim, .mr = k->gemm.mr, .nr = k->gemm.nr};
    p.rsa = trans_a ? 1 : lda, p.csa = trans_a ? lda : 1;
    p.rsb = trans_b ? 1 : ldb, p.csb = trans_b ? ldb : 1;
    plan_blocks(&p);
    if (kdim == 0 || alpha == 0.0f) {
        p.path = SDN_GEMM_SCALE;
    } else if (columns_fit(k, &p, trans_a, trans_b, alpha)) {
        /* more than 16 rows: 32 × 8 calls, one A load per 8 FMAs instead of per 16 */
        p.path = SDN_GEMM_COLUMNS;
        p.col_rows = m > 16 ? 32 : 16, p.col_cols = m > 16 ? 8 : 16;
    } else {
        p.path = SDN_GEMM_BLOCKED;
        plan_in_place(&p, alpha);
        p.edge = plan_edge(k, &p, alpha);
    }
    return p;
}

void sdn_gemm_plan_format(const sdn_gemm_plan *p, char *buf, size_t size)
{
    static const char *const edges[] = {"none", "tile", "wide", "columns"};
    if (p->path == SDN_GEMM_SCALE) {
        snprintf(buf, size, "scale");
    } else if (p->path == SDN_GEMM_COLUMNS) {
        snprintf(buf, size, "columns %zux%zu kc %zu", p->col_rows, p->col_cols, p->kc);
    } else {
        snprintf(buf, size, "blocked %zux%zu kc %zu mc %zu nc %zu A %s B %s edge %s%s", p->mr,
                 p->nr, p->kc, p->mc, p->nc, p->a_in_place ? "in place" : "packed",
                 p->b_in_place ? "in place" : "packed", edges[p->edge],
                 p->prefetch_c ? " prefetch C" : "");
    }
}
