/* Transposed-B packing into the 6×16 tile's 16-column panels: 8×8 blocks transposed in
 * registers (pairs of rows interleaved, then pairs of pairs, then the 128-bit halves); the blocks
 * at an edge (k = 100 leaves 4 columns) under masks. */
#include <immintrin.h>

#include "gemm-pack-bt.h"
#include "kernels.h"

/* r[i] holds row i; on return r[j] holds column j. */
static inline void transpose8_regs(__m256 r[8])
{
    __m256 t[8];
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
        t[e] = _mm256_permute2f128_ps(r[e], r[4 + e], 0x20);
        t[4 + e] = _mm256_permute2f128_ps(r[e], r[4 + e], 0x31);
    }
    for (int j = 0; j < 8; j++)
        r[j] = t[j];
}

static void transpose8(const float *src, size_t lds, float *dst, size_t ldd)
{
    __m256 r[8];
    for (int i = 0; i < 8; i++)
        r[i] = _mm256_loadu_ps(src + (size_t)i * lds);
    transpose8_regs(r);
    for (int j = 0; j < 8; j++)
        _mm256_storeu_ps(dst + (size_t)j * ldd, r[j]);
}

/* Lanes [0, n) set. */
static inline __m256i first_lanes(size_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The first `rows` rows and `cols` columns only: masked loads; masked stores only where a row
 * of the output is short (they are slow on some cores). */
static void transpose8_part(const float *src, size_t lds, float *dst, size_t ldd, size_t rows,
                            size_t cols)
{
    const __m256i in = first_lanes(cols), out = first_lanes(rows);
    __m256 r[8];
    for (size_t i = 0; i < 8; i++)
        r[i] = i < rows ? _mm256_maskload_ps(src + i * lds, in) : _mm256_setzero_ps();
    transpose8_regs(r);
    for (size_t j = 0; j < cols; j++)
        if (rows == 8)
            _mm256_storeu_ps(dst + j * ldd, r[j]);
        else
            _mm256_maskstore_ps(dst + j * ldd, out, r[j]);
}

void sdn_f32_gemm_pack_bt16__avx2(size_t kc, size_t nc, const float *b, size_t ldb, float *dst)
{
    sdn_pack_bt_panels(kc, nc, b, ldb, dst, 16, 8, transpose8, transpose8_part);
}
