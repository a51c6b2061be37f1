/* The instrumented kernel table: a copy of the real one whose every pointer is a thin wrapper
 * that reads the counter, calls the real kernel, and records the call with its exact FLOPs and
 * bytes. Installed only while profiling or verbose, so the real table costs nothing otherwise. */
#include "prof.h"

static sdn_kernels real, wrapped;
/* each slot's kernels.def name, looked up once per wrap */
static struct {
    const char *act[SDN_ACT_COUNT], *act_grad[SDN_ACT_COUNT];
    const char *softmax, *softmax_xent, *colsum, *colsumsq_dev, *bn_forward, *bn_backward_reduce,
        *bn_backward_dx, *dropout, *dropout_grad, *sumsq, *scale, *sgd, *adam, *rmsprop,
        *bn_forward_relu, *bn_backward_reduce_relu, *maxpool, *maxpool_grad, *avgpool,
        *avgpool_grad, *wino_input, *wino_filter, *wino_output, *wino_output_grad,
        *wino_filter_grad;
} name;

#define F4 4.0 /* bytes per float */
/* FLOPs of the regularized gradient g + l2·w + l1·sign(w) (kernels.h), per element */
static double reg_flops(const sdn_optim_scalars *s)
{
    return (s->l2 != 0.0f ? 2.0 : 0.0) + (s->l1 != 0.0f ? 2.0 : 0.0);
}

#define TIMED(kind, field, m, n, k, flops, bytes, call)                                            \
    do {                                                                                           \
        if (!sdn_prof_flags) {                                                                     \
            call;                                                                                  \
            return;                                                                                \
        }                                                                                          \
        const uint64_t t0_ = sdn_prof_kernel_begin();                                              \
        call;                                                                                      \
        sdn_prof_kernel_done(kind, name.field, real.isa, t0_, (uint32_t)(m), (uint32_t)(n),        \
                             (uint32_t)(k), flops, bytes);                                         \
    } while (0)

