/* The blocked SGEMM driver (BLIS's five loops: NC, KC, MC blocks; NR, MR tiles) around the kernel
 * table's microkernel. Packing reads any (row stride, column stride), so transposes are free; alpha
 * is folded into the packed A; beta and bias apply on the first KC block only. Portable C. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gemm.h"
#include "platform/platform.h"
#include "profile/prof.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ------------------------------------------------------------------ block sizes */

/* Environment overrides (0 = the fixed KC, MC and NC from the caches), read once. SIMDNN_GEMM_KC
 * changes bits: it is for experiments only. */
static sdn_once env_once = SDN_ONCE_INIT;
static size_t env_kc, env_mc, env_nc, env_par_min;
/* SIMDNN_GEMM_IN_PLACE: which operands the kernel may read without packing (tuning only). */
typedef enum in_place_policy {
    IN_PLACE_AUTO,
    IN_PLACE_NONE,
    IN_PLACE_A,
    IN_PLACE_B,
    IN_PLACE_AB
} in_place_policy;
static in_place_policy env_in_place;
/* Test hook values (0 = none); they win over the environment. */
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

static size_t round_up(size_t x, size_t r) { return (x + r - 1) / r * r; }
static size_t round_down_min(size_t x, size_t r) { return x < r ? r : x / r * r; }
static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* KC, the depth of a block of the sum, is the one blocking figure that decides rounding: each KC
 * block's products are summed from zero in the tile and then added to C. So it is fixed, the same
 * on every ISA and host, and the blocks of k depend on k alone (kc_for). At 512 steps a tile's
 * fixed cost (zeroing, C's loads and stores, the call) is a few percent, and C passes between KC
 * blocks rarely. */
enum { GEMM_KC = 512 };

typedef struct gemm_blocks {
    size_t kc, mc, nc;
    size_t far_c; /* bytes of a call's C above which it leaves the cache between KC blocks (an
                   * eighth of L3: 2048² on two threads is two 8 MB calls) */
} gemm_blocks;

/* Analytic blocking (Low et al., "Analytical modeling is enough") for the blocks that only move
 * rows and columns, never a bit: an mc×kc block of A an eighth of L2, a kc×nc block of B a slice
 * of L3, with kc the depth at which a kc×NR micro-panel of B fills half of L1. An eighth of L2
 * rather than half (measured on Zen 5, 1 MiB L2: MC 168 instead of 672 for AVX-512, 84 instead
 * of 336 for AVX2) takes 2048² from 164 to 206 GFLOP/s, the 3072×100×128 weight gradient from
 * 164 to 216 and AVX2's 3072×100×512 from 85 to 112, and costs 1024² about 2%. */
static gemm_blocks blocks_for(const sdn_gemm_kernel *g)
{
    sdn_call_once(&env_once, env_once_fn);
    const sdn_cpu_info *cpu = sdn_cpu();
    size_t kc_l1 = cpu->l1d_bytes / 2 / (g->nr * sizeof(float));
    kc_l1 = kc_l1 < 64 ? 64 : kc_l1 > 1024 ? 1024 : kc_l1 / 8 * 8;
    gemm_blocks bl;
    bl.kc = GEMM_KC;
    bl.mc = cpu->l2_bytes / 8 / (kc_l1 * sizeof(float));
    bl.nc = min_size(cpu->l3_bytes / 4, 16 << 20) / (kc_l1 * sizeof(float));
    bl.nc = bl.nc > 4096 ? 4096 : bl.nc;
    bl.far_c = cpu->l3_bytes / 8;
    if (env_kc)
        bl.kc = env_kc;
    if (env_mc)
        bl.mc = env_mc;
    if (env_nc)
        bl.nc = env_nc;
    if (hook_kc)
        bl.kc = hook_kc;
    if (hook_mc)
        bl.mc = hook_mc;
    if (hook_nc)
        bl.nc = hook_nc;
    bl.mc = round_down_min(bl.mc, g->mr);
    bl.nc = round_down_min(bl.nc, g->nr);
    return bl;
}

/* ------------------------------------------------------------------ packing */

/* Packing runs as often as the microkernel reads its result, so each layout gets its own loop
 * and the tile sizes become constants (the switches below), letting the compiler unroll a
 * panel row into straight vector moves. */
#define SDN_INLINE static inline __attribute__((always_inline))

/* MR-row panels of alpha·A (element (i, p) at a[i·rsa + p·csa]): dst[panel][p·MR + i], rows past
 * mc zero. */
SDN_INLINE void pack_a_tile(size_t mc, size_t kc, const float *a, size_t rsa, size_t csa,
                            float alpha, const size_t mr, float *dst)
{
    size_t i0 = 0;
    if (rsa == 1) {
        /* Transposed A: source row p holds row p of every panel. Read each source row once,
         * front to back, across all full panels: one stream the prefetcher follows, instead of
         * a short run per row and panel (the first layer's weight gradient reads 3072-float
         * rows). */
        const size_t full = mc / mr;
        for (size_t p = 0; p < kc; p++) {
            const float *s = a + p * csa;
            for (size_t q = 0; q < full; q++)
                for (size_t i = 0; i < mr; i++)
                    dst[q * mr * kc + p * mr + i] = alpha * s[q * mr + i];
        }
        i0 = full * mr;
        dst += full * mr * kc;
    }
    for (; i0 < mc; i0 += mr, dst += mr * kc) {
        const size_t rows = min_size(mr, mc - i0);
        const float *src = a + i0 * rsa;
        if (rows == mr && csa == 1) {
            /* Row-major A, full panel: MR streams in, one contiguous panel row out. */
            for (size_t p = 0; p < kc; p++)
                for (size_t i = 0; i < mr; i++)
                    dst[p * mr + i] = alpha * src[i * rsa + p];
        } else {
            for (size_t p = 0; p < kc; p++) {
                size_t i = 0;
                for (; i < rows; i++)
                    dst[p * mr + i] = alpha * src[i * rsa + p * csa];
                for (; i < mr; i++)
                    dst[p * mr + i] = 0.0f;
            }
        }
    }
}

/* NR-column panels of B (element (p, j) at b[p·rsb + j·csb]): dst[panel][p·NR + j], columns past
 * nc zero. */
SDN_INLINE void pack_b_tile(size_t kc, size_t nc, const float *b, size_t rsb, size_t csb,
                            const size_t nr, float *dst)
{
    const size_t full = nc / nr, rem = nc - full * nr;
    if (csb == 1) {
        /* Row-major B: read each source row once, front to back, across all panels. The edge
         * panel is zeroed in one go first: a short memset per row (GCC's rep stos) stalls the
         * copy into the same line that follows it. */
        if (rem)
            memset(dst + full * nr * kc, 0, kc * nr * sizeof(float));
        for (size_t p = 0; p < kc; p++) {
            const float *s = b + p * rsb;
            float *d = dst + p * nr;
            for (size_t q = 0; q < full; q++)
                for (size_t j = 0; j < nr; j++)
                    d[q * nr * kc + j] = s[q * nr + j];
            for (size_t j = 0; j < rem; j++)
                d[full * nr * kc + j] = s[full * nr + j];
        }
        return;
    }
    for (size_t q = 0; q <= full; q++) {
        const size_t cols = q < full ? nr : rem;
        if (!cols)
            break;
        const float *src = b + q * nr * csb;
        float *d = dst + q * nr * kc;
        for (size_t p = 0; p < kc; p++)
            for (size_t j = 0; j < nr; j++)
                d[p * nr + j] = j < cols ? src[p * rsb + j * csb] : 0.0f;
    }
}

static void pack_a(size_t mc, size_t kc, const float *a, size_t rsa, size_t csa, float alpha,
                   size_t mr, float *dst)
{
    switch (mr) {
    case 4: pack_a_tile(mc, kc, a, rsa, csa, alpha, 4, dst); break;
    case 6: pack_a_tile(mc, kc, a, rsa, csa, alpha, 6, dst); break;
    case 8: pack_a_tile(mc, kc, a, rsa, csa, alpha, 8, dst); break;
    case 12: pack_a_tile(mc, kc, a, rsa, csa, alpha, 12, dst); break;
    default: pack_a_tile(mc, kc, a, rsa, csa, alpha, mr, dst); break;
    }
}

static void pack_b(const sdn_gemm_kernel *g, size_t kc, size_t nc, const float *b, size_t rsb,
                   size_t csb, float *dst)
{
    const size_t nr = g->nr;
    if (rsb == 1 && csb != 1) { /* transposed B: the ISA's in-register transposes */
        g->pack_bt(kc, nc, b, csb, dst);
        return;
    }
    switch (nr) {
    case 8: pack_b_tile(kc, nc, b, rsb, csb, 8, dst); break;
    case 12: pack_b_tile(kc, nc, b, rsb, csb, 12, dst); break;
    case 16: pack_b_tile(kc, nc, b, rsb, csb, 16, dst); break;
    case 32: pack_b_tile(kc, nc, b, rsb, csb, 32, dst); break;
    default: pack_b_tile(kc, nc, b, rsb, csb, nr, dst); break;
    }
}

/* Per-thread packing buffers, grown to the block sizes on first use and then reused; freed when
 * their thread exits (an application's own threads come and go: inference is re-entrant). */
static _Thread_local float *tl_pack_a, *tl_pack_b;
static _Thread_local size_t tl_cap_a, tl_cap_b;
static sdn_tls_key pack_key;
static sdn_once pack_key_once = SDN_ONCE_INIT;

static void free_pack_buffers(void *unused)
{
    (void)unused;
    sdn_aligned_free(tl_pack_a);
    sdn_aligned_free(tl_pack_b);
    tl_pack_a = tl_pack_b = NULL;
    tl_cap_a = tl_cap_b = 0;
}

static void make_pack_key(void)
{
    sdn_tls_key_create(&pack_key, free_pack_buffers);
}

void sdn_gemm_free_pack_buffers(void)
{
    free_pack_buffers(NULL);
}

static float *pack_buffer(float **buf, size_t *cap, size_t floats)
{
    if (*cap < floats) {
        sdn_call_once(&pack_key_once, make_pack_key);
        sdn_tls_set(pack_key, &tl_cap_a); /* any non-NULL value: the exit hook runs */
        sdn_aligned_free(*buf);
        size_t bytes = round_up(floats * sizeof(float), 64);
        *buf = sdn_aligned_alloc(64, bytes);
        *cap = *buf ? floats : 0;
    }
    return *buf;
}

/* ------------------------------------------------------------------ the driver */

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

/* Asks for a C tile's lines before its kernel runs, so they arrive during the k loop: a C too big
 * to stay in cache between KC blocks would make the kernel's final loads and stores each wait
 * for memory (measured on Zen 5: 2048² 158 → 204 GFLOP/s). A C that stays in cache gains
 * nothing and pays the instructions (the small products lose 3-6%), hence the size test. */
static void prefetch_c(const float *c, size_t rows, size_t cols, size_t ldc)
{
    for (size_t i = 0; i < rows; i++) {
        __builtin_prefetch(c + i * ldc);
        __builtin_prefetch(c + i * ldc + cols - 1);
    }
}

/* Unblocked fallback when the packing buffers cannot be allocated, with the tiles' arithmetic:
 * alpha folded into A as packing does, each KC block a chain of FMAs from zero added to C by the
 * store rule. The same bits as the blocked driver. */
static void gemm_naive(size_t m, size_t n, size_t k, float alpha, const float *a, size_t rsa,
                       size_t csa, const float *b, size_t rsb, size_t csb, float beta, float *c,
                       size_t ldc, const float *bias, size_t kc_max)
{
    for (size_t pc = 0; pc < k; pc += kc_max) {
        const size_t kc = min_size(kc_max, k - pc);
        const float beta_k = pc == 0 ? beta : 1.0f;
        const float *bias_k = pc == 0 ? bias : NULL;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) {
                float s = 0.0f;
                for (size_t p = pc; p < pc + kc; p++)
                    s = fmaf(alpha * a[i * rsa + p * csa], b[p * rsb + j * csb], s);
                if (bias_k)
                    s += bias_k[j];
                float *cij = c + i * ldc + j;
                *cij = beta_k == 0.0f ? s : fmaf(beta_k, *cij, s);
            }
    }
}

