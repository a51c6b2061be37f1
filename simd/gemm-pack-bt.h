/* The loop every transposed-B packer shares (kernels.h, sdn_f32_gemm_pack_fn): NR-column panels,
 * each cut into V×V blocks that the ISA's `block` transposes in registers; the p tail, the
 * columns of a partial panel past its last whole block and the reference (block NULL) go
 * element by element. Columns past nc are not written: no kernel reads them. */
#ifndef SDN_GEMM_PACK_BT_H
#define SDN_GEMM_PACK_BT_H

#include <stddef.h>

/* dst[j·ldd + i] = src[i·lds + j] for i, j < V. */
typedef void sdn_transpose_block_fn(const float *src, size_t lds, float *dst, size_t ldd);

static inline __attribute__((always_inline)) void
sdn_pack_bt_panels(size_t kc, size_t nc, const float *b, size_t ldb, float *dst, const size_t nr,
                   const size_t v, sdn_transpose_block_fn *block)
{
    for (size_t j0 = 0; j0 < nc; j0 += nr, dst += nr * kc) {
        const size_t cols = nc - j0 < nr ? nc - j0 : nr;
        const size_t blocked = block ? cols / v * v : 0; /* columns moved in whole blocks */
        const float *src = b + j0 * ldb; /* source row j holds column j of op(B) */
        size_t p = 0;
        if (blocked)
            for (; p + v <= kc; p += v)
                for (size_t j = 0; j < blocked; j += v)
                    block(src + j * ldb + p, ldb, dst + p * nr + j, nr);
        for (size_t q = 0; q < kc; q++)
            for (size_t j = q < p ? blocked : 0; j < cols; j++)
                dst[q * nr + j] = src[j * ldb + q];
    }
}

#endif
