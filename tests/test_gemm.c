/* GEMM microkernels: every ISA's register tile on every sub-tile, strides and edges (a guard page
 * after the operands), its transposed-B packing, the column and widened tiles, against a
 * double-precision product or the register tile. The driver has test_gemm_driver.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm.h"
#include "mman_compat.h"
#include "testutil.h"

/* ------------------------------------------------------------------ microkernel */

/* One k: the full MR×NR product in double once, then every m ≤ MR, n ≤ NR, beta, bias. C has a
 * spare row and spare columns that must keep their content. */
static void check_ukernel_k(const sdn_kernels *kt, size_t k, int all_subtiles)
{
    const sdn_gemm_kernel *g = &kt->gemm;
    const size_t mr = g->mr, nr = g->nr, ldc = nr + 5, crows = mr + 1;
    float *a = sdn_test_alloc(k * mr, 0), *b = sdn_test_alloc(k * nr, 0);
    float *c = sdn_test_alloc(crows * ldc, 1), *c0 = malloc(crows * ldc * sizeof *c0);
    float *bias = sdn_test_alloc(nr, 0);
    double *prod = malloc(mr * nr * sizeof *prod);
    sdn_test_fill(a, k * mr, 11 + k, -1, 1);
    sdn_test_fill(b, k * nr, 13 + k, -1, 1);
    sdn_test_fill(c0, crows * ldc, 17, -1, 1);
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < nr; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++)
                s += (double)a[p * mr + i] * b[p * nr + j];
            prod[i * nr + j] = s;
        }
    const float betas[] = {0.0f, 1.0f, 0.3f};
    for (size_t m = 1; m <= mr; m++) {
        for (size_t n = 1; n <= nr; n++) {
            int corner = (m == 1 || m == mr) && (n == 1 || n == nr - 1 || n == nr);
            if (!all_subtiles && !corner)
                continue;
            /* The contract: bias is n floats; NaN past them shows any read beyond. */
            sdn_test_fill(bias, nr, 19 + n, -1, 1);
            for (size_t j = n; j < nr; j++)
                bias[j] = NAN;
            for (int bi = 0; bi < 3; bi++) {
                for (int with_bias = 0; with_bias < 2; with_bias++) {
                    float beta = betas[bi];
                    for (size_t i = 0; i < crows * ldc; i++)
                        c[i] = beta == 0.0f ? NAN : c0[i];
                    g->fn(m, n, k, a, 1, mr, b, nr, c, ldc, beta, with_bias ? bias : NULL);
                    for (size_t i = 0; i < crows; i++)
                        for (size_t j = 0; j < ldc; j++) {
                            float got = c[i * ldc + j];
                            int inside = i < m && j < n, ok;
                            double want;
                            if (inside) {
                                want = prod[i * nr + j] + (with_bias ? bias[j] : 0.0) +
                                       (beta == 0.0f ? 0.0 : beta * (double)c0[i * ldc + j]);
                                ok = fabs(got - want) <= sdn_test_dot_tol(k);
                            } else {
                                want = beta == 0.0f ? NAN : c0[i * ldc + j];
                                ok = beta == 0.0f ? isnan(got) : got == c0[i * ldc + j];
                            }
                            if (!ok)
                                fail_msg("%s ukernel %zux%zu: k=%zu m=%zu n=%zu beta=%g bias=%d: "
                                         "C[%zu][%zu] = %.9g, expected %.9g%s",
                                         sdn_isa_name(kt->isa), mr, nr, k, m, n, beta, with_bias, i,
                                         j, got, want, inside ? "" : " (outside the tile)");
                        }
                }
            }
        }
    }
    sdn_test_free(a), sdn_test_free(b), sdn_test_free(c), sdn_test_free(bias);
    free(c0), free(prod);
}

/* The same tile with A and B read in place (row-major A, transposed A, B with a row stride) must
 * give exactly the bits of the packed call: the driver mixes both paths within one product. */