/* KC for this k: the block count that KC allows, then equal blocks (no thin last block). The
 * result depends on k alone, never on the thread split, which keeps results thread-invariant. */
static size_t kc_for(size_t k, size_t kc_max)
{
    size_t blocks = (k + kc_max - 1) / kc_max;
    return round_up((k + blocks - 1) / blocks, 4 < kc_max ? 4 : 1);
}

/* Row i of A as the transposed-B packer lays it out in NR-row panels of kc columns: the column
 * tile's A, rows contiguous, NR floats from one k to the next. */
static const float *panel_row(const float *packed, size_t i, size_t nr, size_t kc)
{
    return packed + i / nr * nr * kc + i % nr;
}

/* C = A·Bᵀ + beta·C + bias through the column tile, for a short C with A row-major and
 * alpha 1 (a thread's dX = dZ·Wᵀ): A's rows are packed by the ISA's transposed-B packer into one
 * block of NR-row panels (16 × kc floats a tile instead of all of Wᵀ) and B is broadcast in
 * place. The same KC blocks, accumulated into C the same way, as gemm_blocked: the same bits.
 * Returns 0, or -1 (nothing done) when the packing buffer cannot be had. */
static int gemm_cols(const sdn_kernels *k, size_t m, size_t n, size_t kdim, const float *a,
                     size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                     const float *bias, const gemm_blocks *bl)
{
    /* 16 rows × 16 columns, or (more than 16 rows) 32 × 8: one A load per 8 FMAs, not 16 */
    const size_t rows = m > 16 ? 32 : 16, cols = m > 16 ? 8 : 16;
    const size_t panel = k->gemm.nr, kc_max = kc_for(kdim, bl->kc);
    float *pa = pack_buffer(&tl_pack_a, &tl_cap_a, round_up(m, panel) * kc_max);
    if (!pa)
        return -1;
    for (size_t pc = 0; pc < kdim; pc += kc_max) {
        const size_t kc = min_size(kc_max, kdim - pc);
        const float beta_k = pc == 0 ? beta : 1.0f;
        const float *bias_k = pc == 0 ? bias : NULL;
        k->gemm.pack_bt(kc, m, a + pc, lda, pa);
        /* columns in calls of nearly equal width (100 = 4·15 + 3·14, not 6·16 + 4): a narrow
         * last call has too few accumulators to hide the FMA latency */
        const size_t calls = (n + cols - 1) / cols;
        for (size_t q = 0; q < calls; q++) {
            const size_t j0 = n * q / calls, j1 = n * (q + 1) / calls;
            for (size_t i0 = 0; i0 < m; i0 += rows)
                k->gemm_cols16(min_size(rows, m - i0), j1 - j0, kc, panel_row(pa, i0, panel, kc),
                               panel, b + j0 * ldb + pc, 1, ldb, c + i0 * ldc + j0, ldc, beta_k,
                               bias_k ? bias_k + j0 : NULL);
        }
    }
    return 0;
}

