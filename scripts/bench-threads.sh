#!/usr/bin/env bash
# Two cores against one, on this host as it is and as a laptop whose second core is shared with
# another program: the bench's training step for the four exercise models at batch 32 and 128 on
# 1 and 2 threads (threads bound close: thread 1 on CPU 1), first quiet, then with a spinning
# process pinned to CPU 1. Each row says the round trip between the two threads measured right
# after it (close cores: under ~120 ns; apart: 350 and more), least and most. Medians of --reps
# repetitions, run in random order across the figures of a condition, so that 1 and 2 threads
# see the same minutes of a host whose state changes for minutes at a time.
#   scripts/bench-threads.sh [--reps N] [--only quiet|busy|far|slow] [--far RT,LINE] [--slow F]
#                            [--min-time SECONDS] [--bench BINARY]
# Each figure runs at least --min-time seconds (2): long enough that the team's trials (up to 8
# passes on each side before each spell, src/thread_share.c) weigh what they do in a training run.
# --bench runs another build's simdnn_bench (an older commit's, to compare) instead of building.
# --far adds a third condition: cores that sit apart, simulated on these (every meeting costs two
# round trips of RT ns, every line a training pass reads across cores LINE ns; the bench's
# SIMDNN_BENCH_FAR_CORES); its rows' round trip is the simulated one. --slow F adds a core F times
# slower than the other (1: half speed), as a laptop's efficiency core (SIMDNN_BENCH_SLOW_CORE).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 only= bench= far= slow= min_time=2
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift ;;
        --only) only=$2; shift ;;
        --bench) bench=$2; shift ;;
        --far) far=$2; shift ;;
        --slow) slow=$2; shift ;;
        --min-time) min_time=$2; shift ;;
        *) echo "bench-threads: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
[ "$(nproc)" -ge 2 ] || { echo "bench-threads: needs 2 CPUs, this host has $(nproc)" >&2; exit 2; }
if [ -z "$bench" ]; then
    source scripts/deps.sh
    sdn_require_packages "${SDN_DEPS_BENCH[@]}" util-linux # taskset
    cmake --preset bench >/dev/null
    cmake --build --preset bench -j "$(nproc)" --target simdnn_bench
    bench=./build-bench/simdnn_bench
fi
out=$(mktemp -d)
spinner=
trap '[ -n "$spinner" ] && kill "$spinner" 2>/dev/null; rm -rf "$out"' EXIT

run() { # condition
    OMP_PROC_BIND=close OMP_PLACES=cores SIMDNN_BENCH_FAR_CORES=$([ "$1" = far ] && echo "$far") \
        SIMDNN_BENCH_SLOW_CORE=$([ "$1" = slow ] && echo "$slow") \
        "$bench" \
        --benchmark_filter='^train_step/simdnn/batch:(32|128)/threads:[12]' --benchmark_min_time="$min_time" \
        --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
        --benchmark_format=json >"$out/$1.json" 2>/dev/null
}
for condition in quiet busy far slow; do
    [ -z "$only" ] || [ "$only" = "$condition" ] || continue
    [ "$condition" != far ] || [ -n "$far" ] || continue
    [ "$condition" != slow ] || [ -n "$slow" ] || continue
    if [ "$condition" = busy ]; then
        taskset -c 1 sh -c 'while :; do :; done' &
        spinner=$!
    fi
    case $condition in
        busy) echo "=== busy: a process spinning on CPU 1" ;;
        far) echo "=== far (simulated): round trip and line ns $far" ;;
        slow) echo "=== slow (simulated): thread 1's core $slow times slower" ;;
        *) echo "=== quiet: nothing else started" ;;
    esac
    run "$condition"
    if [ -n "$spinner" ]; then kill "$spinner"; spinner=; fi
done
FAR_RT=${far%%,*} /usr/bin/python3 - "$out" <<'EOF'
import json, os, re, statistics, sys
rows = {}
far_rt = float(os.environ.get("FAR_RT") or "nan")
for cond in ("quiet", "busy", "far", "slow"):
    path = os.path.join(sys.argv[1], cond + ".json")
    if not os.path.exists(path):
        continue
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        m = re.match(r"train_step/simdnn/batch:(\d+)/threads:(\d)(?:/(.*))?$", b["name"])
        key = (cond, m.group(3) or "elu-he", int(m.group(1)))
        r = rows.setdefault(key, {1: [], 2: [], "rt": []})
        r[int(m.group(2))].append(b["samples_per_second"])
        r["rt"].append(far_rt if cond == "far" else b.get("round_trip_ns", float("nan")))
print(f"{'condition':9} {'model':14} {'batch':>5} {'1 thread':>10} {'2 threads':>10} "
      f"{'2T/1T':>6} {'round trip ns':>14}")
for (cond, model, batch), r in sorted(rows.items()):
    one, two = statistics.median(r[1]), statistics.median(r[2])
    rt = f"{min(r['rt']):.0f}-{max(r['rt']):.0f}" if cond != "far" else f"{far_rt:.0f}"
    print(f"{cond:9} {model:14} {batch:5d} {one:10.0f} {two:10.0f} {two / one:6.2f} {rt:>14}")
EOF