static void check_ukernel_strides(const sdn_kernels *kt, size_t k)
{
    const sdn_gemm_kernel *g = &kt->gemm;
    const size_t mr = g->mr, nr = g->nr, lda = k + 3, ldat = mr + 5, ldb = nr + 7;
    float *pa = sdn_test_alloc(k * mr, 0), *pb = sdn_test_alloc(k * nr, 0);
    float *ar = sdn_test_alloc(mr * lda, 1), *at = sdn_test_alloc(k * ldat, 1);
    float *bs = sdn_test_alloc(k * ldb, 1), *bias = sdn_test_alloc(nr, 0);
    float *want = sdn_test_alloc(mr * nr, 0), *got = sdn_test_alloc(mr * nr, 0);
    sdn_test_fill(pa, k * mr, 23 + k, -1, 1);
    sdn_test_fill(pb, k * nr, 29 + k, -1, 1);
    sdn_test_fill(bias, nr, 31, -1, 1);
    for (size_t p = 0; p < k; p++) {
        for (size_t i = 0; i < mr; i++)
            ar[i * lda + p] = at[p * ldat + i] = pa[p * mr + i];
        for (size_t j = 0; j < nr; j++)
            bs[p * ldb + j] = pb[p * nr + j];
    }
    const struct {
        const float *a;
        size_t rsa, csa;
        const float *b;
        size_t rsb;
        const char *what;
    } layouts[] = {
        {ar, lda, 1, pb, nr, "row-major A in place"},
        {at, 1, ldat, pb, nr, "transposed A in place"},
        {pa, 1, mr, bs, ldb, "B in place"},
        {ar, lda, 1, bs, ldb, "A and B in place"},
    };
    const size_t ms[] = {1, mr / 2, mr}, ns[] = {1, nr / 2 + 1, nr};
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t ni = 0; ni < 3; ni++) {
            const size_t m = ms[mi], n = ns[ni];
            for (size_t j = n; j < nr; j++)
                bias[j] = NAN;
            g->fn(m, n, k, pa, 1, mr, pb, nr, want, nr, 0.0f, bias);
            for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) {
                g->fn(m, n, k, layouts[l].a, layouts[l].rsa, layouts[l].csa, layouts[l].b,
                      layouts[l].rsb, got, nr, 0.0f, bias);
                for (size_t i = 0; i < m; i++)
                    for (size_t j = 0; j < n; j++)
                        if (memcmp(&got[i * nr + j], &want[i * nr + j], sizeof(float)))
                            fail_msg("%s ukernel, %s: k=%zu m=%zu n=%zu: C[%zu][%zu] = %.9g, "
                                     "packed gives %.9g",
                                     sdn_isa_name(kt->isa), layouts[l].what, k, m, n, i, j,
                                     got[i * nr + j], want[i * nr + j]);
            }
        }
    sdn_test_free(pa), sdn_test_free(pb), sdn_test_free(ar), sdn_test_free(at);
    sdn_test_free(bs), sdn_test_free(bias), sdn_test_free(want), sdn_test_free(got);
}

/* n floats ending at a page that cannot be read: any load past them faults. */
static float *before_guard(size_t n, void **map, size_t *map_bytes)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t data = (n * sizeof(float) + page - 1) / page * page;
    *map_bytes = data + page;
    char *base = mmap(NULL, *map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(base != MAP_FAILED);
    assert_int_equal(mprotect(base + data, page, PROT_NONE), 0);
    *map = base;
    return (float *)(base + data) - n;
}

/* The contract that lets the driver read operands in place to their edges: a kernel reads only
 * the m rows of A and the n columns of B it computes (row-major A and B each end at a guard
 * page, rows exactly m long for A^T and n for B), and gives the packed call's bits. */
