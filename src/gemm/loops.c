/* The blocked SGEMM driver: BLIS's five loops (NC columns, KC depth, MC rows; NR panels, MR
 * tiles) around the kernel table's register tile, following a plan (plan.h) that chose every
 * path beforehand. Alpha is folded into packed A; beta and the bias apply on the first KC block
 * only, and later blocks add onto what it stored. Portable C. */
#include <math.h>

#include "gemm/gemm.h"
#include "gemm/pack.h"
#include "gemm/plan.h"
#include "profile/prof.h"

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}
static size_t round_up(size_t x, size_t r)
{
    return (x + r - 1) / r * r;
}

/* C = beta·C + bias without a product (k == 0 or alpha == 0); beta == 0 never reads C. */
static void scale_c(size_t m, size_t n, float beta, float *c, size_t ldc, const float *bias)
{
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        for (size_t j = 0; j < n; j++) {
            const float v = bias ? 0.0f + bias[j] : 0.0f; /* the store rule, a zero product */
            row[j] = beta == 0.0f ? v : fmaf(beta, row[j], v);
        }
    }
}

/* Unblocked, when the packing buffers cannot be had: the tiles' arithmetic (alpha folded into
 * A, each KC block a chain of FMAs from zero added to C by the store rule), so the same bits. */
static void gemm_naive(const sdn_gemm_plan *p, float alpha, const float *a, const float *b,
                       float beta, float *c, size_t ldc, const float *bias)
{
    for (size_t pc = 0; pc < p->k; pc += p->kc) {
        const size_t p1 = pc + min_size(p->kc, p->k - pc);
        const float beta_k = pc == 0 ? beta : 1.0f;
        for (size_t i = 0; i < p->m; i++)
            for (size_t j = 0; j < p->n; j++) {
                float s = 0.0f;
                for (size_t q = pc; q < p1; q++)
                    s = fmaf(alpha * a[i * p->rsa + q * p->csa], b[q * p->rsb + j * p->csb], s);
                if (bias && pc == 0)
                    s += bias[j];
                float *cij = c + i * ldc + j;
                *cij = beta_k == 0.0f ? s : fmaf(beta_k, *cij, s);
            }
    }
}

/* Row i of a block packed by the transposed-B packer (NR-row panels of kc columns): rows
 * contiguous, NR floats from one k to the next, as the column tile reads them. */
static const float *panel_row(const float *packed, size_t i, size_t nr, size_t kc)
{
    return packed + i / nr * nr * kc + i % nr;
}

/* ------------------------------------------------------------------ the column path */

/* C = A·Bᵀ + beta·C + bias for a short C: A's rows packed once per KC block, B broadcast in
 * place, columns in calls of nearly equal width (100 = 4·15 + 3·14, not 6·16 + 4: a narrow last
 * call has too few accumulators to hide the FMA latency). -1 (nothing done) without a buffer. */
