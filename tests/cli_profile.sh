#!/bin/sh
# The profiler's ways in from the command line, on a tiny all-zero CIFAR-10 folder: --profile on
# train and evaluate writes the four files, SIMDNN_PROFILE and SIMDNN_VERBOSE work for any run,
# profile calibrate, kernels and diff work (their usage errors are in cli_usage.sh). $1: the
# simdnn executable.
cli="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
data="$tmp/cifar-10-batches-bin"
mkdir -p "$data"
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
    head -c 307300 /dev/zero > "$data/$f.bin" # 100 records of a label byte and 3072 pixels
done
files_in() { for f in profile.md profile.json profile.csv profile.svg profile.html; do
    [ -s "$1/$f" ] || fail "$2: no $1/$f"; done
    [ -s "$1/trace.json" ] || [ -s "$1/trace.json.gz" ] || fail "$2: no $1/trace.json(.gz)"; }

"$cli" train --data "$data" --layers 2 --units 16 --epochs 1 --out "$tmp/run" --progress quiet \
    --threads 1 --profile "$tmp/prof-train" --profile-steps 1,1,3 > "$tmp/out" 2>&1 ||
    fail "train --profile: exit $? $(tail -3 "$tmp/out")"
files_in "$tmp/prof-train" "train --profile"
grep -q "kept steps: 3" "$tmp/prof-train/profile.md" || fail "train: 3 kept steps expected"
grep -q "## Kernels" "$tmp/prof-train/profile.md" || fail "train: no kernel table"
grep -q "^- counters (perf_event_open" "$tmp/prof-train/profile.md" ||
    fail "train: no counters line (present or absent, it is said)"
grep -q "From one step's start to the next" "$tmp/prof-train/profile.md" ||
    fail "train: no start-to-start step"
grep -q "<circle" "$tmp/prof-train/profile.svg" || fail "train: no roofline points in the SVG"
# The picture parses as XML (where Python is at hand to say so).
if command -v python3 > /dev/null; then
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
        "$tmp/prof-train/profile.svg" || fail "train: profile.svg is not well-formed XML"
fi
"$cli" train --data "$data" --layers 2 --units 16 --epochs 1 --out "$tmp/run2" --progress quiet \
    --threads 1 --profile "$tmp/prof-none" --profile-steps 1,1,3 --profile-trace none \
    > "$tmp/out" 2>&1 || fail "train --profile-trace none: exit $?"
[ -e "$tmp/prof-none/trace.json" ] || [ -e "$tmp/prof-none/trace.json.gz" ] &&
    fail "--profile-trace none wrote a trace"
"$cli" train --data "$data" --layers 2 --units 16 --epochs 1 --out "$tmp/run5" --progress quiet \
    --threads 1 --profile "$tmp/prof-ctr" --profile-steps 1,1,3 --profile-counters kernel \
    > "$tmp/out" 2>&1 || fail "train --profile-counters kernel: exit $?"
grep -q "Counters per kernel row" "$tmp/prof-ctr/profile.md" ||
    fail "--profile-counters kernel: no counters per kernel row"
if "$cli" train --data "$data" --layers 2 --units 16 --epochs 1 --out "$tmp/run4" \
    --progress quiet --threads 1 --profile "$tmp/prof-gz" --profile-steps 1,1,3 \
    --profile-trace gz > "$tmp/out" 2>&1; then
    gzip -t "$tmp/prof-gz/trace.json.gz" 2>/dev/null || fail "--profile-trace gz: no valid gzip"
else
    grep -q "no zlib" "$tmp/out" || fail "--profile-trace gz failed without saying zlib is missing"
fi
"$cli" train --data "$data" --out "$tmp/run3" --profile "$tmp/p" --profile-trace zip \
    > "$tmp/out" 2>&1
[ $? -eq 2 ] || fail "--profile-trace zip is not a usage error"

"$cli" evaluate --model "$tmp/run" --data "$data" --profile="$tmp/prof-eval" > "$tmp/out" 2>&1 ||
    fail "evaluate --profile: exit $? $(tail -3 "$tmp/out")"
files_in "$tmp/prof-eval" "evaluate --profile"

"$cli" profile diff "$tmp/prof-train" "$tmp/prof-eval/profile.json" > "$tmp/out" 2>&1 ||
    fail "profile diff: exit $?"
grep -q "## Kernels, per call" "$tmp/out" || fail "profile diff: no kernel table"

