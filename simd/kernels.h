/* The kernel table: every kernel kind's function type, its exact contract, and the table that
 * dispatch fills once per ISA from kernels.def. Internal to simdnn (src/, simd/, tests/,
 * benchmarks/). */
#ifndef SDN_KERNELS_H
#define SDN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "simdnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- GEMM microkernel ----
 * C[m×n] (row stride ldc) = A·B + beta·C + bias over one MR×NR tile, with
 *   A element (i, p) at a[i·rsa + p·csa]   (a packed panel: rsa = 1, csa = MR;
 *                                           row-major A in place: rsa = lda, csa = 1;
 *                                           transposed A in place: rsa = 1, csa = lda)
 *   B element (p, j) at b[p·rsb + j]        (a packed panel: rsb = NR; B in place: rsb = ldb).
 * m ≤ MR, n ≤ NR; the kernel reads only the m rows of A and the n columns of B it computes
 * (edge tiles load under a mask), so the driver reads both in place up to their edges. Each C
 * element sees the same FMAs in the same order whatever the strides, so packed and in-place
 * operands give bitwise equal results. beta == 0: C is never read (it may hold NaN). bias:
 * NULL, or n floats added to every row. kc ≥ 1. */
typedef void sdn_f32_gemm_fn(size_t m, size_t n, size_t kc, const float *a, size_t rsa, size_t csa,
                             const float *b, size_t rsb, float *c, size_t ldc, float beta,
                             const float *bias);

/* Packs a transposed B (op(B) = Bᵀ: element (p, j) at b[j·ldb + p]), kc × nc, into the
 * microkernel's NR-column panels: element (p, j) to dst[(j / NR)·NR·kc + p·NR + j % NR]; the
 * columns of the last panel past nc are left as they were (the kernels read only the n columns
 * they compute). The gather of a layer's backward dX = dZ·Wᵀ: each ISA transposes V×V blocks
 * in registers (V its vector width). */
typedef void sdn_f32_gemm_pack_fn(size_t kc, size_t nc, const float *b, size_t ldb, float *dst);

/* The column tile (where an ISA has one): C[m×n] = A·B + beta·C + bias over up to 16 rows and
 * 16 columns, or 32 rows and 8 columns, with A's rows contiguous (element (i, p) at
 * a[i + p·csa], as sdn_f32_gemm_pack_fn writes them or as a transposed A is stored; rows past
 * m are never read) and B element (p, j) at b[p·rsb + j·csb], any strides (B is only
 * broadcast). Same beta, bias and bits as sdn_f32_gemm_fn. For short products with a
 * transposed B (dX = dZ·Wᵀ) and the narrow last panel of a product (100 = 3·32 + 4). */
typedef void sdn_f32_gemm_cols_fn(size_t m, size_t n, size_t kc, const float *a, size_t csa,
                                  const float *b, size_t rsb, size_t csb, float *c, size_t ldc,
                                  float beta, const float *bias);

/* The register tile widened by the narrow last panel (where an ISA has it): NR < n ≤ NR + 4
 * columns, the first NR as sdn_f32_gemm_fn reads them from b, the other n − NR from b4 (same row
 * stride rsb; a packed B's next panel, or b + NR in place): the last 4 columns of a product 100
 * wide (3·32 + 4, 6·16 + 4) at full lanes, with no transpose of A. m ≤ MR, and the same strides,
 * beta, bias and bits as sdn_f32_gemm_fn. */
typedef void sdn_f32_gemm_wide_fn(size_t m, size_t n, size_t kc, const float *a, size_t rsa,
                                  size_t csa, const float *b, const float *b4, size_t rsb, float *c,
                                  size_t ldc, float beta, const float *bias);

/* ---- activations ----
 * y[i] = f(x[i]); y == x allowed. alpha: ELU alpha, leaky-ReLU slope; ignored by the others. */
typedef void sdn_f32_vact_fn(size_t n, const float *x, float *y, float alpha);
/* dx[i] = dy[i] · f'(x[i]), given the forward input x and output y = f(x) (each kernel reads
 * whichever is cheaper and exact). dx == dy allowed. */
typedef void sdn_f32_vact_grad_fn(size_t n, const float *x, const float *y, const float *dy,
                                  float *dx, float alpha);

/* ---- softmax ----
 * Row-wise stable softmax: y[r][j] = exp(x[r][j] − max_r) / Σ. Rows of `cols`, contiguous. */
typedef void sdn_f32_softmax_fn(size_t rows, size_t cols, const float *x, float *y);
/* Fused softmax + sparse categorical cross-entropy for `rows` rows of logits:
 *   probs = softmax(logits); row_loss[r] = −log(probs[r][label_r]) (computed as lse − x, finite);
 *   dlogits[r][j] = (probs[r][j] − [j == label_r]) · grad_scale   (grad_scale = 1/batch).
 * probs and dlogits may alias logits; row_loss may be NULL; labels are already validated. */
