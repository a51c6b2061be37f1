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

"$cli" evaluate --model "$tmp/run" --data "$data" --profile="$tmp/prof-eval" > "$tmp/out" 2>&1 ||
    fail "evaluate --profile: exit $? $(tail -3 "$tmp/out")"
files_in "$tmp/prof-eval" "evaluate --profile"

"$cli" profile diff "$tmp/prof-train" "$tmp/prof-eval/profile.json" > "$tmp/out" 2>&1 ||
    fail "profile diff: exit $?"
grep -q "## Kernels" "$tmp/out" || fail "profile diff: no kernel table"

SIMDNN_PROFILE="$tmp/prof-env" "$cli" evaluate --model "$tmp/run" --data "$data" > "$tmp/out" 2>&1 ||
    fail "SIMDNN_PROFILE: exit $?"
files_in "$tmp/prof-env" "SIMDNN_PROFILE"

SIMDNN_VERBOSE=1 "$cli" evaluate --model "$tmp/run" --data "$data" > "$tmp/out" 2>&1 ||
    fail "SIMDNN_VERBOSE: exit $?"
grep -q "^simdnn_verbose,dispatch,chosen," "$tmp/out" || fail "SIMDNN_VERBOSE: no dispatch line"
grep -q "^simdnn_verbose,exec,gemm,sdn_f32_gemm_" "$tmp/out" || fail "SIMDNN_VERBOSE: no GEMM line"

"$cli" profile calibrate > "$tmp/out" 2>&1 || fail "profile calibrate: exit $?"
grep -q "^peak ref" "$tmp/out" || fail "profile calibrate: no reference peak"
grep -q "^triad" "$tmp/out" || fail "profile calibrate: no triad bandwidth"

"$cli" profile kernels --isa ref --batch 3 --out "$tmp/prof-kernels" > "$tmp/out" 2>&1 ||
    fail "profile kernels: exit $?"
grep -q "| f32_gemm_4x8 | ref | 3x100x3072 |" "$tmp/out" || fail "profile kernels: no ref GEMM row"
grep -q "| f32_rmsprop | ref |" "$tmp/out" || fail "profile kernels: no RMSProp row"
files_in "$tmp/prof-kernels" "profile kernels --out"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all profile CLI checks passed"
