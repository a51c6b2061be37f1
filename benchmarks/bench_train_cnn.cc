// Training-step throughput of the CIFAR-10 CNN of `simdnn train --preset cnn` (32×32×3 →
// 2×[Conv 32 3×3 same, BN, ReLU] → MaxPool 2 → 2×[Conv 64] → MaxPool 2 → [Conv 128] → GAP →
// Dense 10 softmax, Adam) through the public C API, at batch 32 and 128 on 1 and 2 threads.
// Names: train_step/simdnn/cnn/batch:B/threads:T; counter samples_per_second, which
// compare_train.py --cnn sets beside PyTorch's twin (train_step_torch_cnn.py).
// The forward's halves (im2col against the GEMM) are timed by simdnn_conv_parts (conv_parts.c).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "simdnn.h"

namespace
{

void conv_bn_relu(sdn_model *m, size_t filters)
{
    sdn_conv2d_options c = sdn_conv2d_defaults(filters, 3);
    c.padding = SDN_PAD_SAME;
    c.use_bias = 0;
    c.kernel_init.kind = SDN_INIT_HE_NORMAL;
    sdn_model_add_conv2d(m, &c);
    sdn_model_add_batch_norm(m, 0.99f, 1e-3f);
    sdn_model_add_activation(m, SDN_ACT_RELU, 0.0f);
}

sdn_model *build(size_t batch)
{
    sdn_model *m = sdn_model_new(42);
    sdn_model_set_input_shape(m, 32, 32, 3);
    conv_bn_relu(m, 32);
    conv_bn_relu(m, 32);
    sdn_model_add_max_pool2d(m, 2, 0, SDN_PAD_VALID);
    conv_bn_relu(m, 64);
    conv_bn_relu(m, 64);
    sdn_model_add_max_pool2d(m, 2, 0, SDN_PAD_VALID);
    conv_bn_relu(m, 128);
    sdn_model_add_global_avg_pool2d(m);
    sdn_dense_options d = sdn_dense_defaults(10);
    d.activation = SDN_ACT_SOFTMAX;
    sdn_model_add_dense(m, &d);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    if (sdn_model_compile(m, 32 * 32 * 3, batch, &o) != SDN_OK) {
        std::fprintf(stderr, "compile: %s\n", sdn_last_error());
        sdn_model_free(m);
        return nullptr;
    }
    return m;
}

void train_step_cnn(benchmark::State &state, size_t batch, int threads)
{
    sdn_set_num_threads(threads);
    sdn_model *m = build(batch);
    if (!m) {
        state.SkipWithError("compile failed");
        return;
    }
    const size_t rows = 512, d = 32 * 32 * 3;
    std::vector<float> x(rows * d);
    std::vector<int32_t> y(rows);
    uint64_t s = 12345;
    for (auto &e : x) { // standardized-like pixels
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        e = (float)(s >> 40) / 8388608.0f - 1.0f;
    }
    for (size_t i = 0; i < rows; i++)
        y[i] = (int32_t)(i * 7 % 10);
    size_t off = 0;
    // wall clock, as bench_train.cc: the CPU time would count the main thread only
    auto t0 = std::chrono::steady_clock::now();
    for (auto _ : state) {
        float loss;
        if (sdn_model_train_batch(m, x.data() + off * d, y.data() + off, batch, &loss, nullptr)) {
            state.SkipWithError(sdn_last_error());
            break;
        }
        off = off + 2 * batch <= rows ? off + batch : 0;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.counters["samples_per_second"] = (double)state.iterations() * (double)batch / wall;
    sdn_model_free(m);
    sdn_set_num_threads(0);
}

int register_all()
{
    for (size_t batch : {32, 128})
        for (int threads : {1, 2}) {
            std::string name = "train_step/simdnn/cnn/batch:" + std::to_string(batch) +
                               "/threads:" + std::to_string(threads);
            benchmark::RegisterBenchmark(name.c_str(), train_step_cnn, batch, threads)
                ->Unit(benchmark::kMillisecond);
        }
    return 0;
}
const int registered = register_all();

} // namespace
