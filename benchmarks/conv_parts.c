/* The parts of a 3×3 same Conv2D's step over a batch of 32, one tile at a time as
 * src/layers/conv2d.c runs them: im2col (the patches copied into an L2-sized tile) and the
 * GEMM that multiplies them (forward), dX's GEMM into patches (NT) and dW's (TN, tiles summed).
 * An implicit GEMM, which packs the patches straight into the microkernel's panels, could save
 * at most the im2col part (its packing does the same copy). Winograd F(2×2, 3×3) would replace
 * the forward GEMM by 16 smaller ones (K = C): their time is the "wino" column; the last two are
 * the whole Winograd forward and input gradient (transforms included), to set against im2col +
 * fwd and dX + col2im. Prints one line per shape: microseconds of each (best of 9) and each
 * GEMM's GFLOP/s.
 *   build-bench/simdnn_conv_parts */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gemm/gemm.h"
#include "layers/im2col.h"
#include "layers/winograd.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

/* a 3×3 same, stride 1 conv layer record over an h × w × c image with f filters */
static sdn_layer conv_layer(size_t h, size_t w, size_t c, size_t f)
{
    sdn_layer l = {0};
    l.in_h = l.out_h = h, l.in_w = l.out_w = w, l.in_c = c, l.out_c = l.filters = f;
    l.kh = l.kw = 3, l.stride_h = l.stride_w = 1, l.pad_top = l.pad_left = 1, l.pad_same = 1;
    l.n_in = h * w * c, l.n_out = h * w * f;
    return l;
}

/* best of 9 passes over the batch's tiles of: 0 im2col, 1 the forward GEMM, 2 dX's, 3 dW's */
static double time_half(const sdn_layer *l, const float *x, float *cols, float *wt, float *z,
                        int gemm)
{
    const sdn_kernels *k = sdn_kernels_active();
    const size_t K = 9 * l->in_c, F = l->filters, tile = sdn_conv_tile(l);
    const size_t q_end = 32 * l->out_h * l->out_w;
    double best = 1e30;
    for (int rep = 0; rep < 9; rep++) {
        const double t0 = now_us();
        for (size_t q0 = 0; q0 < q_end; q0 += tile) {
            const size_t m = q_end - q0 < tile ? q_end - q0 : tile;
            if (gemm == 1)
                sdn_gemm_serial(k, SDN_NO_TRANS, SDN_NO_TRANS, m, F, K, 1.0f, cols, K, wt, F, 0.0f,
                                z + q0 * F, F, NULL);
            else if (gemm == 2)
                sdn_gemm_serial(k, SDN_NO_TRANS, SDN_TRANS, m, K, F, 1.0f, z + q0 * F, F, wt, F,
                                0.0f, cols, K, NULL);
            else if (gemm == 3)
                sdn_gemm_serial(k, SDN_TRANS, SDN_NO_TRANS, K, F, m, 1.0f, cols, K, z + q0 * F, F,
                                q0 ? 1.0f : 0.0f, wt, F, NULL);
            else
                sdn_im2col(l, x, q0, m, cols);
        }
        const double dt = now_us() - t0;
        best = dt < best ? dt : best;
    }
    return best;
}

/* The layer's Winograd F(2×2, 3×3) forward (dx = 0) or input gradient (dx = 1) over the batch as
 * conv2d.c runs it: the kernel's transform, then the tiles' transforms and products a block at a
 * time (src/layers/winograd.c); best of 9. */
static double time_winograd(const sdn_layer *l, const float *x, const float *wt, float *z, int dx)
{
    const sdn_kernels *k = sdn_kernels_active();
    const size_t C = l->in_c, F = l->filters;
    float *buf = calloc(sdn_wino_buffer_floats(C, F), sizeof(float));
    sdn_wino_shape s = {l->in_h, l->in_w, C, l->out_h, l->out_w, F, 1, 1};
    if (dx)
        s = (sdn_wino_shape){l->out_h, l->out_w, F, l->in_h, l->in_w, C, 1, 1};
    double best = 1e30;
    for (int rep = 0; rep < 9; rep++) {
        const double t0 = now_us();
        sdn_wino_filter(k, wt, C, F, buf);
        if (dx)
            sdn_wino_conv(k, &s, 32, z, buf, 1, NULL, (float *)x, buf);
        else
            sdn_wino_conv(k, &s, 32, x, buf, 0, NULL, z, buf);
        const double dt = now_us() - t0;
        best = dt < best ? dt : best;
    }
    free(buf);
    return best;
}