static void check_ukernel_edges(const sdn_kernels *kt, size_t k)
{
    const sdn_gemm_kernel *g = &kt->gemm;
    const size_t mr = g->mr, nr = g->nr;
    const size_t ms[] = {1, mr - 1, mr}, ns[] = {1, nr / 2 + 1, nr - 1, nr};
    float *pa = sdn_test_alloc(k * mr, 0), *pb = sdn_test_alloc(k * nr, 0);
    float *want = sdn_test_alloc(mr * nr, 0), *got = sdn_test_alloc(mr * nr, 0);
    sdn_test_fill(pa, k * mr, 43 + k, -1, 1);
    sdn_test_fill(pb, k * nr, 47 + k, -1, 1);
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t ni = 0; ni < 4; ni++) {
            const size_t m = ms[mi], n = ns[ni];
            void *map_a, *map_at, *map_b;
            size_t bytes_a, bytes_at, bytes_b;
            float *ar = before_guard(m * k, &map_a, &bytes_a);   /* m × k, row-major */
            float *at = before_guard(k * m, &map_at, &bytes_at); /* k × m: transposed A */
            float *bs = before_guard(k * n, &map_b, &bytes_b);   /* k × n, row-major */
            for (size_t p = 0; p < k; p++) {
                for (size_t i = 0; i < m; i++)
                    ar[i * k + p] = at[p * m + i] = pa[p * mr + i];
                for (size_t j = 0; j < n; j++)
                    bs[p * n + j] = pb[p * nr + j];
            }
            g->fn(m, n, k, pa, 1, mr, pb, nr, want, nr, 0.0f, NULL);
            g->fn(m, n, k, ar, k, 1, bs, n, got, nr, 0.0f, NULL);
            for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < m; i++)
                    for (size_t j = 0; j < n; j++)
                        if (memcmp(&got[i * nr + j], &want[i * nr + j], sizeof(float)))
                            fail_msg("%s ukernel at the edges (%s): k=%zu m=%zu n=%zu: "
                                     "C[%zu][%zu] = %.9g, packed gives %.9g",
                                     sdn_isa_name(kt->isa), pass ? "A^T" : "A", k, m, n, i, j,
                                     got[i * nr + j], want[i * nr + j]);
                g->fn(m, n, k, at, 1, m, bs, n, got, nr, 0.0f, NULL);
            }
            munmap(map_a, bytes_a), munmap(map_at, bytes_at), munmap(map_b, bytes_b);
        }
    sdn_test_free(pa), sdn_test_free(pb), sdn_test_free(want), sdn_test_free(got);
}

static void test_ukernel(void **state)
{
    const sdn_kernels *kt = sdn_test_kernels(state);
    /* Every kernel unrolls k by 4 or 8: cover both tails, then primes. */
    const size_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 17, 211};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        check_ukernel_k(kt, ks[i], 1);
        check_ukernel_strides(kt, ks[i]);
        check_ukernel_edges(kt, ks[i]);
    }
    check_ukernel_k(kt, 1009, 0);
}

/* The ISA's transposed-B packing moves exactly the elements of the element-by-element rule:
 * whole V×V blocks, the p tail, a partial last panel, an odd leading dimension, reading nothing
 * past B's last element. */
static void test_pack_bt(void **state)
{
    const sdn_kernels *kt = sdn_test_kernels(state);
    const size_t nr = kt->gemm.nr;
    const size_t kcs[] = {1, 3, 4, 8, 16, 17, 33, 100}, ncs[] = {1, 5, nr - 1, nr, nr + 3, 100};
    for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ki++)
        for (size_t ni = 0; ni < sizeof ncs / sizeof ncs[0]; ni++) {
            const size_t kc = kcs[ki], nc = ncs[ni], ldb = kc + 3;
            const size_t panels = (nc + nr - 1) / nr, size = panels * nr * kc;
            /* B's last row ends at a guard page: a block at kc's edge reads only its columns */
            void *map;
            size_t map_bytes;
            float *b = before_guard((nc - 1) * ldb + kc, &map, &map_bytes);
            float *got = sdn_test_alloc(size, 0);
            sdn_test_fill(b, (nc - 1) * ldb + kc, 41 + kc + nc, -1, 1);
            for (size_t i = 0; i < size; i++)
                got[i] = NAN; /* every element up to nc must be written, none past it */
            kt->gemm.pack_bt(kc, nc, b, ldb, got);
            for (size_t p = 0; p < kc; p++)
                for (size_t j = 0; j < panels * nr; j++) {
                    const float want = j < nc ? b[j * ldb + p] : NAN;
                    const float g = got[(j / nr) * nr * kc + p * nr + j % nr];
                    if (memcmp(&g, &want, sizeof g))
                        fail_msg("%s pack_bt kc=%zu nc=%zu: (p=%zu, j=%zu) = %g, expected %g",
                                 sdn_isa_name(kt->isa), kc, nc, p, j, g, want);
                }
            munmap(map, map_bytes);
            sdn_test_free(got);
        }
}