typedef void sdn_f32_softmax_xent_fn(size_t rows, size_t cols, const float *logits,
                                     const int32_t *labels, float grad_scale, float *probs,
                                     float *dlogits, float *row_loss);

/* ---- batch normalization pieces (x is rows × cols, contiguous) ----
 * Reductions ADD into their outputs, so the caller sums fixed row-chunks in a fixed order. */
/* sum[j] += Σ_r x[r][j] */
typedef void sdn_f32_colsum_fn(size_t rows, size_t cols, const float *x, float *sum);
/* sumsq[j] += Σ_r (x[r][j] − mean[j])² */
typedef void sdn_f32_colsumsq_dev_fn(size_t rows, size_t cols, const float *x, const float *mean,
                                     float *sumsq);
/* xhat = (x − mean)·inv_std; y = gamma·xhat + beta. xhat may be NULL (inference). y == x allowed.
 */
typedef void sdn_f32_bn_forward_fn(size_t rows, size_t cols, const float *x, const float *mean,
                                   const float *inv_std, const float *gamma, const float *beta,
                                   float *xhat, float *y);
/* sum_dy[j] += Σ_r dy[r][j];  sum_dy_xhat[j] += Σ_r dy[r][j]·xhat[r][j] */
typedef void sdn_f32_bn_backward_reduce_fn(size_t rows, size_t cols, const float *dy,
                                           const float *xhat, float *sum_dy, float *sum_dy_xhat);
/* dx = gamma·inv_std·(dy − mean_dy − xhat·mean_dy_xhat)  (means over the whole batch). dx == dy ok.
 */
typedef void sdn_f32_bn_backward_dx_fn(size_t rows, size_t cols, const float *dy, const float *xhat,
                                       const float *gamma, const float *inv_std,
                                       const float *mean_dy, const float *mean_dy_xhat, float *dx);

/* bn_forward then ReLU in one pass: y = relu(gamma·xhat + beta), the bits of bn_forward and vrelu.
 * xhat may be NULL (inference). */
typedef sdn_f32_bn_forward_fn sdn_f32_bn_forward_relu_fn;
/* dy ⊙= (y > 0) in place (the gradient through the ReLU after the batch norm, y its output), then
 * sum_dy[j] += Σ_r dy[r][j];  sum_dy_xhat[j] += Σ_r dy[r][j]·xhat[r][j] of the masked dy */
typedef void sdn_f32_bn_backward_reduce_relu_fn(size_t rows, size_t cols, float *dy, const float *y,
                                                const float *xhat, float *sum_dy,
                                                float *sum_dy_xhat);

/* ---- pooling over NHWC windows (MaxPool2D, AvgPool2D, GlobalAveragePooling2D) ----
 * A window is n_win ≥ 1 input pixels of c channels each, given by pointers (x[w] the pixel's
 * first channel), so padding is simply left out of the list. Every result is exact (max, compare)
 * or a fixed order of adds, so every ISA gives the reference's bits.
 * maxpool:  y[j] = the largest x[w][j] (the first w on ties; ordered comparisons, so a NaN at
 *           w > 0 is skipped), arg[j] = that w as a float.
 * maxpool_grad: dx[w][j] += (arg[j] == w) ? dy[j] : +0 for every w, in order of w. */
typedef void sdn_f32_maxpool_fn(size_t n_win, size_t c, const float *const *x, float *y,
                                float *arg);
typedef void sdn_f32_maxpool_grad_fn(size_t n_win, size_t c, const float *arg, const float *dy,
                                     float *const *dx);
/* avgpool: y[j] = (x[0][j] + x[1][j] + … in order of w) · scale; y may be x[0] (a running sum).
 * avgpool_grad: dx[w][j] += dy[j]·scale (one product, then the add). */
typedef void sdn_f32_avgpool_fn(size_t n_win, size_t c, const float *const *x, float scale,
                                float *y);
typedef void sdn_f32_avgpool_grad_fn(size_t n_win, size_t c, const float *dy, float scale,
                                     float *const *dx);

