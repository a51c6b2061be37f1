/* Winograd F(2×2, 3×3): a stride-1 3×3 correlation in 2.25 times fewer multiplies than im2col's
 * GEMM. Tiles of 2×2 outputs are numbered image by image, row by row, and done a block at a
 * time: each tile's 4×4 input cells (a zero row where they fall in the padding) transformed into
 * V [16][tiles][in_c], the 16 products M_e = V_e·U_e by the blocked GEMM (each element's sum over
 * the channels in the GEMM's fixed order), then each tile's M transformed into its 2×2 outputs
 * (those inside the image). The transforms are fixed sequences of adds and halvings on every ISA
 * and no tile depends on another, so the bits depend on neither the blocks nor the threads. */
#include "layers/winograd.h"

#include "gemm/gemm.h"

#define WINO_BLOCK_FLOATS 262144 /* V and M of a block: about a 1 MiB L2 */

size_t sdn_wino_block(size_t in_c, size_t out_c)
{
    /* a multiple of every ISA's tile rows (12, 8, 6, 4), so only the last block has edge rows */
    size_t t = WINO_BLOCK_FLOATS / (16 * (in_c + out_c)) / 24 * 24;
    return t < 24 ? 24 : t > 960 ? 960 : t;
}

size_t sdn_wino_buffer_floats(size_t in_c, size_t out_c)
{
    const size_t mx = in_c > out_c ? in_c : out_c;
    return 16 * in_c * out_c + 16 * sdn_wino_block(in_c, out_c) * (in_c + out_c) + 10 * mx;
}

void sdn_wino_filter(const sdn_kernels *k, const float *w, size_t C, size_t F, float *u)
{
    for (size_t c = 0; c < C; c++)
        k->wino_filter(F, w + c * F, C * F, u + c * F, C * F);
}

/* Tile `tile`'s image, tile row and tile column. */
static void tile_at(const sdn_wino_shape *s, size_t tile, size_t *n, size_t *ty, size_t *tx)
{
    const size_t tw = (s->out_w + 1) / 2, per = (s->out_h + 1) / 2 * tw;
    *n = tile / per, *ty = tile % per / tw, *tx = tile % tw;
}

/* The input cells of tile `tile`, a zero row outside the image. */
static void tile_cells(const sdn_wino_shape *s, const float *x, size_t tile, const float *zero,
                       const float *cells[16])
{
    size_t n, ty, tx;
    tile_at(s, tile, &n, &ty, &tx);
    const float *img = x + n * s->in_h * s->in_w * s->in_c;
    for (size_t i = 0; i < 4; i++) {
        const size_t y = 2 * ty + i; /* in the padded image */
        for (size_t j = 0; j < 4; j++) {
            const size_t xx = 2 * tx + j;
            const int inside = y >= s->pad_top && y - s->pad_top < s->in_h && xx >= s->pad_left &&
                               xx - s->pad_left < s->in_w;
            cells[4 * i + j] =
                inside ? img + ((y - s->pad_top) * s->in_w + xx - s->pad_left) * s->in_c : zero;
        }
    }
}

/* The 2×2 outputs of tile `tile`, NULL for those past the image's last row or column. */
static void tile_outputs(const sdn_wino_shape *s, float *y, size_t tile, float *out[4])
{
    size_t n, ty, tx;
    tile_at(s, tile, &n, &ty, &tx);
    float *img = y + n * s->out_h * s->out_w * s->out_c;
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++) {
            const size_t oy = 2 * ty + i, ox = 2 * tx + j;
            out[2 * i + j] =
                oy < s->out_h && ox < s->out_w ? img + (oy * s->out_w + ox) * s->out_c : NULL;
        }
}

/* A flipped kernel's position e = (a, b) reads the transform at (σa, σb), σ swapping 0 and 3:
 * G times a reversed kernel is G with rows 0 and 3 swapped. */
static size_t flipped_at(size_t e)
{
    static const size_t sigma[4] = {3, 1, 2, 0};
    return 4 * sigma[e / 4] + sigma[e % 4];
}