/* The column tile (where an ISA has one) against the ISA's register tile on the same operands:
 * the same bits for every m ≤ 16 and n ≤ 16, and m ≤ 32 with n ≤ 8, every k, beta and bias;
 * nothing written outside m × n; A read in place (transposed, rows exactly m long) with a guard
 * page after it, so a load of a row past m faults. */
static void test_cols_tile(void **state)
{
    const sdn_kernels *kt = sdn_test_kernels(state);
    if (!kt->gemm_cols16)
        skip();
    enum { T = 32, NMAX = 16 };
    const size_t ks[] = {1, 5, 16, 17, 100, 211}, ldc = NMAX + 3;
    const float betas[] = {0.0f, 1.0f, 0.3f};
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
        const size_t k = ks[ki];
        float *a = sdn_test_alloc(T * k, 0), *b = sdn_test_alloc(k * NMAX, 0);
        float *bias = sdn_test_alloc(NMAX, 0), *c0 = sdn_test_alloc((T + 1) * ldc, 0);
        float *want = sdn_test_alloc((T + 1) * ldc, 0), *got = sdn_test_alloc((T + 1) * ldc, 0);
        sdn_test_fill(a, T * k, 61 + k, -1, 1);
        sdn_test_fill(b, k * NMAX, 67 + k, -1, 1);
        sdn_test_fill(bias, NMAX, 71, -1, 1);
        sdn_test_fill(c0, (T + 1) * ldc, 73, -1, 1);
        for (size_t m = 1; m <= T; m++) {
            void *map;
            size_t bytes;
            float *at = before_guard(k * m, &map, &bytes); /* k × m: A transposed */
            for (size_t i = 0; i < m; i++)
                for (size_t p = 0; p < k; p++)
                    at[p * m + i] = a[i * k + p];
            for (size_t n = 1; n <= (m > 16 ? 8 : NMAX); n++)
                for (int bi = 0; bi < 3; bi++)
                    for (int with_bias = 0; with_bias < 2; with_bias++) {
                        const float *bv = with_bias ? bias : NULL;
                        memcpy(want, c0, (T + 1) * ldc * sizeof(float));
                        memcpy(got, c0, (T + 1) * ldc * sizeof(float));
                        /* the register tile in pieces of at most MR × NR, A and B in place */
                        for (size_t i0 = 0; i0 < m; i0 += kt->gemm.mr)
                            for (size_t j0 = 0; j0 < n; j0 += kt->gemm.nr)
                                kt->gemm.fn((m - i0 < kt->gemm.mr ? m - i0 : kt->gemm.mr),
                                            (n - j0 < kt->gemm.nr ? n - j0 : kt->gemm.nr), k,
                                            a + i0 * k, k, 1, b + j0, NMAX, want + i0 * ldc + j0,
                                            ldc, betas[bi], bv ? bv + j0 : NULL);
                        kt->gemm_cols16(m, n, k, at, m, b, NMAX, 1, got, ldc, betas[bi], bv);
                        if (memcmp(got, want, (T + 1) * ldc * sizeof(float)))
                            fail_msg("%s column tile: k=%zu m=%zu n=%zu beta=%g bias=%d differs "
                                     "from the register tile",
                                     sdn_isa_name(kt->isa), k, m, n, betas[bi], with_bias);
                    }
            munmap(map, bytes);
        }
        sdn_test_free(a), sdn_test_free(b), sdn_test_free(bias);
        sdn_test_free(want), sdn_test_free(got), sdn_test_free(c0);
    }
}

/* The widened tile (where an ISA has one) against the register tile on the same operands: the
 * same bits for every m ≤ MR and NR < n ≤ NR + 4, every k, beta and bias, with A packed or read
 * in place; nothing written outside m × n; b4 (the last columns, as a packed panel or in place)
 * and row-major A each end at a guard page, so a load past b4's n − NR columns or A's m rows
 * faults. */
