/* What the profiler counts: kernel kinds' names, kernel functions' names from kernels.def (found
 * by pointer, so an ISA that inherits a kernel shows the ISA that wrote it), and the FLOP and byte
 * definitions. A FLOP is one operation of the reference formula: + − × ÷, sqrt, exp/expm1/log/tanh
 * and a compare-select each count one; bytes are the least traffic: each input read once, each
 * output written once. */
#include <stdint.h>

#include "prof.h"

static const char *const kind_names[SDN_KK_COUNT] = {"gemm",
                                                     "act",
                                                     "act_grad",
                                                     "softmax",
                                                     "softmax_xent",
                                                     "colsum",
                                                     "colsumsq_dev",
                                                     "bn_forward",
                                                     "bn_backward_reduce",
                                                     "bn_backward_dx",
                                                     "dropout",
                                                     "dropout_grad",
                                                     "sumsq",
                                                     "scale",
                                                     "sgd",
                                                     "adam",
                                                     "rmsprop",
                                                     "bn_forward_relu",
                                                     "bn_backward_reduce_relu",
                                                     "maxpool",
                                                     "maxpool_grad",
                                                     "avgpool",
                                                     "avgpool_grad",
                                                     "wino_input",
                                                     "wino_filter",
                                                     "wino_output",
                                                     "wino_output_grad",
                                                     "wino_filter_grad"};

const char *sdn_kernel_kind_name(sdn_kernel_kind kind)
{
    return (unsigned)kind < SDN_KK_COUNT ? kind_names[kind] : "?";
}

/* ---- names by function pointer: an open-addressed hash built once from the single list ---- */

typedef struct named_fn {
    const void *fn;
    const char *name;
} named_fn;

static const named_fn every_fn[] = {
#define SDN_GEMM(isa, fn, pack_bt, mr, nr)                                                         \
    {(const void *)fn, #fn}, {(const void *)pack_bt, #pack_bt},
#define SDN_KERNEL(isa, field, type, fn) {(const void *)fn, #fn},
#include "kernels.def"
#undef SDN_GEMM
#undef SDN_KERNEL
};
#define N_FN (sizeof every_fn / sizeof every_fn[0])
#define SLOTS 1024 /* a power of two, well above 2 × N_FN */

static const named_fn *slots[SLOTS];
static sdn_once slots_once = SDN_ONCE_INIT;

static size_t slot_of(const void *fn)
{
    return ((uintptr_t)fn >> 4) * 0x9E3779B97F4A7C15u >> 54;
}

static void build_slots(void)
{
    for (size_t i = 0; i < N_FN; i++) {
        size_t s = slot_of(every_fn[i].fn) & (SLOTS - 1);
        while (slots[s] && slots[s]->fn != every_fn[i].fn)
            s = (s + 1) & (SLOTS - 1);
        slots[s] = &every_fn[i];
    }
}

const char *sdn_kernel_fn_name(const void *fn)
{
    sdn_call_once(&slots_once, build_slots);
    for (size_t s = slot_of(fn) & (SLOTS - 1); slots[s]; s = (s + 1) & (SLOTS - 1))
        if (slots[s]->fn == fn)
            return slots[s]->name;
    return "?";
}

/* ---- FLOPs and bytes ---- */

double sdn_act_flops(sdn_activation act, int grad)
{
    switch (act) {
    case SDN_ACT_ELU:
        return grad ? 4 : 3; /* x>0 ? x : α·expm1(x);  dy·α·exp(x) */
    case SDN_ACT_SELU:
        return 4; /* λ·x or λα·expm1(x);  dy·λα·exp(x) */
    case SDN_ACT_RELU:
        return 1; /* max;  select */
    case SDN_ACT_LEAKY_RELU:
        return 2; /* x>0 ? x : α·x */
    case SDN_ACT_TANH:
        return grad ? 7 : 1; /* tanh;  dy·4e/(1+e)², e = exp(−2|x|) */
    case SDN_ACT_SIGMOID:
        return grad ? 5 : 4; /* e = exp(−|x|), 1/(1+e);  dy·e/(1+e)² */
    default:
        return 0;
    }
}

/* C = α·op(A)·op(B) + β·C + bias: 2mnk, and one per output for α ≠ 1, β (two unless β = 1) and
 * the bias. */
double sdn_gemm_flops(size_t m, size_t n, size_t k, float alpha, float beta, int bias)
{
    const double mn = (double)m * (double)n;
    return 2.0 * mn * (double)k + (alpha != 1.0f ? mn : 0.0) +
           (beta != 0.0f ? (beta == 1.0f ? mn : 2.0 * mn) : 0.0) + (bias ? mn : 0.0);
}

double sdn_gemm_bytes(size_t m, size_t n, size_t k, float beta, int bias)
{
    const double mn = (double)m * (double)n;
    return 4.0 * ((double)m * k + (double)k * n + mn + (beta != 0.0f ? mn : 0.0) +
                  (bias ? (double)n : 0.0));
}

const char *sdn_counter_name(int counter)
{
    static const char *const names[SDN_CTR_COUNT] = {"task-clock", "context switches", "migrations",
                                                     "cycles",     "instructions",     "L1d misses",
                                                     "LLC misses"};
    return counter >= 0 && counter < SDN_CTR_COUNT ? names[counter] : "?";
}