void sdn_wino_conv(const sdn_kernels *k, const sdn_wino_shape *s, size_t n, const float *x,
                   const float *u, int flipped, const float *bias, float *y, float *buf)
{
    const size_t Ci = s->in_c, Co = s->out_c, T = sdn_wino_block(Ci, Co);
    const size_t tiles = n * ((s->out_h + 1) / 2) * ((s->out_w + 1) / 2);
    float *v = buf + 16 * Ci * Co, *m = v + 16 * T * Ci, *zero = m + 16 * T * Co;
    memset(zero, 0, Ci * sizeof(float));
    for (size_t t0 = 0; t0 < tiles; t0 += T) {
        const size_t rows = tiles - t0 < T ? tiles - t0 : T;
        for (size_t r = 0; r < rows; r++) {
            const float *cells[16];
            tile_cells(s, x, t0 + r, zero, cells);
            k->wino_input(Ci, cells, v + r * Ci, T * Ci);
        }
        for (size_t e = 0; e < 16; e++) {
            const float *ue = u + (flipped ? flipped_at(e) : e) * Ci * Co;
            sdn_gemm_serial(k, SDN_NO_TRANS, flipped ? SDN_TRANS : SDN_NO_TRANS, rows, Co, Ci, 1.0f,
                            v + e * T * Ci, Ci, ue, flipped ? Ci : Co, 0.0f, m + e * T * Co, Co,
                            NULL);
        }
        for (size_t r = 0; r < rows; r++) {
            float *out[4];
            tile_outputs(s, y, t0 + r, out);
            k->wino_output(Co, m + r * Co, T * Co, bias, out);
        }
    }
}

/* The channels [*c0, *c1) whose kernel rows meet rows [i0, i1) of W (row = cell·C + channel):
 * those of one cell, else all. */
static void channels_of(size_t C, size_t i0, size_t i1, size_t *c0, size_t *c1)
{
    const int one_cell = i0 / C == (i1 - 1) / C;
    *c0 = one_cell ? i0 % C : 0;
    *c1 = one_cell ? (i1 - 1) % C + 1 : C;
}

/* dU_e[c0:c1, :] = Σ over the blocks, in order, of V_e[:, c0:c1]ᵀ·dM_e (each block's GEMM sums its
 * tiles in its fixed order, the first with β = 0) */
static void wino_du(const sdn_kernels *k, const sdn_wino_shape *s, size_t n, const float *x,
                    const float *dy, size_t c0, size_t c1, float *buf)
{
    const size_t C = s->in_c, F = s->out_c, T = sdn_wino_block(C, F), nc = c1 - c0;
    const size_t tiles = n * ((s->out_h + 1) / 2) * ((s->out_w + 1) / 2);
    float *du = buf, *v = buf + 16 * C * F, *dm = v + 16 * T * C, *zero = dm + 16 * T * F;
    for (size_t t0 = 0; t0 < tiles; t0 += T) {
        const size_t rows = tiles - t0 < T ? tiles - t0 : T;
        for (size_t r = 0; r < rows; r++) {
            const float *cells[16];
            float *out[4];
            tile_cells(s, x, t0 + r, zero, cells);
            for (size_t e = 0; e < 16; e++)
                cells[e] += c0;
            k->wino_input(nc, cells, v + r * nc, T * nc);
            tile_outputs(s, (float *)dy, t0 + r, out);
            const float *g[4] = {out[0] ? out[0] : zero, out[1] ? out[1] : zero,
                                 out[2] ? out[2] : zero, out[3] ? out[3] : zero};
            k->wino_output_grad(F, g, dm + r * F, T * F);
        }
        for (size_t e = 0; e < 16; e++)
            sdn_gemm_serial(k, SDN_TRANS, SDN_NO_TRANS, nc, F, rows, 1.0f, v + e * T * nc, nc,
                            dm + e * T * F, F, t0 ? 1.0f : 0.0f, du + e * C * F, F, NULL);
    }
}

void sdn_wino_weight_grads(const sdn_kernels *k, const sdn_wino_shape *s, size_t n, const float *x,
                           const float *dy, size_t i0, size_t i1, float *dw, float *buf)
{
    const size_t C = s->in_c, F = s->out_c, T = sdn_wino_block(C, F);
    size_t c0, c1;
    channels_of(C, i0, i1, &c0, &c1);
    float *zero = buf + 16 * C * F + 16 * T * (C + F), *cell = zero + (C > F ? C : F);
    memset(zero, 0, (C > F ? C : F) * sizeof(float));
    wino_du(k, s, n, x, dy, c0, c1, buf);
    for (size_t c = c0; c < c1; c++) {
        k->wino_filter_grad(F, buf + (c - c0) * F, C * F, cell, F);
        for (size_t kk = 0; kk < 9; kk++) /* only this call's rows */
            if (kk * C + c >= i0 && kk * C + c < i1)
                memcpy(dw + (kk * C + c - i0) * F, cell + kk * F, F * sizeof(float));
    }
}
