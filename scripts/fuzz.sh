#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz, clang) and runs each from its committed seed corpus.
#   scripts/fuzz.sh [--time S | --runs N] [target...]      (default: --time 15, every target)
# --time bounds each target's wall time (the CI regression check); --runs asks for N executions
# (long runs). New inputs go to build-fuzz/corpus/<target> (the committed seeds stay untouched);
# a crash, leak, timeout or out-of-memory stops with its reproducer in build-fuzz/artifacts/ and a
# non-zero exit. Each target's last status line (executions, exec/s, coverage) is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=(-max_total_time=15)
tag=""
targets=()
while [ $# -gt 0 ]; do
    case $1 in
    --time) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); tag=long-; shift 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(safetensors model_file fit_state cifar10 idx cli_config)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p build-fuzz/artifacts build-fuzz/logs

for t in "${targets[@]}"; do
    seeds=tests/fuzz/corpus/$t
    work=build-fuzz/corpus/$t
    mkdir -p "$work"
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    max_len=4096
    [ "$t" = cifar10 ] && max_len=16384
    log=build-fuzz/logs/$tag$t.log
    echo "=== fuzz $t (${limit[*]})"
    # -close_fd_mask=3: the library's error messages are expected output; libFuzzer and the
    # sanitizers still report on their own descriptor.
    if ! build-fuzz/fuzz/fuzz_"$t" "${limit[@]}" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix=build-fuzz/artifacts/"$t"- "$work" "$seeds" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "=== fuzz $t FAILED: reproducer in build-fuzz/artifacts/, log $log"
        exit 1
    fi
    grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
        tr '\n' ' '
    echo
done
echo "=== fuzz: every target ran without a finding"
