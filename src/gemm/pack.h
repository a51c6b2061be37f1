/* Packing for the GEMM driver: operands copied into the register tile's panels, and the
 * per-thread buffers they go to. */
#ifndef SDN_GEMM_PACK_H
#define SDN_GEMM_PACK_H

#include <stddef.h>

#include "kernels.h"

/* MR-row panels of alpha·A (element (i, p) at a[i·rsa + p·csa]): dst[panel][p·MR + i], rows
 * past mc zero. */
void sdn_gemm_pack_a(size_t mc, size_t kc, const float *a, size_t rsa, size_t csa, float alpha,
                     size_t mr, float *dst);

/* NR-column panels of B (element (p, j) at b[p·rsb + j·csb]): dst[panel][p·NR + j], columns past
 * nc zero (a transposed B goes through the ISA's own packer). */
void sdn_gemm_pack_b(const sdn_gemm_kernel *g, size_t kc, size_t nc, const float *b, size_t rsb,
                     size_t csb, float *dst);

/* The calling thread's buffer for A's panels (which = 0) or B's (1), grown to at least `floats`
 * and reused; NULL when it cannot be had. Freed when the thread exits. */
float *sdn_gemm_pack_buffer(int which, size_t floats);

#endif