/* ---- Winograd F(2×2, 3×3) transforms (Conv2D's stride-1 3×3 layers), over NHWC channels ----
 * Adds, subtracts and products by 0.5 only, in one fixed order (no FMA), so every ISA gives the
 * reference's bits (simd/vec/f32-wino-*.inc).
 * wino_input:  v[(4i + j)·v_stride + ch] = (Bᵀ·d·B)[i][j] of a 4×4 tile whose cell (i, j) is the
 *              c floats at d[4i + j] (a zero row in the padding).
 * wino_filter: u[(4i + j)·u_stride + f] = (G·g·Gᵀ)[i][j] of a 3×3 kernel g[(3i + j)·g_stride + f],
 *              f < n.
 * wino_output: y[2i + j][ch] = (Aᵀ·m·A)[i][j] + bias[ch] of m[(4i + j)·m_stride + ch]; a NULL
 *              y[k] is skipped (outside the image), a NULL bias adds nothing.
 * The weight gradient's adjoints:
 * wino_output_grad: dm[(4i + j)·dm_stride + ch] = (A·dy·Aᵀ)[i][j] of a tile's 2×2 output gradient
 *              dy[2p + q] (a zero row outside the image); a negation is 0 − x.
 * wino_filter_grad: dg[(3i + j)·dg_stride + f] = (Gᵀ·du·G)[i][j] of du[(4i + j)·du_stride + f]. */
typedef void sdn_f32_wino_input_fn(size_t c, const float *const *d, float *v, size_t v_stride);
typedef void sdn_f32_wino_filter_fn(size_t n, const float *g, size_t g_stride, float *u,
                                    size_t u_stride);
typedef void sdn_f32_wino_output_fn(size_t c, const float *m, size_t m_stride, const float *bias,
                                    float *const *y);
typedef void sdn_f32_wino_output_grad_fn(size_t c, const float *const *dy, float *dm,
                                         size_t dm_stride);
typedef void sdn_f32_wino_filter_grad_fn(size_t n, const float *du, size_t du_stride, float *dg,
                                         size_t dg_stride);

/* ---- dropout (plain and alpha) ----
 * forward:  y[i] = keep[i] ? a·x[i] + b : c      (keep is 0/1 bytes)
 * backward: dx[i] = keep[i] ? a·dy[i] : 0
 * Dropout: a = 1/(1−rate), b = c = 0. AlphaDropout: c = a·(−λα) + b with Klambauer's a, b. */
typedef void sdn_f32_dropout_fn(size_t n, const float *x, const uint8_t *keep, float a, float b,
                                float c, float *y);
typedef void sdn_f32_dropout_grad_fn(size_t n, const float *dy, const uint8_t *keep, float a,
                                     float *dx);

/* ---- reductions for clipping and regularization ---- */
/* Σ x[i]² accumulated in double (gradient global norm). */
typedef double sdn_f32_sumsq_fn(size_t n, const float *x);
/* x[i] *= s */
typedef void sdn_f32_scale_fn(size_t n, float *x, float s);

/* ---- optimizer steps over flat buffers ----
 * Every step first forms the regularized gradient  g = grad[i] + l2·w[i] + l1·sign(w[i])
 * (l2 here is the gradient coefficient, i.e. 2× Keras' l2 factor; sign(0) = 0).
 * The per-step scalars are computed once by the caller (src/optim/). */
typedef struct sdn_optim_scalars {
    float lr;
    float l1, l2;
    float momentum;     /* SGD */
    int nesterov;       /* SGD */
    float beta1, beta2; /* Adam family */
    float c_m, c_g;     /* Adam family: step direction numerator = c_m·m + c_g·g */
    float c_v;          /* Adam family: v̂ = c_v·v */
    float rho;          /* RMSProp */
    float eps;
    int stream_w; /* another core reads w next: store it around this core's cache */
} sdn_optim_scalars;
/* SGD (PyTorch form): v = momentum·v + g;  w −= lr·(nesterov ? g + momentum·v : v).
 * momentum == 0: w −= lr·g and v is not touched (may be NULL). */
typedef void sdn_f32_sgd_fn(size_t n, float *w, const float *grad, float *v,
                            const sdn_optim_scalars *s);
/* Adam family: m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;
 *   w −= lr·(c_m·m + c_g·g) / (sqrt(c_v·v) + eps).
 * Adam: c_m = 1/(1−β1^t), c_g = 0, c_v = 1/(1−β2^t).
 * Nadam (Dozat; Keras, PyTorch NAdam): μ_t = β1·(1 − 0.5·0.96^(0.004·t)), Π_t = Π μ_1..μ_t,
 *   c_m = μ_{t+1}/(1 − Π_t·μ_{t+1}), c_g = (1 − μ_t)/(1 − Π_t), c_v = 1/(1−β2^t). */
typedef void sdn_f32_adam_fn(size_t n, float *w, const float *grad, float *m, float *v,
                             const sdn_optim_scalars *s);
/* RMSProp (Keras, no momentum): v = ρ·v + (1−ρ)·g²;  w −= lr·g / (sqrt(v) + eps). */
typedef void sdn_f32_rmsprop_fn(size_t n, float *w, const float *grad, float *v,
                                const sdn_optim_scalars *s);

/* ---- data ----
 * y[i] = x[i]·scale[i] + shift[i] with two roundings (no FMA): bytes to standardized inputs. */