/* The widest last panel that goes to the column tile (see gemm_blocked). */
enum { TAIL_COLS = 8 };

/* C[m×n] (n ≤ TAIL_COLS) = op(A)·B + beta·C + bias through the column tile, 32 rows a call:
 * op(A) read in place when its rows are contiguous (rsa == 1), else (row-major A) transposed
 * into pt first. */
static void tail_panel(const sdn_kernels *k, size_t m, size_t n, size_t kc, const float *a,
                       size_t rsa, size_t csa, float *pt, const float *b, size_t rsb, float *c,
                       size_t ldc, float beta, const float *bias)
{
    enum { ROWS = 32 };
    const size_t panel = k->gemm.nr;
    if (rsa != 1)
        k->gemm.pack_bt(kc, m, a, rsa, pt);
    for (size_t i0 = 0; i0 < m; i0 += ROWS) {
        const float *ai = rsa == 1 ? a + i0 : panel_row(pt, i0, panel, kc);
        k->gemm_cols16(min_size(ROWS, m - i0), n, kc, ai, rsa == 1 ? csa : panel, b, rsb, 1,
                       c + i0 * ldc, ldc, beta, bias);
    }
}

static void gemm_blocked(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b,
                         size_t m, size_t n, size_t kdim, float alpha, const float *a, size_t lda,
                         const float *b, size_t ldb, float beta, float *c, size_t ldc,
                         const float *bias)
{
    if (m == 0 || n == 0)
        return;
    if (kdim == 0 || alpha == 0.0f) {
        scale_c(m, n, beta, c, ldc, bias);
        return;
    }
    const sdn_gemm_kernel *g = &k->gemm;
    const size_t mr = g->mr, nr = g->nr;
    /* Element strides of op(A) (m×k) and op(B) (k×n) in row-major storage. */
    const size_t rsa = trans_a ? 1 : lda, csa = trans_a ? lda : 1;
    const size_t rsb = trans_b ? 1 : ldb, csb = trans_b ? ldb : 1;
    gemm_blocks bl = blocks_for(g);
    size_t kc_max = kc_for(kdim, bl.kc);
    /* A short C with a transposed B and a row-major A (dX = dZ·Wᵀ of a thread's rows) goes to
     * the column tile where the ISA has one: dZ's rows are packed, not all of Wᵀ. Measured on
     * Zen 5: 32×100×100 NT 156 → 230 GFLOP/s, 16×100×100 (a thread's share) 120 → 192,
     * 64×100×100 218 → 232, a 768-column input slice 32×768×100 212 → 243; at 128 rows the two
     * are even (227 vs 231). */
    if (k->gemm_cols16 && trans_b && !trans_a && alpha == 1.0f && m <= 64 &&
        env_in_place == IN_PLACE_AUTO &&
        gemm_cols(k, m, n, kdim, a, lda, b, ldb, beta, c, ldc, bias, &bl) == 0)
        return;
    /* pa holds A's MR-row panels, or (A in place, row-major) the transposed A of a narrow
     * last panel in NR-row panels. */
    const size_t mc_max = min_size(m, bl.mc), pa_rows = round_up(mc_max, mr);
    const size_t pt_rows = round_up(mc_max, nr);
    float *pa =
        pack_buffer(&tl_pack_a, &tl_cap_a, (pa_rows > pt_rows ? pa_rows : pt_rows) * kc_max);
    float *pb = pack_buffer(&tl_pack_b, &tl_cap_b, round_up(min_size(n, bl.nc), nr) * kc_max);
    if (!pa || !pb) {
        gemm_naive(m, n, kdim, alpha, a, rsa, csa, b, rsb, csb, beta, c, ldc, bias, kc_max);
        return;
    }
    /* Operands read in place (the small-matrix path): packing is a pass over an operand that
     * pays off only when the packed panels are reused often and the unpacked ones would thrash
     * the caches. With a narrow C (at most 8 NR panels, the dense layers' 100 and 10 outputs)
     * row-major op(B) rows are close together and each A tile serves few panels, so both are
     * read in place. So is a transposed op(A) whose rows stay within a page, or whose tile
     * does enough multiply-adds per k step (MR·NR ≥ 384) to hide a new page each step: the
     * first layer's weight gradient (3072×100×128 TN, rows 3072 floats apart) runs in place at
     * 265 GFLOP/s with AVX-512's 12×32 tile against 247 packed, and at 75 with AVX2's 6×16
     * against 122 packed (Zen 5). Alpha must then be 1, since packing folds it in. A kernel
     * reads only the rows of A and the columns of B it computes, so both are read in place to
     * their edges. */
    const int far_c = (double)m * (double)n * sizeof(float) > (double)bl.far_c;
    const int narrow = n <= 8 * nr;
    const int big_tile = mr * nr >= 384;
    int a_in_place =
        narrow && alpha == 1.0f && (csa == 1 || (rsa == 1 && (csa <= 1024 || big_tile)));
    int b_in_place = narrow && csb == 1;
    if (env_in_place != IN_PLACE_AUTO) {
        a_in_place = alpha == 1.0f && (csa == 1 || rsa == 1) &&
                     (env_in_place == IN_PLACE_A || env_in_place == IN_PLACE_AB);
        b_in_place = csb == 1 && (env_in_place == IN_PLACE_B || env_in_place == IN_PLACE_AB);
    }
    /* A narrow last panel, which the register tile computes a row per FMA with few lanes busy:
     * - at most 4 columns after a full panel (100 = 3·32 + 4) widen that panel's tile, where
     *   the ISA has a widened tile (rows in groups of 4 lanes; measured on Zen 5 against the
     *   column tile below: 128×100×100 NN 247 → 259 GFLOP/s, NT 237 → 254, 32×100×3072 NN
     *   225 → 252, the 3072×100×128 weight gradient 231 → 241);
     * - else, up to TAIL_COLS, the column tile, which puts rows in the lanes. It needs op(A)'s
     *   rows contiguous: in place when A is stored transposed; a row-major A read in place is
     *   transposed into pa once per block. */
    const int tail_cols = k->gemm_cols16 && alpha == 1.0f &&
                          (rsa == 1 || (a_in_place && csa == 1)) && env_in_place == IN_PLACE_AUTO;
    for (size_t jc = 0; jc < n; jc += bl.nc) {
        const size_t ncur = min_size(bl.nc, n - jc);
        for (size_t pc = 0; pc < kdim; pc += kc_max) {
            const size_t kc = min_size(kc_max, kdim - pc);
            const float *bk = b + pc * rsb + jc * csb;
            if (!b_in_place)
                pack_b(g, kc, ncur, bk, rsb, csb, pb);
            /* Later KC blocks accumulate onto what the first one stored. */
            const float beta_k = pc == 0 ? beta : 1.0f;
            const float *bias_k = pc == 0 ? bias : NULL;
            for (size_t ic = 0; ic < m; ic += bl.mc) {
                const size_t mcur = min_size(bl.mc, m - ic);
                const float *ak = a + ic * rsa + pc * csa;
                if (!a_in_place)
                    pack_a(mcur, kc, ak, rsa, csa, alpha, mr, pa);
                /* In place, the block's rows are cut into tiles of nearly equal height (16 rows:
                 * 8 + 8, not 12 + 4): a short tile has too few accumulators to hide the FMA
                 * latency. Packed panels keep MR rows each, the last one short. */
                const size_t m_tiles = (mcur + mr - 1) / mr;
                for (size_t jr = 0; jr < ncur; jr += nr) {
                    /* A full panel and a last one of at most 4 columns: one widened tile */
                    const int wide = k->gemm_wide && ncur - jr > nr && ncur - jr <= nr + 4;
                    const size_t nn = wide ? ncur - jr : min_size(nr, ncur - jr);
                    const float *bias_t = bias_k ? bias_k + jc + jr : NULL;
                    const float *bj = b_in_place ? bk + jr : pb + jr * kc;
                    const float *b4 = bj + (b_in_place ? nr : nr * kc);
                    const size_t rsb_k = b_in_place ? rsb : nr;
                    float *cj = c + ic * ldc + jc + jr;
                    if (tail_cols && nn <= TAIL_COLS) {
                        tail_panel(k, mcur, nn, kc, ak, rsa, csa, pa, bj, rsb_k, cj, ldc, beta_k,
                                   bias_t);
                        continue;
                    }
                    for (size_t t = 0; t < m_tiles; t++) {
                        const float *at;
                        size_t i0, i1, rsa_t, csa_t;
                        if (a_in_place) {
                            i0 = mcur * t / m_tiles, i1 = mcur * (t + 1) / m_tiles;
                            at = ak + i0 * rsa, rsa_t = rsa, csa_t = csa;
                        } else {
                            i0 = t * mr, i1 = min_size(mcur, i0 + mr);
                            at = pa + i0 * kc, rsa_t = 1, csa_t = mr;
                        }
                        if (far_c)
                            prefetch_c(cj + i0 * ldc, i1 - i0, nn, ldc);
                        if (wide)
                            k->gemm_wide(i1 - i0, nn, kc, at, rsa_t, csa_t, bj, b4, rsb_k,
                                         cj + i0 * ldc, ldc, beta_k, bias_t);
                        else
                            g->fn(i1 - i0, nn, kc, at, rsa_t, csa_t, bj, rsb_k, cj + i0 * ldc,
                                  ldc, beta_k, bias_t);
                    }
                    if (wide)
                        break;
                }
            }
        }
    }
}