static void test_wide_tile(void **state)
{
    const sdn_kernels *kt = sdn_test_kernels(state);
    if (!kt->gemm_wide)
        skip();
    const size_t mr = kt->gemm.mr, nr = kt->gemm.nr, ldb = nr + 4, ldc = nr + 7;
    const size_t ks[] = {1, 3, 4, 5, 16, 17, 100, 211};
    const float betas[] = {0.0f, 1.0f, 0.3f};
    const char *what[] = {"A packed", "A in place", "b4 apart"};
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
        const size_t k = ks[ki];
        float *pa = sdn_test_alloc(k * mr, 0), *b = sdn_test_alloc(k * ldb, 0);
        float *bias = sdn_test_alloc(ldb, 0), *c0 = sdn_test_alloc((mr + 1) * ldc, 0);
        float *want = sdn_test_alloc((mr + 1) * ldc, 0), *got = sdn_test_alloc((mr + 1) * ldc, 0);
        sdn_test_fill(pa, k * mr, 79 + k, -1, 1);
        sdn_test_fill(b, k * ldb, 83 + k, -1, 1);
        sdn_test_fill(c0, (mr + 1) * ldc, 97, -1, 1);
        for (size_t n = nr + 1; n <= nr + 4; n++) {
            const size_t n4 = n - nr;
            for (size_t j = 0; j < ldb; j++) /* bias is n floats: NaN past them */
                bias[j] = j < n ? 0.25f - 0.01f * (float)j : NAN;
            /* b4 apart from b (as a packed B's next panel), its last row ending at the guard */
            void *map_b4;
            size_t bytes_b4;
            float *b4 = before_guard((k - 1) * ldb + n4, &map_b4, &bytes_b4);
            for (size_t p = 0; p < k; p++)
                for (size_t j = 0; j < n4; j++)
                    b4[p * ldb + j] = b[p * ldb + nr + j];
            for (size_t m = 1; m <= mr; m++) {
                void *map_a;
                size_t bytes_a;
                float *ar = before_guard(m * k, &map_a, &bytes_a); /* m × k, row-major */
                for (size_t i = 0; i < m; i++)
                    for (size_t p = 0; p < k; p++)
                        ar[i * k + p] = pa[p * mr + i];
                for (int bi = 0; bi < 3; bi++)
                    for (int with_bias = 0; with_bias < 2; with_bias++) {
                        const float *bv = with_bias ? bias : NULL;
                        /* beta == 0 never reads C: NaN there shows a read */
                        for (size_t i = 0; i < (mr + 1) * ldc; i++)
                            want[i] = betas[bi] == 0.0f ? NAN : c0[i];
                        kt->gemm.fn(m, nr, k, pa, 1, mr, b, ldb, want, ldc, betas[bi], bv);
                        kt->gemm.fn(m, n4, k, pa, 1, mr, b + nr, ldb, want + nr, ldc, betas[bi],
                                    bv ? bv + nr : NULL);
                        for (int layout = 0; layout < 3; layout++) {
                            /* A packed, then row-major in place; b4 = b + NR, then apart */
                            const float *a = layout == 1 ? ar : pa;
                            const size_t rsa = layout == 1 ? k : 1, csa = layout == 1 ? 1 : mr;
                            for (size_t i = 0; i < (mr + 1) * ldc; i++)
                                got[i] = betas[bi] == 0.0f ? NAN : c0[i];
                            kt->gemm_wide(m, n, k, a, rsa, csa, b, layout == 2 ? b4 : b + nr, ldb,
                                          got, ldc, betas[bi], bv);
                            if (memcmp(got, want, (mr + 1) * ldc * sizeof(float)))
                                fail_msg("%s widened tile (%s): k=%zu m=%zu n=%zu beta=%g bias=%d "
                                         "differs from the register tile",
                                         sdn_isa_name(kt->isa), what[layout], k, m, n, betas[bi],
                                         with_bias);
                        }
                    }
                munmap(map_a, bytes_a);
            }
            munmap(map_b4, bytes_b4);
        }
        sdn_test_free(pa), sdn_test_free(b), sdn_test_free(bias);
        sdn_test_free(want), sdn_test_free(got), sdn_test_free(c0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SDN_TEST_EACH_ISA(test_ukernel),
        SDN_TEST_EACH_ISA(test_pack_bt),
        SDN_TEST_EACH_ISA(test_cols_tile),
        SDN_TEST_EACH_ISA(test_wide_tile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
