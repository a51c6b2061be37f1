/* The loop every transposed-B packer shares (kernels.h, sdn_f32_gemm_pack_fn): NR-column panels,
 * each cut into V×V blocks that the ISA's `block` transposes in registers; the blocks at a
 * panel's or kc's edge go to its `part` (masked), else element by element, as does the reference
 * (block NULL). Columns past nc are not written: no kernel reads them. */
#ifndef SDN_GEMM_PACK_BT_H
#define SDN_GEMM_PACK_BT_H

#include <stddef.h>

#include "inline.h"

/* dst[j·ldd + i] = src[i·lds + j] for i, j < V. */
typedef void sdn_transpose_block_fn(const float *src, size_t lds, float *dst, size_t ldd);
/* The same for i < rows ≤ V and j < cols ≤ V, reading and writing nothing else. */
typedef void sdn_transpose_part_fn(const float *src, size_t lds, float *dst, size_t ldd,
                                   size_t rows, size_t cols);

SDN_INLINE void sdn_pack_bt_panels(size_t kc, size_t nc, const float *b, size_t ldb, float *dst,
                                   const size_t nr, const size_t v, sdn_transpose_block_fn *block,
                                   sdn_transpose_part_fn *part)
{
    for (size_t j0 = 0; j0 < nc; j0 += nr, dst += nr * kc) {
        const size_t cols = nc - j0 < nr ? nc - j0 : nr;
        const float *src = b + j0 * ldb; /* source row j holds column j of op(B) */
        for (size_t p = 0; p < kc; p += v) {
            const size_t pn = kc - p < v ? kc - p : v;
            for (size_t j = 0; j < cols; j += v) {
                const size_t jn = cols - j < v ? cols - j : v;
                const float *s = src + j * ldb + p;
                float *d = dst + p * nr + j;
                if (block && pn == v && jn == v)
                    block(s, ldb, d, nr);
                else if (part)
                    part(s, ldb, d, nr, jn, pn);
                else
                    for (size_t q = 0; q < pn; q++)
                        for (size_t i = 0; i < jn; i++)
                            d[q * nr + i] = s[i * ldb + q];
            }
        }
    }
}

#endif
