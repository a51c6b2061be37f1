// Training-step throughput of the exercise network (3072 → 20×100 ELU, He normal → 10 softmax,
// Nadam) through the public C API, at batch 32 and 128 on 1 and 2 threads, plus variants
// (batchnorm, selu, alpha-dropout). Names: train_step/simdnn/batch:B/threads:T[/variant];
// counter samples_per_second (compare_train.py reads the JSON output). The profiler's cost:
// train_step_profile/profile:0|1/batch:B/threads:T, the base network with recording off and on
// (run with --benchmark_enable_random_interleaving=true on a busy host).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "simdnn.h"
#include "simdnn_profile.h"

namespace
{

enum class variant { elu_he, batchnorm, selu, alpha_dropout };

sdn_model *build(variant v, size_t batch)
{
    sdn_model *m = sdn_model_new(42);
    sdn_model_add_flatten(m);
    if (v == variant::batchnorm) // the preset also normalizes the inputs (Géron's 8c)
        sdn_model_add_batch_norm(m, 0.99f, 1e-3f);
    const bool selu = v == variant::selu || v == variant::alpha_dropout;
    for (int i = 0; i < 20; i++) {
        sdn_dense_options d = sdn_dense_defaults(100);
        d.kernel_init.kind = selu ? SDN_INIT_LECUN_NORMAL : SDN_INIT_HE_NORMAL;
        d.activation = selu ? SDN_ACT_SELU : SDN_ACT_ELU;
        if (v == variant::batchnorm)
            d.activation = SDN_ACT_LINEAR;
        sdn_model_add_dense(m, &d);
        if (v == variant::batchnorm) {
            sdn_model_add_batch_norm(m, 0.99f, 1e-3f);
            sdn_model_add_activation(m, SDN_ACT_ELU, 0.0f);
        }
    }
    if (v == variant::alpha_dropout)
        sdn_model_add_alpha_dropout(m, 0.1f);
    sdn_dense_options d = sdn_dense_defaults(10);
    d.activation = SDN_ACT_SOFTMAX;
    sdn_model_add_dense(m, &d);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    if (sdn_model_compile(m, 3072, batch, &o) != SDN_OK) {
        std::fprintf(stderr, "compile: %s\n", sdn_last_error());
        sdn_model_free(m);
        return nullptr;
    }
    return m;
}

void train_step(benchmark::State &state, variant v, size_t batch, int threads, int profiled)
{
    sdn_set_num_threads(threads);
    sdn_model *m = build(v, batch);
    if (!m) {
        state.SkipWithError("compile failed");
        return;
    }
    const size_t rows = 1024, d = 3072;
    std::vector<float> x(rows * d);
    std::vector<int32_t> y(rows);
    uint64_t s = 12345;
    for (auto &e : x) { // uniform [0, 1) like scaled pixels, centred
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        e = (float)(s >> 40) / 16777216.0f - 0.5f;
    }
    for (size_t i = 0; i < rows; i++)
        y[i] = (int32_t)(i * 7 % 10);
    sdn_profile_options po = {nullptr, 0, 0, 0}; // record every step
    if (profiled)
        sdn_profile_begin(&po);
    size_t off = 0, steps = 0;
    double wall = 0;
    // Wall-clock rate measured here (the name stays exact: no /real_time suffix); the default CPU
    // time would count only the main thread.
    auto t0 = std::chrono::steady_clock::now();
    for (auto _ : state) {
        float loss;
        if (sdn_model_train_batch(m, x.data() + off * d, y.data() + off, batch, &loss, nullptr)) {
            state.SkipWithError(sdn_last_error());
            break;
        }
        off = off + 2 * batch <= rows ? off + batch : 0;
        if (profiled && ++steps % 256 == 0) { // drop the records, outside the clock
            wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            state.PauseTiming();
            sdn_profile_end();
            sdn_profile_begin(&po);
            state.ResumeTiming();
            t0 = std::chrono::steady_clock::now();
        }
    }
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (profiled)
        sdn_profile_end();
    state.counters["samples_per_second"] = (double)state.iterations() * (double)batch / wall;
    sdn_model_free(m);
    sdn_set_num_threads(0);
    // which kind of host gave the figure: two cores that share a cache (under ~120 ns) or apart
    sdn_thread_costs costs;
    if (sdn_thread_costs_measure(&costs) == SDN_OK)
        state.counters["round_trip_ns"] = costs.round_trip_ns;
}

const struct {
    variant v;
    const char *suffix;
} variants[] = {{variant::elu_he, ""},
                {variant::batchnorm, "/batchnorm"},
                {variant::selu, "/selu"},
                {variant::alpha_dropout, "/alpha-dropout"}};

int register_all()
{
    for (const auto &var : variants)
        for (size_t batch : {32, 128})
            for (int threads : {1, 2}) {
                std::string name = "train_step/simdnn/batch:" + std::to_string(batch) +
                                   "/threads:" + std::to_string(threads) + var.suffix;
                benchmark::RegisterBenchmark(name.c_str(), train_step, var.v, batch, threads, 0)
                    ->Unit(benchmark::kMicrosecond);
            }
    for (size_t batch : {32, 128})
        for (int threads : {1, 2})
            for (int profiled : {0, 1}) {
                std::string name = "train_step_profile/profile:" + std::to_string(profiled) +
                                   "/batch:" + std::to_string(batch) +
                                   "/threads:" + std::to_string(threads);
                benchmark::RegisterBenchmark(name.c_str(), train_step, variant::elu_he, batch,
                                             threads, profiled)
                    ->Unit(benchmark::kMicrosecond);
            }
    return 0;
}
const int registered = register_all();

} // namespace
