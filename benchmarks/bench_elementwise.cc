// Elementwise kernels per ISA next to the reference and a plain libm loop, at the workload's sizes:
// activations and batch norm on batch 32..512 × 100 features, the softmax cross-entropy on
// batch × 10 classes, optimizer steps over 500k parameters next to a memcpy of the same traffic.
// Counters: elem/ns (elements per nanosecond) and bytes_per_second (memory traffic).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"

namespace
{

constexpr size_t kFeatures = 100, kClasses = 10, kParams = 500000;
const int kBatches[] = {32, 128, 512};

struct buf {
    float *p;
    explicit buf(size_t n, float lo = -4, float hi = 4, unsigned seed = 1)
    {
        p = static_cast<float *>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64 + 1) * 64));
        unsigned s = seed * 2654435761u + 1;
        for (size_t i = 0; i < n; i++) {
            s = s * 1664525u + 1013904223u;
            p[i] = lo + (hi - lo) * static_cast<float>(s >> 8) / 16777216.0f;
        }
    }
    ~buf() { std::free(p); }
    buf(const buf &) = delete;
    buf &operator=(const buf &) = delete;
};

void set_counters(benchmark::State &st, size_t elems, size_t bytes_per_iter)
{
    st.counters["elem/ns"] = benchmark::Counter(static_cast<double>(elems) * st.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
    st.SetBytesProcessed(static_cast<int64_t>(bytes_per_iter) * st.iterations());
}

const char *const act_names[SDN_ACT_COUNT] = {nullptr,      "elu",  "selu",    "relu",
                                              "leaky_relu", "tanh", "sigmoid", nullptr};

// The plain libm loops: what a straightforward C implementation would write.
void libm_act(sdn_activation a, size_t n, const float *x, float *y)
{
    switch (a) {
    case SDN_ACT_ELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0 ? x[i] : expm1f(x[i]);
        break;
    case SDN_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            y[i] =
                (float)SDN_SELU_LAMBDA * (x[i] > 0 ? x[i] : (float)SDN_SELU_ALPHA * expm1f(x[i]));
        break;
    case SDN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = fmaxf(x[i], 0.0f);
        break;
    case SDN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] > 0 ? x[i] : 0.3f * x[i];
        break;
    case SDN_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            y[i] = tanhf(x[i]);
        break;
    case SDN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    default:
        break;
    }
}

// The usual gradients from y (1 − y², y(1 − y), y + α): no libm call, but they lose the relative
// accuracy simdnn's kernels keep by reading x (near saturation, and ELU as y → −α).
void libm_act_grad(sdn_activation a, size_t n, const float *x, const float *y, const float *dy,
                   float *dx)
{
    switch (a) {
    case SDN_ACT_ELU:
        for (size_t i = 0; i < n; i++)
            dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + 1.0f);
        break;
    case SDN_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            dx[i] = x[i] > 0 ? (float)SDN_SELU_LAMBDA * dy[i]
                             : dy[i] * (y[i] + (float)(SDN_SELU_LAMBDA * SDN_SELU_ALPHA));
        break;
    case SDN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            dx[i] = x[i] > 0 ? dy[i] : 0.0f;
        break;
    case SDN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            dx[i] = x[i] > 0 ? dy[i] : 0.3f * dy[i];
        break;
    case SDN_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case SDN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            dx[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    default:
        break;
    }
}

void bm_act(benchmark::State &st, const sdn_kernels *k, sdn_activation a, bool grad)
{
    size_t n = static_cast<size_t>(st.range(0));
    buf x(n), y(n), dy(n, -1, 1, 2), dx(n);
    float alpha = a == SDN_ACT_LEAKY_RELU ? 0.3f : 1.0f;
    if (k)
        k->act[a](n, x.p, y.p, alpha);
    else
        libm_act(a, n, x.p, y.p);
    for (auto _ : st) {
        if (!grad && k)
            k->act[a](n, x.p, y.p, alpha);
        else if (!grad)
            libm_act(a, n, x.p, y.p);
        else if (k)
            k->act_grad[a](n, x.p, y.p, dy.p, dx.p, alpha);
        else
            libm_act_grad(a, n, x.p, y.p, dy.p, dx.p);
        benchmark::ClobberMemory();
    }
    set_counters(st, n, n * sizeof(float) * (grad ? 4 : 2));
}