/* --- profiler: one whole product per record; one branch while off --- */
void sdn_gemm_serial(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b, size_t m,
                     size_t n, size_t kdim, float alpha, const float *a, size_t lda, const float *b,
                     size_t ldb, float beta, float *c, size_t ldc, const float *bias)
{
    if (SDN_PROF_UNLIKELY(sdn_prof_flags)) {
        const uint64_t t0 = sdn_clock_ticks();
        gemm_blocked(k, trans_a, trans_b, m, n, kdim, alpha, a, lda, b, ldb, beta, c, ldc, bias);
        sdn_prof_gemm_done(k, t0, m, n, kdim, alpha, beta, bias != NULL);
        return;
    }
    gemm_blocked(k, trans_a, trans_b, m, n, kdim, alpha, a, lda, b, ldb, beta, c, ldc, bias);
}

/* ------------------------------------------------------------------ public entry */

/* Below this many multiply-adds one thread is faster than two (measured with
 * SIMDNN_GEMM_PARALLEL_MIN, which overrides it: on Zen 5 with AVX-512, two threads take
 * 32×100×100 from 228 to 316 GFLOP/s and 128×10×100 from 136 to 197, against 2^21). */
#define SDN_GEMM_PARALLEL_MIN_FMA (1u << 16)

static sdn_status validate(const char *fn, sdn_transpose trans_a, sdn_transpose trans_b,
                           size_t m, size_t n, size_t k, const float *a, size_t lda,
                           const float *b, size_t ldb, const float *c, size_t ldc)
{
    if ((trans_a != SDN_NO_TRANS && trans_a != SDN_TRANS) ||
        (trans_b != SDN_NO_TRANS && trans_b != SDN_TRANS))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "%s: transpose flags must be SDN_NO_TRANS or SDN_TRANS", fn);
    size_t a_cols = trans_a ? m : k, b_cols = trans_b ? k : n;
    if (lda < a_cols)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: lda %zu < %zu columns of A", fn, lda, a_cols);
    if (ldb < b_cols)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: ldb %zu < %zu columns of B", fn, ldb, b_cols);
    if (ldc < n)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: ldc %zu < n %zu", fn, ldc, n);
    if (m && n && !c)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: C is NULL", fn);
    if (m && n && k && (!a || !b))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: %s is NULL", fn, !a ? "A" : "B");
    return SDN_OK;
}

