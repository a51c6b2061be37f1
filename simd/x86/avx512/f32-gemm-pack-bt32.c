/* Transposed-B packing into the 12×32 tile's 32-column panels: 16×16 blocks transposed in
 * registers (transpose.h), one 64-byte load per source row and one store per panel row instead
 * of 256 scalar moves; the blocks at an edge (k = 100 leaves 4 columns) under masks. */
#include "gemm-pack-bt.h"
#include "kernels.h"
#include "transpose.h"

void sdn_f32_gemm_pack_bt32__avx512(size_t kc, size_t nc, const float *b, size_t ldb, float *dst)
{
    sdn_pack_bt_panels(kc, nc, b, ldb, dst, 32, 16, sdn_transpose16_avx512,
                       sdn_transpose16_part_avx512);
}