void bm_softmax_xent(benchmark::State &st, const sdn_kernels *k)
{
    size_t rows = static_cast<size_t>(st.range(0)), n = rows * kClasses;
    buf x(n, -5, 5), p(n), d(n), loss(rows);
    std::vector<int32_t> labels(rows);
    for (size_t r = 0; r < rows; r++)
        labels[r] = static_cast<int32_t>(r % kClasses);
    for (auto _ : st) {
        k->softmax_xent(rows, kClasses, x.p, labels.data(), 1.0f / rows, p.p, d.p, loss.p);
        benchmark::ClobberMemory();
    }
    set_counters(st, n, n * sizeof(float) * 3);
}

void bm_softmax(benchmark::State &st, const sdn_kernels *k)
{
    size_t rows = static_cast<size_t>(st.range(0)), n = rows * kClasses;
    buf x(n, -5, 5), y(n);
    for (auto _ : st) {
        k->softmax(rows, kClasses, x.p, y.p);
        benchmark::ClobberMemory();
    }
    set_counters(st, n, n * sizeof(float) * 2);
}

enum bn_kind { BN_COLSUM, BN_COLSUMSQ, BN_FORWARD, BN_REDUCE, BN_DX };
const char *const bn_names[] = {"colsum", "colsumsq_dev", "bn_forward", "bn_backward_reduce",
                                "bn_backward_dx"};

void bm_bn(benchmark::State &st, const sdn_kernels *k, bn_kind kind)
{
    size_t rows = static_cast<size_t>(st.range(0)), c = kFeatures, n = rows * c;
    buf x(n), xh(n), y(n), p(6 * c, 0.5f, 1.5f), s1(c), s2(c);
    size_t arrays = 1;
    for (auto _ : st) {
        switch (kind) {
        case BN_COLSUM:
            k->colsum(rows, c, x.p, s1.p);
            arrays = 1;
            break;
        case BN_COLSUMSQ:
            k->colsumsq_dev(rows, c, x.p, p.p, s1.p);
            arrays = 1;
            break;
        case BN_FORWARD:
            k->bn_forward(rows, c, x.p, p.p, p.p + c, p.p + 2 * c, p.p + 3 * c, xh.p, y.p);
            arrays = 3;
            break;
        case BN_REDUCE:
            k->bn_backward_reduce(rows, c, x.p, xh.p, s1.p, s2.p);
            arrays = 2;
            break;
        case BN_DX:
            k->bn_backward_dx(rows, c, x.p, xh.p, p.p, p.p + c, p.p + 2 * c, p.p + 3 * c, y.p);
            arrays = 3;
            break;
        }
        benchmark::ClobberMemory();
    }
    set_counters(st, n, n * sizeof(float) * arrays);
}

void bm_dropout(benchmark::State &st, const sdn_kernels *k, bool grad)
{
    size_t n = static_cast<size_t>(st.range(0)) * kFeatures;
    buf x(n), y(n);
    std::vector<uint8_t> keep(n);
    for (size_t i = 0; i < n; i++)
        keep[i] = (i * 2654435761u >> 9) % 10 < 7;
    for (auto _ : st) {
        if (grad)
            k->dropout_grad(n, x.p, keep.data(), 1 / 0.7f, y.p);
        else
            k->dropout(n, x.p, keep.data(), 1 / 0.7f, 0.1f, -1.7f, y.p);
        benchmark::ClobberMemory();
    }
    set_counters(st, n, n * (2 * sizeof(float) + 1));
}

void bm_sumsq(benchmark::State &st, const sdn_kernels *k)
{
    size_t n = static_cast<size_t>(st.range(0));
    buf x(n);
    for (auto _ : st)
        benchmark::DoNotOptimize(k->sumsq(n, x.p));
    set_counters(st, n, n * sizeof(float));
}

void bm_scale(benchmark::State &st, const sdn_kernels *k)
{
    size_t n = static_cast<size_t>(st.range(0));
    buf x(n);
    for (auto _ : st) {
        k->scale(n, x.p, 1.0000001f);
        benchmark::ClobberMemory();
    }
    set_counters(st, n, 2 * n * sizeof(float));
}

enum opt_kind { OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_ADAM, OPT_RMSPROP };
const char *const opt_names[] = {"sgd", "sgd_momentum", "sgd_nesterov", "adam", "rmsprop"};
// Arrays read + written per parameter: memcpy moves the same traffic (half read, half written).
const int opt_traffic[] = {3, 5, 5, 7, 5};