static int gemm_columns(const sdn_kernels *k, const sdn_gemm_plan *p, const float *a,
                        const float *b, float beta, float *c, size_t ldc, const float *bias)
{
    const size_t nr = p->nr, calls = (p->n + p->col_cols - 1) / p->col_cols;
    float *pa = sdn_gemm_pack_buffer(0, round_up(p->m, nr) * p->kc);
    if (!pa)
        return -1;
    for (size_t pc = 0; pc < p->k; pc += p->kc) {
        const size_t kc = min_size(p->kc, p->k - pc);
        const float beta_k = pc == 0 ? beta : 1.0f;
        const float *bias_k = pc == 0 ? bias : NULL;
        k->gemm.pack_bt(kc, p->m, a + pc, p->rsa, pa);
        for (size_t q = 0; q < calls; q++) {
            const size_t j0 = p->n * q / calls, j1 = p->n * (q + 1) / calls;
            for (size_t i0 = 0; i0 < p->m; i0 += p->col_rows)
                k->gemm_cols16(min_size(p->col_rows, p->m - i0), j1 - j0, kc,
                               panel_row(pa, i0, nr, kc), nr, b + j0 * p->csb + pc, 1, p->csb,
                               c + i0 * ldc + j0, ldc, beta_k, bias_k ? bias_k + j0 : NULL);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ the blocked path */

/* One (NC, KC, MC) block: A's rows as the tile reads them (packed MR-row panels, or in place),
 * B's columns likewise, and the C block they update. */
typedef struct gemm_block {
    size_t m, n, kc;
    const float *a, *a_stored;   /* a_stored: the block of op(A) where it is stored */
    size_t rsa, csa, a_row_step; /* row i of the tile's A at a + i·a_row_step */
    const float *b;
    size_t rsb, b_col_step; /* column j of the tile's B at b + j·b_col_step */
    float *c, *scratch;     /* scratch: the column edge's transposed A */
    size_t ldc;
    float beta;
    const float *bias;
} gemm_block;

/* Asks for a C tile's lines before its kernel runs, so they arrive during the k loop (plan.h:
 * only for a C that leaves the cache between KC blocks). */
static void prefetch_c(const float *c, size_t rows, size_t cols, size_t ldc)
{
    for (size_t i = 0; i < rows; i++) {
        __builtin_prefetch(c + i * ldc);
        __builtin_prefetch(c + i * ldc + cols - 1);
    }
}

/* The columns [j, j + nn) of the block, tile by tile down its rows: packed panels are MR rows
 * each, the last one short; A in place is cut into tiles of nearly equal height (16 rows: 8 + 8,
 * not 12 + 4: a short tile has too few accumulators to hide the FMA latency). */
static void panel(const sdn_kernels *k, const sdn_gemm_plan *p, const gemm_block *x, size_t j,
                  size_t nn, int wide)
{
    const size_t mr = p->mr, tiles = (x->m + mr - 1) / mr;
    const float *bj = x->b + j * x->b_col_step, *b4 = x->b + (j + p->nr) * x->b_col_step;
    const float *bias = x->bias ? x->bias + j : NULL;
    for (size_t t = 0; t < tiles; t++) {
        const size_t i0 = p->a_in_place ? x->m * t / tiles : t * mr;
        const size_t i1 = p->a_in_place ? x->m * (t + 1) / tiles : min_size(x->m, i0 + mr);
        const float *at = x->a + i0 * x->a_row_step;
        float *ct = x->c + i0 * x->ldc + j;
        if (p->prefetch_c)
            prefetch_c(ct, i1 - i0, nn, x->ldc);
        if (wide)
            k->gemm_wide(i1 - i0, nn, x->kc, at, x->rsa, x->csa, bj, b4, x->rsb, ct, x->ldc,
                         x->beta, bias);
        else
            k->gemm.fn(i1 - i0, nn, x->kc, at, x->rsa, x->csa, bj, x->rsb, ct, x->ldc, x->beta,
                       bias);
    }
}

/* The last nn ≤ 8 columns through the column tile, 32 rows a call: op(A)'s rows are read where
 * they are stored when contiguous, else (row-major A) transposed into scratch first. */
static void edge_columns(const sdn_kernels *k, const sdn_gemm_plan *p, const gemm_block *x,
                         size_t j, size_t nn)
{
    enum { ROWS = 32 };
    const int stored = p->rsa == 1;
    if (!stored)
        k->gemm.pack_bt(x->kc, x->m, x->a_stored, p->rsa, x->scratch);
    for (size_t i0 = 0; i0 < x->m; i0 += ROWS) {
        const float *ai = stored ? x->a_stored + i0 : panel_row(x->scratch, i0, p->nr, x->kc);
        k->gemm_cols16(min_size(ROWS, x->m - i0), nn, x->kc, ai, stored ? p->csa : p->nr,
                       x->b + j * x->b_col_step, x->rsb, 1, x->c + i0 * x->ldc + j, x->ldc, x->beta,
                       x->bias ? x->bias + j : NULL);
    }
}

/* The two inner loops over one block: full NR panels, then the last one as the plan says. */
static void macro_kernel(const sdn_kernels *k, const sdn_gemm_plan *p, const gemm_block *x)
{
    const size_t nr = p->nr, rem = x->n % nr;
    const sdn_gemm_edge edge = rem ? p->edge : SDN_EDGE_NONE;
    const size_t full = x->n / nr - (edge == SDN_EDGE_WIDE);
    for (size_t q = 0; q < full; q++)
        panel(k, p, x, q * nr, nr, 0);
    const size_t j = full * nr;
    switch (edge) {
    case SDN_EDGE_NONE:
        break;
    case SDN_EDGE_TILE:
        panel(k, p, x, j, rem, 0);
        break;
    case SDN_EDGE_WIDE:
        panel(k, p, x, j, nr + rem, 1);
        break;
    case SDN_EDGE_COLUMNS:
        edge_columns(k, p, x, j, rem);
        break;
    }
}

/* The three outer loops: NC blocks of columns, KC blocks of the sum, MC blocks of rows, each
 * operand packed (or not) as the plan says. */
static void gemm_blocked(const sdn_kernels *k, const sdn_gemm_plan *p, float alpha, const float *a,
                         const float *b, float beta, float *c, size_t ldc, const float *bias)
{
    const size_t mc_max = min_size(p->m, p->mc), rows = round_up(mc_max, p->mr);
    const size_t t_rows = round_up(mc_max, p->nr); /* the column edge's transposed A */
    float *pa = sdn_gemm_pack_buffer(0, (rows > t_rows ? rows : t_rows) * p->kc);
    float *pb = sdn_gemm_pack_buffer(1, round_up(min_size(p->n, p->nc), p->nr) * p->kc);
    if (!pa || !pb) {
        gemm_naive(p, alpha, a, b, beta, c, ldc, bias);
        return;
    }
    gemm_block x = {.ldc = ldc, .scratch = pa};
    for (size_t jc = 0; jc < p->n; jc += p->nc) {
        x.n = min_size(p->nc, p->n - jc);
        for (size_t pc = 0; pc < p->k; pc += p->kc) {
            x.kc = min_size(p->kc, p->k - pc);
            const float *bk = b + pc * p->rsb + jc * p->csb;
            if (!p->b_in_place)
                sdn_gemm_pack_b(&k->gemm, x.kc, x.n, bk, p->rsb, p->csb, pb);
            x.b = p->b_in_place ? bk : pb;
            x.rsb = p->b_in_place ? p->rsb : p->nr;
            x.b_col_step = p->b_in_place ? 1 : x.kc;
            x.beta = pc == 0 ? beta : 1.0f;
            x.bias = pc == 0 && bias ? bias + jc : NULL;
            for (size_t ic = 0; ic < p->m; ic += p->mc) {
                x.m = min_size(p->mc, p->m - ic);
                x.a_stored = a + ic * p->rsa + pc * p->csa;
                if (!p->a_in_place)
                    sdn_gemm_pack_a(x.m, x.kc, x.a_stored, p->rsa, p->csa, alpha, p->mr, pa);
                x.a = p->a_in_place ? x.a_stored : pa;
                x.rsa = p->a_in_place ? p->rsa : 1;
                x.csa = p->a_in_place ? p->csa : p->mr;
                x.a_row_step = p->a_in_place ? p->rsa : x.kc;
                x.c = c + ic * ldc + jc;
                macro_kernel(k, p, &x);
            }
        }
    }
}

static void gemm_planned(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b,
                         size_t m, size_t n, size_t kdim, float alpha, const float *a, size_t lda,
                         const float *b, size_t ldb, float beta, float *c, size_t ldc,
                         const float *bias)
{
    if (m == 0 || n == 0)
        return;
    const sdn_gemm_plan p = sdn_gemm_plan_make(k, trans_a, trans_b, m, n, kdim, alpha, lda, ldb);
    switch (p.path) {
    case SDN_GEMM_SCALE:
        scale_c(m, n, beta, c, ldc, bias);
        return;
    case SDN_GEMM_COLUMNS:
        if (gemm_columns(k, &p, a, b, beta, c, ldc, bias) != 0)
            gemm_naive(&p, alpha, a, b, beta, c, ldc, bias);
        return;
    case SDN_GEMM_BLOCKED:
        gemm_blocked(k, &p, alpha, a, b, beta, c, ldc, bias);
        return;
    }
}

/* The profiler records one whole product; one branch while it is off. */
void sdn_gemm_serial(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b, size_t m,
                     size_t n, size_t kdim, float alpha, const float *a, size_t lda, const float *b,
                     size_t ldb, float beta, float *c, size_t ldc, const float *bias)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_flags)) {
        const uint64_t t0 = sdn_prof_kernel_begin();
        gemm_planned(k, trans_a, trans_b, m, n, kdim, alpha, a, lda, b, ldb, beta, c, ldc, bias);
        sdn_prof_gemm_done(k, t0, m, n, kdim, alpha, beta, bias != NULL);
        return;
    }
    gemm_planned(k, trans_a, trans_b, m, n, kdim, alpha, a, lda, b, ldb, beta, c, ldc, bias);
}
