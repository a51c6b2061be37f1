// A host whose two cores sit apart, simulated on one whose cores share a cache:
// SIMDNN_BENCH_FAR_CORES=ROUND_TRIP_NS,LINE_NS makes every meeting of a pass's threads cost two
// round trips and every 64-byte line a thread of a training pass reads across cores LINE_NS, and
// the library's thresholds see the same figures. These are test hooks (src/testhooks.h): the
// static library leaves their definitions to the program, and this one defines them.
// scripts/bench-threads.sh --far RT,LINE runs the training steps so.
#include <cstdio>
#include <cstdlib>

extern "C" {
double sdn_debug_far_round_trip_ns;
double sdn_debug_far_line_ns;
}

namespace
{

int read_far_cores()
{
    const char *e = std::getenv("SIMDNN_BENCH_FAR_CORES");
    if (!e || !*e)
        return 0;
    char end = 0;
    double rt = 0.0, line = 0.0;
    if (std::sscanf(e, "%lf,%lf%c", &rt, &line, &end) != 2 || !(rt > 0.0) || !(line >= 0.0)) {
        std::fprintf(stderr, "SIMDNN_BENCH_FAR_CORES: expected ROUND_TRIP_NS,LINE_NS, got '%s'\n",
                     e);
        std::exit(2);
    }
    sdn_debug_far_round_trip_ns = rt;
    sdn_debug_far_line_ns = line;
    return 1;
}

const int far_cores = read_far_cores();

} // namespace
