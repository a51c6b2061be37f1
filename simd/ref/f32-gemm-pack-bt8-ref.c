/* Reference transposed-B packing into the 4×8 tile's 8-column panels, element by element. */
#include "gemm-pack-bt.h"
#include "kernels.h"

void sdn_f32_gemm_pack_bt8__ref(size_t kc, size_t nc, const float *b, size_t ldb, float *dst)
{
    sdn_pack_bt_panels(kc, nc, b, ldb, dst, 8, 1, NULL, NULL);
}