typedef void sdn_f32_u8_affine_fn(size_t n, const uint8_t *x, const float *scale,
                                  const float *shift, float *y);

/* ---- the profiler's roof (simdnn profile calibrate) ----
 * `iters` rounds of independent multiply-add chains that fill every FMA pipe; returns the FLOPs
 * done. The result goes to sdn_peak_sink so no compiler can drop the loop. */
typedef double sdn_f32_fma_peak_fn(size_t iters);
extern volatile float sdn_peak_sink;

/* ---- the table ---- */
typedef struct sdn_gemm_kernel {
    sdn_f32_gemm_fn *fn;
    sdn_f32_gemm_pack_fn *pack_bt; /* packs transposed B into this tile's NR-column panels */
    unsigned mr, nr;               /* register tile */
} sdn_gemm_kernel;

typedef struct sdn_kernels {
    sdn_isa isa;
    sdn_gemm_kernel gemm;
    sdn_f32_gemm_cols_fn *gemm_cols16;   /* NULL where the ISA has no column tile */
    sdn_f32_gemm_wide_fn *gemm_wide;     /* NULL where the ISA has no widened tile */
    sdn_f32_vact_fn *act[SDN_ACT_COUNT]; /* LINEAR and SOFTMAX stay NULL */
    sdn_f32_vact_grad_fn *act_grad[SDN_ACT_COUNT];
    sdn_f32_softmax_fn *softmax;
    sdn_f32_softmax_xent_fn *softmax_xent;
    sdn_f32_colsum_fn *colsum;
    sdn_f32_colsumsq_dev_fn *colsumsq_dev;
    sdn_f32_bn_forward_fn *bn_forward;
    sdn_f32_bn_backward_reduce_fn *bn_backward_reduce;
    sdn_f32_bn_backward_dx_fn *bn_backward_dx;
    sdn_f32_bn_forward_relu_fn *bn_forward_relu;
    sdn_f32_bn_backward_reduce_relu_fn *bn_backward_reduce_relu;
    sdn_f32_maxpool_fn *maxpool;
    sdn_f32_maxpool_grad_fn *maxpool_grad;
    sdn_f32_avgpool_fn *avgpool;
    sdn_f32_avgpool_grad_fn *avgpool_grad;
    sdn_f32_wino_input_fn *wino_input;
    sdn_f32_wino_filter_fn *wino_filter;
    sdn_f32_wino_output_fn *wino_output;
    sdn_f32_wino_output_grad_fn *wino_output_grad;
    sdn_f32_wino_filter_grad_fn *wino_filter_grad;
    sdn_f32_dropout_fn *dropout;
    sdn_f32_dropout_grad_fn *dropout_grad;
    sdn_f32_sumsq_fn *sumsq;
    sdn_f32_scale_fn *scale;
    sdn_f32_sgd_fn *sgd;
    sdn_f32_adam_fn *adam;
    sdn_f32_rmsprop_fn *rmsprop;
    sdn_f32_u8_affine_fn *u8_affine;
    sdn_f32_fma_peak_fn *fma_peak; /* not a training kernel: the profiler's calibration */
} sdn_kernels;

/* Declarations of every kernel, from the single list. */
#define SDN_GEMM(isa, fn, pack_bt, mr, nr)                                                         \
    sdn_f32_gemm_fn fn;                                                                            \
    sdn_f32_gemm_pack_fn pack_bt;
#define SDN_KERNEL(isa, field, type, fn) type fn;
#include "kernels.def"
#undef SDN_GEMM
#undef SDN_KERNEL

/* Detects the CPU and selects the tables once (thread-safe). SDN_OK, or why SIMDNN_ISA cannot be
 * honoured: the message is sdn_kernels_select_error() (sdn_dispatch_init records it as the
 * library's last error). */
sdn_status sdn_kernels_select(void);
const char *sdn_kernels_select_error(void);
/* The table in use (never NULL after a successful selection). */
const sdn_kernels *sdn_kernels_active(void);
/* While the profiler runs (or SIMDNN_VERBOSE): the instrumented copy of the active table that
 * sdn_kernels_active returns instead; NULL otherwise (src/profile/). */
extern const sdn_kernels *sdn_prof_table;
/* The table for one ISA, or NULL when this CPU/OS/build cannot run it (tests, benchmarks). */
const sdn_kernels *sdn_kernels_for(sdn_isa isa);

/* The reference tile's store, and the rule every microkernel's store follows:
 * C[m×n] = tile[m×nr] + bias, then + beta·C (row stride nr). */
void sdn_gemm_store_tile(size_t m, size_t n, const float *tile, size_t nr, float *c, size_t ldc,
                         float beta, const float *bias);

#ifdef __cplusplus
}
#endif
#endif /* SDN_KERNELS_H */
