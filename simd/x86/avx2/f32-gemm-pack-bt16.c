/* Transposed-B packing into the 6×16 tile's 16-column panels: 8×8 blocks transposed in
 * registers (pairs of rows interleaved, then pairs of pairs, then the 128-bit halves). */
#include <immintrin.h>

#include "gemm-pack-bt.h"
#include "kernels.h"

static void transpose8(const float *src, size_t lds, float *dst, size_t ldd)
{
    __m256 r[8], t[8];
    for (int i = 0; i < 8; i++)
        r[i] = _mm256_loadu_ps(src + (size_t)i * lds);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    /* r[4h + e]: column e (half 0) and 4 + e (half 1) of rows 4h..4h+3 */
    for (int h = 0; h < 8; h += 4) {
        r[h] = _mm256_shuffle_ps(t[h], t[h + 2], 0x44);
        r[h + 1] = _mm256_shuffle_ps(t[h], t[h + 2], 0xEE);
        r[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44);
        r[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xEE);
    }
    for (int e = 0; e < 4; e++) {
        _mm256_storeu_ps(dst + (size_t)e * ldd, _mm256_permute2f128_ps(r[e], r[4 + e], 0x20));
        _mm256_storeu_ps(dst + (size_t)(4 + e) * ldd,
                         _mm256_permute2f128_ps(r[e], r[4 + e], 0x31));
    }
}

void sdn_f32_gemm_pack_bt16__avx2(size_t kc, size_t nc, const float *b, size_t ldb, float *dst)
{
    sdn_pack_bt_panels(kc, nc, b, ldb, dst, 16, 8, transpose8);
}
