// SGEMM GFLOP/s: simdnn per ISA and OpenBLAS (when installed) on the same shapes, named
// sgemm/<lib>[:isa]/MxNxK/<transposes>/threads:T so benchmarks/compare_gemm.py can pair them.
// threads:1 runs every ISA this CPU has through sdn_gemm_serial with that ISA's table; threads:2
// runs the public sdn_sgemm on the active ISA (choose it with SIMDNN_ISA=avx2 etc.).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gemm/gemm.h"
#include "kernels.h"
#include "simdnn.h"

#ifdef SDN_BENCH_OPENBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char *openblas_get_corename(void);
#endif

namespace
{

struct gemm_case {
    size_t m, n, k;
    bool ta, tb;
};

struct operands {
    std::vector<float> a, b, c;
    size_t lda, ldb, ldc;
    explicit operands(const gemm_case &g)
    {
        lda = g.ta ? g.m : g.k;
        ldb = g.tb ? g.k : g.n;
        ldc = g.n;
        a.resize(g.m * g.k);
        b.resize(g.k * g.n);
        c.resize(g.m * g.n);
        uint32_t s = 12345;
        for (auto *v : {&a, &b, &c})
            for (float &x : *v) {
                s = s * 1664525u + 1013904223u;
                x = (float)(s >> 8) * (1.0f / 16777216.0f) - 0.5f;
            }
    }
};

std::string case_name(const std::string &lib, const gemm_case &g, int threads)
{
    char buf[160];
    std::snprintf(buf, sizeof buf, "sgemm/%s/%zux%zux%zu/%c%c/threads:%d", lib.c_str(), g.m, g.n,
                  g.k, g.ta ? 'T' : 'N', g.tb ? 'T' : 'N', threads);
    return buf;
}

// GFLOP/s over wall-clock time (the main thread's CPU time undercounts a threaded product), so
// the names stay free of Google Benchmark's "/real_time" suffix. GFLOPS is the mean over the
// iterations; GFLOPS_best the fastest iteration, which on a shared, oversubscribed machine is
// the better estimate of what the code does when it has its cores (a descheduled OpenMP thread
// stalls a whole parallel product).
using wall_clock = std::chrono::steady_clock;

struct timer {
    wall_clock::time_point start = wall_clock::now(), last = start;
    double best = 1e30;
    void lap()
    {
        auto t = wall_clock::now();
        double s = std::chrono::duration<double>(t - last).count();
        best = s < best ? s : best;
        last = t;
    }
};

void set_flops(benchmark::State &state, const gemm_case &g, const timer &t)
{
    double flops = 2e-9 * (double)g.m * g.n * g.k;
    double seconds = std::chrono::duration<double>(t.last - t.start).count();
    state.counters["GFLOPS"] = flops * (double)state.iterations() / seconds;
    state.counters["GFLOPS_best"] = flops / t.best;
}

void run_serial(benchmark::State &state, const sdn_kernels *kt, gemm_case g)
{
    operands o(g);
    timer t;
    for (auto _ : state) {
        sdn_gemm_serial(kt, g.ta ? SDN_TRANS : SDN_NO_TRANS, g.tb ? SDN_TRANS : SDN_NO_TRANS, g.m,
                        g.n, g.k, 1.0f, o.a.data(), o.lda, o.b.data(), o.ldb, 0.0f, o.c.data(),
                        o.ldc, nullptr);
        benchmark::ClobberMemory();
        t.lap();
    }
    set_flops(state, g, t);
}

void run_public(benchmark::State &state, int threads, gemm_case g)
{
    operands o(g);
    sdn_set_num_threads(threads);
    timer t;
    for (auto _ : state) {
        sdn_sgemm(g.ta ? SDN_TRANS : SDN_NO_TRANS, g.tb ? SDN_TRANS : SDN_NO_TRANS, g.m, g.n, g.k,
                  1.0f, o.a.data(), o.lda, o.b.data(), o.ldb, 0.0f, o.c.data(), o.ldc);
        benchmark::ClobberMemory();
        t.lap();
    }
    set_flops(state, g, t);
    sdn_set_num_threads(0);
}

#ifdef SDN_BENCH_OPENBLAS
void run_openblas(benchmark::State &state, int threads, gemm_case g)
{
    operands o(g);
    openblas_set_num_threads(threads);
    timer t;
    for (auto _ : state) {
        cblas_sgemm(CblasRowMajor, g.ta ? CblasTrans : CblasNoTrans,
                    g.tb ? CblasTrans : CblasNoTrans, (int)g.m, (int)g.n, (int)g.k, 1.0f,
                    o.a.data(), (int)o.lda, o.b.data(), (int)o.ldb, 0.0f, o.c.data(), (int)o.ldc);
        benchmark::ClobberMemory();
        t.lap();
    }
    set_flops(state, g, t);
}
#endif

std::vector<gemm_case> all_cases()
{
    std::vector<gemm_case> cases;
    for (size_t s : {128, 256, 512, 1024, 2048})
        cases.push_back({s, s, s, false, false});
    // The dense layers of the exercise network, W stored [in×out]: Y = X·W (NN),
    // dW = Xᵀ·dY (TN), dX = dY·Wᵀ (NT).
    for (size_t batch : {32, 128, 512}) {
        cases.push_back({batch, 100, 3072, false, false});
        cases.push_back({batch, 100, 100, false, false});
        cases.push_back({batch, 10, 100, false, false});
        cases.push_back({3072, 100, batch, true, false});
        cases.push_back({100, 100, batch, true, false});
        cases.push_back({batch, 100, 100, false, true});
    }
    // A thread's share of batch 32 and 128 on two threads (the rows are split, the weights are
    // not).
    cases.push_back({16, 100, 100, false, false});
    cases.push_back({16, 100, 100, false, true});
    cases.push_back({64, 100, 100, false, true});
    // The batch-norm model's first-layer dX, one of four input slices: dZ·W[768 rows]ᵀ.
    cases.push_back({32, 768, 100, false, true});
    return cases;
}

int register_all()
{
    if (sdn_dispatch_init() != SDN_OK) {
        std::fprintf(stderr, "sdn_dispatch_init: %s\n", sdn_last_error());
        std::exit(1);
    }
    const sdn_isa active = sdn_active_isa();
    benchmark::AddCustomContext("simdnn_isa", sdn_isa_name(active));
#ifdef SDN_BENCH_OPENBLAS
    benchmark::AddCustomContext("openblas_core", openblas_get_corename());
    const char *coretype = std::getenv("OPENBLAS_CORETYPE");
    benchmark::AddCustomContext("OPENBLAS_CORETYPE", coretype ? coretype : "(unset)");
#endif
    for (const gemm_case &g : all_cases()) {
        for (int threads : {1, 2}) {
            if (threads == 1) {
                for (int i = 0; i < SDN_ISA_COUNT; i++) {
                    const sdn_kernels *kt = sdn_kernels_for((sdn_isa)i);
                    if (!kt)
                        continue;
                    std::string lib = std::string("simdnn:") + sdn_isa_name((sdn_isa)i);
                    benchmark::RegisterBenchmark(case_name(lib, g, 1).c_str(), run_serial, kt, g);
                }
            } else {
                std::string lib = std::string("simdnn:") + sdn_isa_name(active);
                benchmark::RegisterBenchmark(case_name(lib, g, threads).c_str(), run_public,
                                             threads, g);
            }
#ifdef SDN_BENCH_OPENBLAS
            benchmark::RegisterBenchmark(case_name("openblas", g, threads).c_str(), run_openblas,
                                         threads, g);
#endif
        }
    }
    return 0;
}

const int registered = register_all();

} // namespace
