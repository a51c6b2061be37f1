/* The activation kernels as public functions, y = f(x) and dx = dy·f'(x), through the
 * dispatched table: what a layer runs, callable alone (labs time them per element). */
#include "error.h"
#include "kernels.h"
#include "simdnn.h"

static sdn_status check(sdn_activation act, size_t n, const void *a, const void *b)
{
    sdn_status st = sdn_dispatch_init();
    if (st)
        return st;
    if (act == SDN_ACT_SOFTMAX || (unsigned)act >= SDN_ACT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "activation: softmax and unknown kinds are not elementwise");
    if (n && (!a || !b))
        return sdn_fail(SDN_ERR_INVALID_ARG, "activation: NULL buffer");
    return SDN_OK;
}

/* Keras' defaults when alpha is 0: ELU 1, leaky ReLU 0.3. */
static float resolve(sdn_activation act, float alpha)
{
    if (alpha != 0.0f)
        return alpha;
    return act == SDN_ACT_ELU ? 1.0f : act == SDN_ACT_LEAKY_RELU ? 0.3f : 0.0f;
}

sdn_status sdn_activation_forward_n(sdn_activation act, float alpha, size_t n, const float *x,
                                    float *y)
{
    sdn_status st = check(act, n, x, y);
    if (st || !n)
        return st;
    const sdn_kernels *k = sdn_kernels_active();
    if (act == SDN_ACT_LINEAR) {
        for (size_t i = 0; i < n; i++)
            y[i] = x[i];
        return SDN_OK;
    }
    k->act[act](n, x, y, resolve(act, alpha));
    return SDN_OK;
}

sdn_status sdn_activation_backward_n(sdn_activation act, float alpha, size_t n, const float *x,
                                     const float *y, const float *dy, float *dx)
{
    sdn_status st = check(act, n, x, dx);
    if (st || !n)
        return st;
    if (!y || !dy)
        return sdn_fail(SDN_ERR_INVALID_ARG, "activation: NULL buffer");
    const sdn_kernels *k = sdn_kernels_active();
    if (act == SDN_ACT_LINEAR) {
        for (size_t i = 0; i < n; i++)
            dx[i] = dy[i];
        return SDN_OK;
    }
    k->act_grad[act](n, x, y, dy, dx, resolve(act, alpha));
    return SDN_OK;
}
