// Hosts this one is not, simulated through test hooks (src/testhooks.h), which the static
// library leaves to the program to define; this one defines them from the environment:
// - SIMDNN_BENCH_FAR_CORES=ROUND_TRIP_NS,LINE_NS: two cores that sit apart. Every meeting of a
//   pass's threads costs two round trips and every 64-byte line a thread of a training pass reads
//   across cores LINE_NS; the library's thresholds see the same figures.
// - SIMDNN_BENCH_SLOW_CORE=F: thread 1's core F times slower (1: half speed), as a laptop's
//   efficiency core beside a performance core: in each layer's forward and backward, weight
//   gradient and update it spins F times what it worked, at each meeting and at the end, so it
//   is slow throughout the pass and the others wait on it where they would on a slower core.
// - SIMDNN_BENCH_SPLIT=rows|stages: every training pass on two or more threads splits its work so
//   (src/thread_share.h), not as the library's verdict says: each split timed on its own.
// scripts/bench-threads.sh --far RT,LINE and --slow F run the training steps so.
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" {
double sdn_debug_far_round_trip_ns;
double sdn_debug_far_line_ns;
double sdn_debug_slow_thread;
int sdn_debug_split;
}

namespace
{

[[noreturn]] void bad(const char *name, const char *want, const char *got)
{
    std::fprintf(stderr, "%s: expected %s, got '%s'\n", name, want, got);
    std::exit(2);
}

int read_hosts()
{
    char end = 0;
    if (const char *e = std::getenv("SIMDNN_BENCH_FAR_CORES"); e && *e) {
        double rt = 0.0, line = 0.0;
        if (std::sscanf(e, "%lf,%lf%c", &rt, &line, &end) != 2 || !(rt > 0.0) || !(line >= 0.0))
            bad("SIMDNN_BENCH_FAR_CORES", "ROUND_TRIP_NS,LINE_NS", e);
        sdn_debug_far_round_trip_ns = rt;
        sdn_debug_far_line_ns = line;
    }
    if (const char *e = std::getenv("SIMDNN_BENCH_SLOW_CORE"); e && *e) {
        double f = 0.0;
        if (std::sscanf(e, "%lf%c", &f, &end) != 1 || !(f > 0.0))
            bad("SIMDNN_BENCH_SLOW_CORE", "a factor above 0", e);
        sdn_debug_slow_thread = f;
    }
    if (const char *e = std::getenv("SIMDNN_BENCH_SPLIT"); e && *e) {
        const std::string split = e;
        if (split != "rows" && split != "stages")
            bad("SIMDNN_BENCH_SPLIT", "rows or stages", e);
        sdn_debug_split = split == "rows" ? 1 : 2;
    }
    return 0;
}

const int hosts = read_hosts();

} // namespace
