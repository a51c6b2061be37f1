/* A product's plan: every choice the GEMM driver makes, taken once from the shape, the strides
 * and the ISA's tiles before any arithmetic, so the loops (loops.c) only follow it and a test can
 * print and check it. No choice here changes a bit: the store rule and the fixed KC blocks make
 * every path sum each element the same way; the plan picks the fastest path only. */
#ifndef SDN_GEMM_PLAN_H
#define SDN_GEMM_PLAN_H

#include <stddef.h>

#include "kernels.h"

/* The depth of a block of the sum: the one blocking figure that decides rounding (each block's
 * products are summed from zero in the tile, then added to C), so it is the same everywhere. */
#define SDN_GEMM_KC 512

typedef enum sdn_gemm_path {
    SDN_GEMM_SCALE,   /* k == 0 or alpha == 0: C = beta·C + bias, no product */
    SDN_GEMM_COLUMNS, /* a short C = A·Bᵀ: A's rows packed once, the column tile over them */
    SDN_GEMM_BLOCKED  /* BLIS's five loops around the register tile */
} sdn_gemm_path;

/* How the blocked path computes the last panel of C when NR does not divide n. */
typedef enum sdn_gemm_edge {
    SDN_EDGE_NONE,   /* NR divides n */
    SDN_EDGE_TILE,   /* the register tile with its last vector masked */
    SDN_EDGE_WIDE,   /* joined to the full panel before it: the widened tile */
    SDN_EDGE_COLUMNS /* the column tile, rows in the lanes */
} sdn_gemm_edge;

typedef struct sdn_gemm_plan {
    sdn_gemm_path path;
    size_t m, n, k;
    size_t rsa, csa, rsb, csb; /* element strides of op(A) (m×k) and op(B) (k×n) */
    size_t mr, nr;             /* the register tile */
    size_t kc, mc, nc;         /* kc: this k's block depth; mc, nc: cache blocks of rows, columns */
    int a_in_place, b_in_place; /* read by the tile where they are, not packed */
    sdn_gemm_edge edge;
    int prefetch_c; /* C leaves the cache between KC blocks: ask for a tile's lines early */
    /* COLUMNS: the column tile's calls, rows × cols of C each */
    size_t col_rows, col_cols;
} sdn_gemm_plan;

/* The plan for C[m×n] = alpha·op(A)·op(B) + beta·C on the kernel table k (lda, ldb: row strides
 * of the stored A and B). A pure function of its arguments, the cache sizes and the tuning
 * overrides (SIMDNN_GEMM_MC, _NC, _KC, _IN_PLACE; sdn_gemm_set_blocks). */
sdn_gemm_plan sdn_gemm_plan_make(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b,
                                 size_t m, size_t n, size_t kdim, float alpha, size_t lda,
                                 size_t ldb);

/* One line: "blocked 12x32 kc 512 mc 84 nc 4096 A in place, B packed, edge wide" and the like. */
void sdn_gemm_plan_format(const sdn_gemm_plan *p, char *buf, size_t size);

/* The KC blocks of a sum of k terms: as many as SDN_GEMM_KC (or an override) needs, of equal
 * depth. Depends on k alone, never on the threads. */
size_t sdn_gemm_kc_for(size_t k, size_t kc_max);

/* Multiply-adds below which one thread is faster than two (SIMDNN_GEMM_PARALLEL_MIN overrides). */
double sdn_gemm_parallel_min(void);

#endif