# profile diff on made-up profiles: one GEMM row and the step. $1 kept steps, $2 p50 µs of a
# call, $3 the median step in ms, $4 the CPU.
profile_json() {
    calls=$(( $1 * 20 ))
    cat <<JSON
{"format": "simdnn-profile", "version": 2,
 "machine": {"cpu": "$4", "isa": "avx512", "threads": 1, "core_round_trip_ns": [0, 0]},
 "schedule": {"kept_steps": $1},
 "calibration": {"signature": "avx512 FMA 100"},
 "step": {"intervals": $1, "wall_ms": $3, "wall_p50_ms": $3, "wall_p99_ms": $3, "threads_used": 1},
 "kernels": [{"kernel": "sdn_f32_gemm_12x32__avx512", "isa": "avx512", "shape": "32x100x768",
   "phase": "forward", "calls": $calls, "calls_per_step": 20, "ms_per_step": 0.2,
   "share_of_step_pct": 50, "p50_us": $2, "p99_us": $2}],
 "layers": []}
JSON
}
profile_json 50 10.0 0.400 "AMD A" > "$tmp/a.json"
profile_json 10 10.0 0.400 "AMD A" > "$tmp/b.json"   # fewer kept steps, the same rates
profile_json 10 12.0 0.480 "AMD B" > "$tmp/c.json"   # 20 % slower, another CPU
"$cli" profile diff "$tmp/a.json" "$tmp/b.json" --fail-above 5% > "$tmp/out" 2>&1 ||
    fail "profile diff: different kept steps, same rates: exit $?"
grep -q "| 1.000 |" "$tmp/out" || fail "profile diff: no per-call ratio of 1.000"
grep -q "within noise" "$tmp/out" || fail "profile diff: same rates not within noise"
"$cli" profile diff "$tmp/a.json" "$tmp/c.json" --fail-above 5% > "$tmp/out" 2>&1
[ $? -eq 3 ] || fail "profile diff: a 20 % slowdown with --fail-above 5% did not exit 3"
grep -q "| 1.200 |" "$tmp/out" || fail "profile diff: no per-call ratio of 1.200"
grep -q "different CPUs" "$tmp/out" || fail "profile diff: no warning about the CPUs"
"$cli" profile diff "$tmp/a.json" "$tmp/c.json" --fail-above 25% > /dev/null 2>&1 ||
    fail "profile diff: a 20 % slowdown failed --fail-above 25%"
"$cli" profile diff "$tmp/a.json" "$tmp/c.json" --fail-above x > /dev/null 2>&1
[ $? -eq 2 ] || fail "profile diff: --fail-above x is not a usage error"

SIMDNN_PROFILE="$tmp/prof-env" "$cli" evaluate --model "$tmp/run" --data "$data" > "$tmp/out" 2>&1 ||
    fail "SIMDNN_PROFILE: exit $?"
files_in "$tmp/prof-env" "SIMDNN_PROFILE"

SIMDNN_VERBOSE=1 "$cli" evaluate --model "$tmp/run" --data "$data" > "$tmp/out" 2>&1 ||
    fail "SIMDNN_VERBOSE: exit $?"
grep -q "^simdnn_verbose,dispatch,chosen," "$tmp/out" || fail "SIMDNN_VERBOSE: no dispatch line"
grep -q "^simdnn_verbose,exec,gemm,sdn_f32_gemm_" "$tmp/out" || fail "SIMDNN_VERBOSE: no GEMM line"

"$cli" profile calibrate > "$tmp/out" 2>&1 || fail "profile calibrate: exit $?"
grep -q "^peak ref" "$tmp/out" || fail "profile calibrate: no reference peak"
grep -q "^caches: .*(" "$tmp/out" || fail "profile calibrate: no cache sizes with their source"
grep -q "streams" "$tmp/out" || fail "profile calibrate: no bandwidth per stream count"
grep -q "^triad" "$tmp/out" || fail "profile calibrate: no triad bandwidth"

"$cli" profile kernels --isa ref --batch 3 --out "$tmp/prof-kernels" > "$tmp/out" 2>&1 ||
    fail "profile kernels: exit $?"
grep -q "| f32_gemm_4x8 | ref | 3x100x3072 |" "$tmp/out" || fail "profile kernels: no ref GEMM row"
grep -q "| f32_rmsprop | ref |" "$tmp/out" || fail "profile kernels: no RMSProp row"
files_in "$tmp/prof-kernels" "profile kernels --out"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all profile CLI checks passed"
