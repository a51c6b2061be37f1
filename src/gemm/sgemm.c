/* The public SGEMM: arguments checked, then the output split over threads as a grid of blocks,
 * each a serial product (loops.c). The split changes who computes a tile, never how. */
#include <stddef.h>

#include "error.h"
#include "gemm/gemm.h"
#include "gemm/plan.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static sdn_status validate(const char *fn, sdn_transpose trans_a, sdn_transpose trans_b, size_t m,
                           size_t n, size_t k, const float *a, size_t lda, const float *b,
                           size_t ldb, const float *c, size_t ldc)
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
static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Split the output into a tm×tn grid of MR×NR-aligned blocks, choosing the grid that minimizes
 * the slowest thread's tile work plus its packing (each thread packs its own rows of A and
 * columns of B). */
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
        /* packing an element costs about what 24 multiply-add lanes do */
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
    if (threads > 1 && (double)m * n * k >= sdn_gemm_parallel_min()) {
        const size_t mr = kt->gemm.mr, nr = kt->gemm.nr;
        int tm = 1, tn = 1;
        choose_grid(m, n, k, mr, nr, threads, &tm, &tn);
        if (tm * tn > 1) {
            size_t tiles_m = (m + mr - 1) / mr, tiles_n = (n + nr - 1) / nr;
#pragma omp parallel num_threads(tm *tn)
            /* A loop, not one block per thread: OpenMP may grant fewer threads than asked. */
            for (int t = omp_get_thread_num(); t < tm * tn; t += omp_get_num_threads()) {
                int x = t / tn, y = t % tn;
                size_t i0 = tiles_m * x / tm * mr, i1 = min_size(m, tiles_m * (x + 1) / tm * mr);
                size_t j0 = tiles_n * y / tn * nr, j1 = min_size(n, tiles_n * (y + 1) / tn * nr);
                if (i0 < i1 && j0 < j1) {
                    const float *ai = trans_a ? a + i0 : a + i0 * lda;
                    const float *bj = trans_b ? b + j0 * ldb : b + j0;
                    sdn_gemm_serial(kt, trans_a, trans_b, i1 - i0, j1 - j0, k, alpha, ai, lda, bj,
                                    ldb, beta, c + i0 * ldc + j0, ldc, bias ? bias + j0 : NULL);
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