/* Winograd F(2×2, 3×3)'s products alone for the same layer and batch: 16 GEMMs of the batch's
 * 2×2 output tiles (rows) × C into F, a chunk of 1024 tiles at a time; best of 9. */
static double time_winograd_gemms(const sdn_layer *l)
{
    const sdn_kernels *k = sdn_kernels_active();
    const size_t C = l->in_c, F = l->filters, chunk = 1024;
    const size_t tiles = 32 * ((l->out_h + 1) / 2) * ((l->out_w + 1) / 2);
    float *u = calloc(16 * chunk * C, sizeof(float)), *v = calloc(16 * C * F, sizeof(float));
    float *mo = calloc(16 * chunk * F, sizeof(float));
    double best = 1e30;
    for (int rep = 0; rep < 9; rep++) {
        const double t0 = now_us();
        for (size_t q0 = 0; q0 < tiles; q0 += chunk) {
            const size_t m = tiles - q0 < chunk ? tiles - q0 : chunk;
            for (size_t e = 0; e < 16; e++)
                sdn_gemm_serial(k, SDN_NO_TRANS, SDN_NO_TRANS, m, F, C, 1.0f, u + e * chunk * C, C,
                                v + e * C * F, F, 0.0f, mo + e * chunk * F, F, NULL);
        }
        const double dt = now_us() - t0;
        best = dt < best ? dt : best;
    }
    free(u), free(v), free(mo);
    return best;
}

int main(void)
{
    if (sdn_dispatch_init())
        return 1;
    const size_t shapes[][4] = {
        {32, 32, 3, 32}, {32, 32, 32, 32}, {16, 16, 32, 64}, {16, 16, 64, 64}, {8, 8, 64, 128}};
    printf("%-14s %9s %9s %8s %7s %9s %7s %9s %7s %9s %9s %9s\n", "HxWxC:F", "im2col us", "fwd us",
           "im2col%", "GFLOP/s", "dX us", "GFLOP/s", "dW us", "GFLOP/s", "wino us", "W fwd us",
           "W dX us");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const sdn_layer l = conv_layer(shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3]);
        const size_t K = 9 * l.in_c, q = 32 * l.out_h * l.out_w;
        float *x = calloc(32 * l.n_in, sizeof(float)), *wt = calloc(K * l.filters, sizeof(float));
        float *cols = calloc(sdn_conv_tile(&l) * K, sizeof(float));
        float *z = calloc(q * l.filters, sizeof(float));
        const double a = time_half(&l, x, cols, wt, z, 0), g = time_half(&l, x, cols, wt, z, 1);
        const double dx = time_half(&l, x, cols, wt, z, 2), dw = time_half(&l, x, cols, wt, z, 3);
        const double flop = 2.0 * (double)q * l.filters * K * 1e-3;
        const double wino = time_winograd_gemms(&l);
        const double wf = time_winograd(&l, x, wt, z, 0), wd = time_winograd(&l, x, wt, z, 1);
        printf(
            "%2zux%2zux%-3zu:%-4zu %9.0f %9.0f %7.1f%% %7.1f %9.0f %7.1f %9.0f %7.1f %9.0f %9.0f "
            "%9.0f\n",
            l.in_h, l.in_w, l.in_c, l.filters, a, g, 100.0 * a / (a + g), flop / g, dx, flop / dx,
            dw, flop / dw, wino, wf, wd);
        free(x), free(wt), free(cols), free(z);
    }
    return 0;
}
