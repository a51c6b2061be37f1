// The profiler's cost: a training step of the exercise network (3072 → 20×100 ELU → 10, Nadam)
// with profiling off and on, batch 32 and 128, 1 and 2 threads, in the same binary. Names:
// train_step_profile/profile:0|1/batch:B/threads:T; counter samples_per_second (wall clock).
// Run with --benchmark_repetitions=N --benchmark_enable_random_interleaving=true on a busy host.
// Recording restarts every 256 steps outside the timed region, so memory stays bounded.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "simdnn.h"
#include "simdnn_profile.h"

namespace {

sdn_model *build(size_t batch)
{
    sdn_model *m = sdn_model_new(42);
    for (int i = 0; i < 20; i++) {
        sdn_dense_options d = sdn_dense_defaults(100);
        d.kernel_init.kind = SDN_INIT_HE_NORMAL;
        d.activation = SDN_ACT_ELU;
        sdn_model_add_dense(m, &d);
    }
    sdn_dense_options d = sdn_dense_defaults(10);
    d.activation = SDN_ACT_SOFTMAX;
    sdn_model_add_dense(m, &d);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    if (sdn_model_compile(m, 3072, batch, &o) != SDN_OK) {
        sdn_model_free(m);
        return nullptr;
    }
    return m;
}

void train_step_profile(benchmark::State &state)
{
    const int profiled = (int)state.range(0), threads = (int)state.range(2);
    const size_t batch = (size_t)state.range(1);
    sdn_set_num_threads(threads);
    sdn_model *m = build(batch);
    if (!m) {
        state.SkipWithError("compile failed");
        return;
    }
    const size_t rows = 1024, d = 3072;
    std::vector<float> x(rows * d);
    std::vector<int32_t> y(rows);
    uint64_t s = 12345;
    for (auto &e : x) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        e = (float)(s >> 40) / 16777216.0f - 0.5f;
    }
    for (size_t i = 0; i < rows; i++)
        y[i] = (int32_t)(i * 7 % 10);
    sdn_profile_options o = {nullptr, 0, 0, 0};
    if (profiled)
        sdn_profile_begin(&o);
    size_t off = 0, steps = 0;
    double wall = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (auto _ : state) {
        if (sdn_model_train_batch(m, x.data() + off * d, y.data() + off, batch, nullptr, nullptr)) {
            state.SkipWithError(sdn_last_error());
            break;
        }
        off = off + 2 * batch <= rows ? off + batch : 0;
        if (profiled && ++steps % 256 == 0) { // drop the records, outside the clock
            wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            state.PauseTiming();
            sdn_profile_end();
            sdn_profile_begin(&o);
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
}

BENCHMARK(train_step_profile)
    ->ArgNames({"profile", "batch", "threads"})
    ->ArgsProduct({{0, 1}, {32, 128}, {1, 2}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

} // namespace
