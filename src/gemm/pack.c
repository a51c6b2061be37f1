/* Packing (pack.h). It runs as often as the tile reads its result, so each layout gets its own
 * loop and the tile sizes become constants (the switches below), which lets the compiler unroll
 * a panel row into straight vector moves. */
#include <stdlib.h>
#include <string.h>

#include "gemm/gemm.h"
#include "gemm/pack.h"
#include "inline.h"
#include "platform/platform.h"

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* A transposed A (rsa == 1): source row p holds row p of every panel. Each source row is read
 * once, front to back, across all full panels: one stream the prefetcher follows, instead of a
 * short run per row and panel. Returns the rows it packed. */
SDN_INLINE size_t pack_a_transposed(size_t mc, size_t kc, const float *a, size_t csa, float alpha,
                                    const size_t mr, float *dst)
{
    const size_t full = mc / mr;
    for (size_t p = 0; p < kc; p++) {
        const float *s = a + p * csa;
        for (size_t q = 0; q < full; q++)
            for (size_t i = 0; i < mr; i++)
                dst[q * mr * kc + p * mr + i] = alpha * s[q * mr + i];
    }
    return full * mr;
}

SDN_INLINE void pack_a_tile(size_t mc, size_t kc, const float *a, size_t rsa, size_t csa,
                            float alpha, const size_t mr, float *dst)
{
    size_t i0 = rsa == 1 ? pack_a_transposed(mc, kc, a, csa, alpha, mr, dst) : 0;
    for (dst += i0 * kc; i0 < mc; i0 += mr, dst += mr * kc) {
        const size_t rows = min_size(mr, mc - i0);
        const float *src = a + i0 * rsa;
        if (rows == mr && csa == 1) { /* row-major A, full panel: MR streams in, one out */
            for (size_t p = 0; p < kc; p++)
                for (size_t i = 0; i < mr; i++)
                    dst[p * mr + i] = alpha * src[i * rsa + p];
            continue;
        }
        for (size_t p = 0; p < kc; p++) {
            size_t i = 0;
            for (; i < rows; i++)
                dst[p * mr + i] = alpha * src[i * rsa + p * csa];
            for (; i < mr; i++)
                dst[p * mr + i] = 0.0f;
        }
    }
}

/* Row-major B: each source row read once, front to back, across all panels. The edge panel is
 * zeroed in one go first: a short memset per row stalls the copy into the same line after it. */
SDN_INLINE void pack_b_rows(size_t kc, size_t nc, const float *b, size_t rsb, const size_t nr,
                            float *dst)
{
    const size_t full = nc / nr, rem = nc - full * nr;
    if (rem)
        memset(dst + full * nr * kc, 0, kc * nr * sizeof(float));
    for (size_t p = 0; p < kc; p++) {
        const float *s = b + p * rsb;
        float *d = dst + p * nr;
        for (size_t q = 0; q < full; q++)
            for (size_t j = 0; j < nr; j++)
                d[q * nr * kc + j] = s[q * nr + j];
        for (size_t j = 0; j < rem; j++)
            d[full * nr * kc + j] = s[full * nr + j];
    }
}

SDN_INLINE void pack_b_tile(size_t kc, size_t nc, const float *b, size_t rsb, size_t csb,
                            const size_t nr, float *dst)
{
    if (csb == 1) {
        pack_b_rows(kc, nc, b, rsb, nr, dst);
        return;
    }
    for (size_t j0 = 0; j0 < nc; j0 += nr, dst += nr * kc) {
        const size_t cols = min_size(nr, nc - j0);
        const float *src = b + j0 * csb;
        for (size_t p = 0; p < kc; p++)
            for (size_t j = 0; j < nr; j++)
                dst[p * nr + j] = j < cols ? src[p * rsb + j * csb] : 0.0f;
    }
}

void sdn_gemm_pack_a(size_t mc, size_t kc, const float *a, size_t rsa, size_t csa, float alpha,
                     size_t mr, float *dst)
{
    switch (mr) {
    case 4:
        pack_a_tile(mc, kc, a, rsa, csa, alpha, 4, dst);
        break;
    case 6:
        pack_a_tile(mc, kc, a, rsa, csa, alpha, 6, dst);
        break;
    case 8:
        pack_a_tile(mc, kc, a, rsa, csa, alpha, 8, dst);
        break;
    case 12:
        pack_a_tile(mc, kc, a, rsa, csa, alpha, 12, dst);
        break;
    default:
        pack_a_tile(mc, kc, a, rsa, csa, alpha, mr, dst);
        break;
    }
}

void sdn_gemm_pack_b(const sdn_gemm_kernel *g, size_t kc, size_t nc, const float *b, size_t rsb,
                     size_t csb, float *dst)
{
    if (rsb == 1 && csb != 1) { /* transposed B: the ISA's in-register transposes */
        g->pack_bt(kc, nc, b, csb, dst);
        return;
    }
    switch (g->nr) {
    case 8:
        pack_b_tile(kc, nc, b, rsb, csb, 8, dst);
        break;
    case 12:
        pack_b_tile(kc, nc, b, rsb, csb, 12, dst);
        break;
    case 16:
        pack_b_tile(kc, nc, b, rsb, csb, 16, dst);
        break;
    case 32:
        pack_b_tile(kc, nc, b, rsb, csb, 32, dst);
        break;
    default:
        pack_b_tile(kc, nc, b, rsb, csb, g->nr, dst);
        break;
    }
}

/* ------------------------------------------------------------------ buffers */

/* Grown to the block sizes on first use and then reused; freed when their thread exits (an
 * application's own threads come and go: inference is re-entrant). */
static _Thread_local float *tl_buf[2];
static _Thread_local size_t tl_cap[2];
static sdn_tls_key buf_key;
static sdn_once buf_key_once = SDN_ONCE_INIT;

static void free_buffers(void *unused)
{
    (void)unused;
    for (int i = 0; i < 2; i++) {
        sdn_aligned_free(tl_buf[i]);
        tl_buf[i] = NULL;
        tl_cap[i] = 0;
    }
}

static void make_buf_key(void)
{
    sdn_tls_key_create(&buf_key, free_buffers);
}

void sdn_gemm_free_pack_buffers(void)
{
    free_buffers(NULL);
}

float *sdn_gemm_pack_buffer(int which, size_t floats)
{
    if (tl_cap[which] < floats) {
        sdn_call_once(&buf_key_once, make_buf_key);
        sdn_tls_set(buf_key, tl_cap); /* any non-NULL value: the exit hook runs */
        sdn_aligned_free(tl_buf[which]);
        tl_buf[which] = sdn_aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
        tl_cap[which] = tl_buf[which] ? floats : 0;
    }
    return tl_buf[which];
}
