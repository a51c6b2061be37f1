/* The blocked GEMM driver's internal entry points (the public ones are in simdnn.h). */
#ifndef SDN_GEMM_H
#define SDN_GEMM_H

#include "kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* C = alpha·op(A)·op(B) + beta·C + bias (bias: NULL or n floats added to every row), on the
 * calling thread only, with the given kernel table. For layers that split the batch across
 * threads themselves. Packing buffers are per-thread and allocated once. */
void sdn_gemm_serial(const sdn_kernels *k, sdn_transpose trans_a, sdn_transpose trans_b, size_t m,
                     size_t n, size_t kdim, float alpha, const float *a, size_t lda, const float *b,
                     size_t ldb, float beta, float *c, size_t ldc, const float *bias);

/* Test and tuning hook: forces KC, MC, NC (0 keeps the derived or SIMDNN_GEMM_* value). Not
 * thread-safe; call it while no GEMM runs. */
void sdn_gemm_set_blocks(size_t kc, size_t mc, size_t nc);

/* Test hook: frees the calling thread's packing buffers, so the next product gets buffers of
 * exactly its own size (a sanitizer then sees any write past them). */
void sdn_gemm_free_pack_buffers(void);

#ifdef __cplusplus
}
#endif
#endif