#ifdef _OPENMP
/* Split the output into a tm×tn grid of MR×NR-aligned blocks, choosing the grid that minimizes
 * the slowest thread's tile work plus its packing (each thread packs its own rows of A and
 * columns of B). The split changes who computes a tile, never how: results are thread-invariant. */
static void choose_grid(size_t m, size_t n, size_t k, size_t mr, size_t nr, int threads, int *tm,
                        int *tn)
{
    size_t tiles_m = (m + mr - 1) / mr, tiles_n = (n + nr - 1) / nr;
    double best = -1;
    for (int x = 1; x <= threads; x++) {
        if (threads % x || (size_t)x > tiles_m || (size_t)(threads / x) > tiles_n)
            continue;
        int y = threads / x;
        double rows = (double)((tiles_m + x - 1) / x) * mr;
        double cols = (double)((tiles_n + y - 1) / y) * nr;
        /* Packing one element costs about 24 multiply-add lanes (measured: 1-2 cycles). */
        double cost = rows * cols * (double)k + 24.0 * (double)k * (rows + cols);
        if (best < 0 || cost < best) {
            best = cost;
            *tm = x;
            *tn = y;
        }
    }
}
#endif

sdn_status sdn_sgemm_bias(sdn_transpose trans_a, sdn_transpose trans_b, size_t m, size_t n,
                          size_t k, float alpha, const float *a, size_t lda, const float *b,
                          size_t ldb, float beta, float *c, size_t ldc, const float *bias)
{
    sdn_status st = sdn_dispatch_init();
    if (st != SDN_OK)
        return st;
    st = validate("sdn_sgemm", trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
    if (st != SDN_OK)
        return st;
    const sdn_kernels *kt = sdn_kernels_active();
#ifdef _OPENMP
    int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    sdn_call_once(&env_once, env_once_fn);
    double min_fma = env_par_min ? (double)env_par_min : SDN_GEMM_PARALLEL_MIN_FMA;
    if (threads > 1 && (double)m * n * k >= min_fma) {
        const size_t mr = kt->gemm.mr, nr = kt->gemm.nr;
        int tm = 1, tn = 1;
        choose_grid(m, n, k, mr, nr, threads, &tm, &tn);
        if (tm * tn > 1) {
            size_t tiles_m = (m + mr - 1) / mr, tiles_n = (n + nr - 1) / nr;
#pragma omp parallel num_threads(tm * tn)
            /* A loop, not one block per thread: OpenMP may grant fewer threads than asked. */
            for (int t = omp_get_thread_num(); t < tm * tn; t += omp_get_num_threads()) {
                int x = t / tn, y = t % tn;
                size_t i0 = tiles_m * x / tm * mr, i1 = min_size(m, tiles_m * (x + 1) / tm * mr);
                size_t j0 = tiles_n * y / tn * nr, j1 = min_size(n, tiles_n * (y + 1) / tn * nr);
                if (i0 < i1 && j0 < j1) {
                    const float *ai = trans_a ? a + i0 : a + i0 * lda;
                    const float *bj = trans_b ? b + j0 * ldb : b + j0;
                    sdn_gemm_serial(kt, trans_a, trans_b, i1 - i0, j1 - j0, k, alpha, ai, lda,
                                    bj, ldb, beta, c + i0 * ldc + j0, ldc, bias ? bias + j0 : NULL);
                }
            }
            return SDN_OK;
        }
    }
#endif
    sdn_gemm_serial(kt, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias);
    return SDN_OK;
}

sdn_status sdn_sgemm(sdn_transpose trans_a, sdn_transpose trans_b, size_t m, size_t n, size_t k,
                     float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                     float beta, float *c, size_t ldc)
{
    return sdn_sgemm_bias(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL);
}