/* ---- activations: one wrapper pair per activation, the slot fixed at compile time ---- */
#define WRAP_ACT(ACT)                                                                              \
    static void act_##ACT(size_t n, const float *x, float *y, float alpha)                         \
    {                                                                                              \
        TIMED(SDN_KK_ACT, act[SDN_ACT_##ACT], 0, n, 0, sdn_act_flops(SDN_ACT_##ACT, 0) * n,        \
              2 * F4 * n, real.act[SDN_ACT_##ACT](n, x, y, alpha));                                \
    }                                                                                              \
    static void act_grad_##ACT(size_t n, const float *x, const float *y, const float *dy,          \
                               float *dx, float alpha)                                             \
    {                                                                                              \
        TIMED(SDN_KK_ACT_GRAD, act_grad[SDN_ACT_##ACT], 0, n, 0,                                   \
              sdn_act_flops(SDN_ACT_##ACT, 1) * n, 3 * F4 * n,                                     \
              real.act_grad[SDN_ACT_##ACT](n, x, y, dy, dx, alpha));                               \
    }
#define SDN_EACH_ACT(X) X(ELU) X(SELU) X(RELU) X(LEAKY_RELU) X(TANH) X(SIGMOID)
SDN_EACH_ACT(WRAP_ACT)

static void softmax(size_t rows, size_t cols, const float *x, float *y)
{
    TIMED(SDN_KK_SOFTMAX, softmax, rows, cols, 0, 5.0 * rows * cols, 2 * F4 * rows * cols,
          real.softmax(rows, cols, x, y));
}

static void softmax_xent(size_t rows, size_t cols, const float *logits, const int32_t *labels,
                         float grad_scale, float *probs, float *dlogits, float *row_loss)
{
    /* softmax (5 per element), per row log and lse − x (2), per element (q − onehot)·scale (2) */
    const double rc = (double)rows * cols;
    TIMED(SDN_KK_SOFTMAX_XENT, softmax_xent, rows, cols, 0, 7.0 * rc + 2.0 * rows,
          F4 * (rc + rows + (probs ? rc : 0) + rc + (row_loss ? rows : 0)),
          real.softmax_xent(rows, cols, logits, labels, grad_scale, probs, dlogits, row_loss));
}

static void colsum(size_t rows, size_t cols, const float *x, float *sum)
{
    TIMED(SDN_KK_COLSUM, colsum, rows, cols, 0, (double)rows * cols, F4 * (rows * cols + 2 * cols),
          real.colsum(rows, cols, x, sum));
}

static void colsumsq_dev(size_t rows, size_t cols, const float *x, const float *mean, float *sumsq)
{
    TIMED(SDN_KK_COLSUMSQ_DEV, colsumsq_dev, rows, cols, 0, 3.0 * rows * cols,
          F4 * (rows * cols + 3 * cols), real.colsumsq_dev(rows, cols, x, mean, sumsq));
}

static void bn_forward(size_t rows, size_t cols, const float *x, const float *mean,
                       const float *inv_std, const float *gamma, const float *beta, float *xhat,
                       float *y)
{
    const double rc = (double)rows * cols;
    TIMED(SDN_KK_BN_FORWARD, bn_forward, rows, cols, 0, 4.0 * rc,
          F4 * (rc * (xhat ? 3 : 2) + 4.0 * cols),
          real.bn_forward(rows, cols, x, mean, inv_std, gamma, beta, xhat, y));
}

static void bn_backward_reduce(size_t rows, size_t cols, const float *dy, const float *xhat,
                               float *sum_dy, float *sum_dy_xhat)
{
    TIMED(SDN_KK_BN_BACKWARD_REDUCE, bn_backward_reduce, rows, cols, 0, 3.0 * rows * cols,
          F4 * (2.0 * rows * cols + 4.0 * cols),
          real.bn_backward_reduce(rows, cols, dy, xhat, sum_dy, sum_dy_xhat));
}

static void bn_backward_dx(size_t rows, size_t cols, const float *dy, const float *xhat,
                           const float *gamma, const float *inv_std, const float *mean_dy,
                           const float *mean_dy_xhat, float *dx)
{
    TIMED(SDN_KK_BN_BACKWARD_DX, bn_backward_dx, rows, cols, 0, 5.0 * rows * cols,
          F4 * (3.0 * rows * cols + 4.0 * cols),
          real.bn_backward_dx(rows, cols, dy, xhat, gamma, inv_std, mean_dy, mean_dy_xhat, dx));
}

static void bn_forward_relu(size_t rows, size_t cols, const float *x, const float *mean,
                            const float *inv_std, const float *gamma, const float *beta,
                            float *xhat, float *y)
{
    const double rc = (double)rows * cols;
    TIMED(SDN_KK_BN_FORWARD_RELU, bn_forward_relu, rows, cols, 0, 5.0 * rc,
          F4 * (rc * (xhat ? 3 : 2) + 4.0 * cols),
          real.bn_forward_relu(rows, cols, x, mean, inv_std, gamma, beta, xhat, y));
}

static void bn_backward_reduce_relu(size_t rows, size_t cols, float *dy, const float *y,
                                    const float *xhat, float *sum_dy, float *sum_dy_xhat)
{
    /* the mask (1), then the reduction's 3; dy read and written, y and xhat read */
    TIMED(SDN_KK_BN_BACKWARD_REDUCE_RELU, bn_backward_reduce_relu, rows, cols, 0, 4.0 * rows * cols,
          F4 * (4.0 * rows * cols + 4.0 * cols),
          real.bn_backward_reduce_relu(rows, cols, dy, y, xhat, sum_dy, sum_dy_xhat));
}

/* Pooling: one window of n_win pixels by c channels a call. */
static void maxpool(size_t n_win, size_t c, const float *const *x, float *y, float *arg)
{
    TIMED(SDN_KK_MAXPOOL, maxpool, n_win, c, 0, (double)n_win * c, F4 * ((double)n_win * c + 2 * c),
          real.maxpool(n_win, c, x, y, arg));
}

static void maxpool_grad(size_t n_win, size_t c, const float *arg, const float *dy,
                         float *const *dx)
{
    /* a compare and an add per element of every window pixel; dx read and written */
    TIMED(SDN_KK_MAXPOOL_GRAD, maxpool_grad, n_win, c, 0, 2.0 * n_win * c,
          F4 * (2.0 * c + 2.0 * n_win * c), real.maxpool_grad(n_win, c, arg, dy, dx));
}

static void avgpool(size_t n_win, size_t c, const float *const *x, float scale, float *y)
{
    TIMED(SDN_KK_AVGPOOL, avgpool, n_win, c, 0, (double)n_win * c, F4 * ((double)n_win * c + c),
          real.avgpool(n_win, c, x, scale, y));
}

static void avgpool_grad(size_t n_win, size_t c, const float *dy, float scale, float *const *dx)
{
    TIMED(SDN_KK_AVGPOOL_GRAD, avgpool_grad, n_win, c, 0, (double)c + (double)n_win * c,
          F4 * (c + 2.0 * n_win * c), real.avgpool_grad(n_win, c, dy, scale, dx));
}

/* Winograd F(2×2, 3×3) transforms: one 4×4 tile (or one 3×3 kernel) by c channels (n filters)
 * a call; the FLOPs are the kernels' own adds, subtracts and halvings per channel. */
static void wino_input(size_t c, const float *const *d, float *v, size_t v_stride)
{
    TIMED(SDN_KK_WINO_INPUT, wino_input, 16, c, 0, 32.0 * c, F4 * 32.0 * c,
          real.wino_input(c, d, v, v_stride));
}

static void wino_filter(size_t n, const float *g, size_t g_stride, float *u, size_t u_stride)
{
    TIMED(SDN_KK_WINO_FILTER, wino_filter, 9, n, 0, 42.0 * n, F4 * 25.0 * n,
          real.wino_filter(n, g, g_stride, u, u_stride));
}

static void wino_output(size_t c, const float *m, size_t m_stride, const float *bias,
                        float *const *y)
{
    const double outs = (y[0] != NULL) + (y[1] != NULL) + (y[2] != NULL) + (y[3] != NULL);
    TIMED(SDN_KK_WINO_OUTPUT, wino_output, 16, c, 0, (bias ? 28.0 : 24.0) * c,
          F4 * (16.0 + outs + (bias ? 1.0 : 0.0)) * c, real.wino_output(c, m, m_stride, bias, y));
}

static void wino_output_grad(size_t c, const float *const *dy, float *dm, size_t dm_stride)
{
    TIMED(SDN_KK_WINO_OUTPUT_GRAD, wino_output_grad, 4, c, 0, 18.0 * c, F4 * 20.0 * c,
          real.wino_output_grad(c, dy, dm, dm_stride));
}

static void wino_filter_grad(size_t n, const float *du, size_t du_stride, float *dg,
                             size_t dg_stride)
{
    TIMED(SDN_KK_WINO_FILTER_GRAD, wino_filter_grad, 16, n, 0, 42.0 * n, F4 * 25.0 * n,
          real.wino_filter_grad(n, du, du_stride, dg, dg_stride));
}

static void dropout(size_t n, const float *x, const uint8_t *keep, float a, float b, float c,
                    float *y)
{
    TIMED(SDN_KK_DROPOUT, dropout, 0, n, 0, 2.0 * n, (2 * F4 + 1) * n,
          real.dropout(n, x, keep, a, b, c, y));
}

static void dropout_grad(size_t n, const float *dy, const uint8_t *keep, float a, float *dx)
{
    TIMED(SDN_KK_DROPOUT_GRAD, dropout_grad, 0, n, 0, 1.0 * n, (2 * F4 + 1) * n,
          real.dropout_grad(n, dy, keep, a, dx));
}

/* written out: TIMED returns from void functions, and sumsq has a value */
static double sumsq(size_t n, const float *x)
{
    if (!sdn_prof_flags)
        return real.sumsq(n, x);
    const uint64_t t0 = sdn_prof_kernel_begin();
    const double r = real.sumsq(n, x);
    sdn_prof_kernel_done(SDN_KK_SUMSQ, name.sumsq, real.isa, t0, 0, (uint32_t)n, 0, 2.0 * n,
                         F4 * n);
    return r;
}

static void scale(size_t n, float *x, float s)
{
    TIMED(SDN_KK_SCALE, scale, 0, n, 0, 1.0 * n, 2 * F4 * n, real.scale(n, x, s));
}

static void sgd(size_t n, float *w, const float *grad, float *v, const sdn_optim_scalars *s)
{
    /* no momentum: w −= lr·g (2); momentum: v = μv + g (2), then lr·v and w − (2), Nesterov
     * adds g + μ·v (2) */
    const double per = reg_flops(s) + (s->momentum == 0.0f ? 2.0 : s->nesterov ? 6.0 : 4.0);
    TIMED(SDN_KK_SGD, sgd, 0, n, 0, per * n, F4 * n * (s->momentum == 0.0f ? 3 : 5),
          real.sgd(n, w, grad, v, s));
}

static void adam(size_t n, float *w, const float *grad, float *m, float *v,
                 const sdn_optim_scalars *s)
{
    /* m (3), v (4), c_m·m + c_g·g (3), sqrt(c_v·v) + eps (3), lr·…/… and w − (3) */
    TIMED(SDN_KK_ADAM, adam, 0, n, 0, (reg_flops(s) + 16.0) * n, 7 * F4 * n,
          real.adam(n, w, grad, m, v, s));
}

static void rmsprop(size_t n, float *w, const float *grad, float *v, const sdn_optim_scalars *s)
{
    /* v (4), sqrt(v) + eps (2), lr·g / … (2), w − (1) */
    TIMED(SDN_KK_RMSPROP, rmsprop, 0, n, 0, (reg_flops(s) + 9.0) * n, 5 * F4 * n,
          real.rmsprop(n, w, grad, v, s));
}

const sdn_kernels *sdn_prof_wrap(const sdn_kernels *r)
{
    if (!r)
        return NULL;
    real = *r;
    wrapped = *r; /* the GEMM microkernel stays: the driver records whole products (gemm.c) */
#define SET_ACT(ACT)                                                                               \
    wrapped.act[SDN_ACT_##ACT] = real.act[SDN_ACT_##ACT] ? act_##ACT : NULL;                       \
    wrapped.act_grad[SDN_ACT_##ACT] = real.act_grad[SDN_ACT_##ACT] ? act_grad_##ACT : NULL;        \
    name.act[SDN_ACT_##ACT] = sdn_kernel_fn_name((const void *)real.act[SDN_ACT_##ACT]);           \
    name.act_grad[SDN_ACT_##ACT] = sdn_kernel_fn_name((const void *)real.act_grad[SDN_ACT_##ACT]);
    SDN_EACH_ACT(SET_ACT)
#define SET(field)                                                                                 \
    wrapped.field = real.field ? field : NULL;                                                     \
    name.field = sdn_kernel_fn_name((const void *)real.field)
    SET(softmax);
    SET(softmax_xent);
    SET(colsum);
    SET(colsumsq_dev);
    SET(bn_forward);
    SET(bn_backward_reduce);
    SET(bn_backward_dx);
    SET(dropout);
    SET(dropout_grad);
    SET(sumsq);
    SET(scale);
    SET(sgd);
    SET(adam);
    SET(rmsprop);
    SET(bn_forward_relu);
    SET(bn_backward_reduce_relu);
    SET(maxpool);
    SET(maxpool_grad);
    SET(avgpool);
    SET(avgpool_grad);
    SET(wino_input);
    SET(wino_filter);
    SET(wino_output);
    SET(wino_output_grad);
    SET(wino_filter_grad);
#undef SET
    return &wrapped;
}