void bm_optim(benchmark::State &st, const sdn_kernels *k, opt_kind o)
{
    size_t n = static_cast<size_t>(st.range(0));
    buf w(n, -1, 1), g(n, -1, 1, 2), m(n, 0, 0), v(n, 0, 0);
    sdn_optim_scalars s{};
    s.lr = 1e-3f, s.momentum = o == OPT_SGD ? 0 : 0.9f, s.nesterov = o == OPT_NESTEROV;
    s.beta1 = 0.9f, s.beta2 = 0.999f, s.c_m = 1, s.c_g = 0.1f, s.c_v = 1, s.rho = 0.9f;
    s.eps = 1e-7f;
    for (auto _ : st) {
        switch (o) {
        case OPT_ADAM:
            k->adam(n, w.p, g.p, m.p, v.p, &s);
            break;
        case OPT_RMSPROP:
            k->rmsprop(n, w.p, g.p, v.p, &s);
            break;
        default:
            k->sgd(n, w.p, g.p, v.p, &s);
            break;
        }
        benchmark::ClobberMemory();
    }
    set_counters(st, n, n * sizeof(float) * opt_traffic[o]);
}

void bm_memcpy(benchmark::State &st, int traffic_arrays)
{
    size_t n = static_cast<size_t>(st.range(0)), bytes = n * sizeof(float) * traffic_arrays / 2;
    buf src(bytes / sizeof(float) + 1), dst(bytes / sizeof(float) + 1);
    for (auto _ : st) {
        std::memcpy(dst.p, src.p, bytes);
        benchmark::ClobberMemory();
    }
    set_counters(st, n, 2 * bytes);
}

int register_all()
{
    std::vector<std::pair<std::string, const sdn_kernels *>> impls;
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (const sdn_kernels *k = sdn_kernels_for(static_cast<sdn_isa>(i)))
            impls.push_back({std::string("simdnn:") + sdn_isa_name(static_cast<sdn_isa>(i)), k});
    for (int a = 0; a < SDN_ACT_COUNT; a++) {
        if (!act_names[a])
            continue;
        for (int grad = 0; grad < 2; grad++) {
            std::string base = std::string(grad ? "act_grad/" : "act/") + act_names[a] + "/";
            auto reg = [&](const std::string &impl, const sdn_kernels *k) {
                auto *b =
                    benchmark::RegisterBenchmark((base + impl).c_str(), [=](benchmark::State &st) {
                        bm_act(st, k, static_cast<sdn_activation>(a), grad);
                    });
                // n = batch × 100 features, named by element count.
                b->ArgName("n");
                for (int bt : kBatches)
                    b->Arg(bt * static_cast<int>(kFeatures));
            };
            for (auto &[impl, k] : impls)
                reg(impl, k);
            reg("libm", nullptr);
        }
    }
    for (auto &[impl, k] : impls) {
        const sdn_kernels *kk = k;
        auto batch_bench = [&](const std::string &name, auto fn) {
            auto *b = benchmark::RegisterBenchmark((name + "/" + impl).c_str(), fn);
            b->ArgName("batch");
            for (int bt : kBatches)
                b->Arg(bt);
        };
        batch_bench("softmax_xent", [=](benchmark::State &st) { bm_softmax_xent(st, kk); });
        batch_bench("softmax", [=](benchmark::State &st) { bm_softmax(st, kk); });
        for (int b = BN_COLSUM; b <= BN_DX; b++)
            batch_bench(std::string("bn/") + bn_names[b],
                        [=](benchmark::State &st) { bm_bn(st, kk, static_cast<bn_kind>(b)); });
        batch_bench("dropout", [=](benchmark::State &st) { bm_dropout(st, kk, false); });
        batch_bench("dropout_grad", [=](benchmark::State &st) { bm_dropout(st, kk, true); });
        benchmark::RegisterBenchmark(("sumsq/" + impl).c_str(),
                                     [=](benchmark::State &st) { bm_sumsq(st, kk); })
            ->ArgName("n")
            ->Arg(kParams);
        benchmark::RegisterBenchmark(("scale/" + impl).c_str(),
                                     [=](benchmark::State &st) { bm_scale(st, kk); })
            ->ArgName("n")
            ->Arg(kParams);
        for (int o = OPT_SGD; o <= OPT_RMSPROP; o++)
            benchmark::RegisterBenchmark(
                (std::string("optim/") + opt_names[o] + "/" + impl).c_str(),
                [=](benchmark::State &st) { bm_optim(st, kk, static_cast<opt_kind>(o)); })
                ->ArgName("n")
                ->Arg(kParams);
    }
    for (int o = OPT_SGD; o <= OPT_RMSPROP; o++)
        benchmark::RegisterBenchmark((std::string("optim/") + opt_names[o] + "/memcpy").c_str(),
                                     [=](benchmark::State &st) { bm_memcpy(st, opt_traffic[o]); })
            ->ArgName("n")
            ->Arg(kParams);
    return 0;
}

const int registered = register_all();

} // namespace
