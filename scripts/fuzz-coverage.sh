#!/usr/bin/env bash
# Line coverage of each fuzz target's surface: the replay programs, built with clang's source-based
# coverage, run over the committed seeds, the regressions and the corpus the fuzzer grew in
# build-fuzz/corpus/ (scripts/fuzz.sh); llvm-cov reports the files each target is about.
#   scripts/fuzz-coverage.sh            (needs clang and llvm-cov / llvm-profdata of the same version)
set -euo pipefail
cd "$(dirname "$0")/.."
b=build-fuzzcov
cmake -S . -B "$b" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    -DSIMDNN_OPENMP=OFF -DSIMDNN_BUILD_APPS=OFF \
    -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" >/dev/null
declare -A files=(
    [safetensors]="src/io/safetensors.c support/json.c"
    [model_file]="src/io/safetensors.c support/json.c src/io/model_file.c src/train/net.c
                  src/io/meta_parse.c src/train/checkpoint.c"
    [fit_state]="src/train/checkpoint.c src/io/meta_parse.c"
    [cifar10]="src/data/cifar10.c"
    [idx]="src/data/idx.c"
    [cli_config]="apps/train_config.c apps/train_config_args.c")
printf '%-12s %-26s %s\n' target file "lines covered"
for t in safetensors model_file fit_state cifar10 idx cli_config; do
    cmake --build "$b" --target "fuzz_replay_$t" >/dev/null
    dirs=(tests/fuzz/corpus/$t tests/fuzz/regressions/$t)
    [ -d "build-fuzz/corpus/$t" ] && dirs+=("build-fuzz/corpus/$t")
    LLVM_PROFILE_FILE="$b/$t.profraw" "$b/tests/fuzz_replay_$t" "${dirs[@]}" >/dev/null 2>&1
    llvm-profdata merge -o "$b/$t.profdata" "$b/$t.profraw"
    for f in ${files[$t]}; do
        llvm-cov report "$b/tests/fuzz_replay_$t" -instr-profile="$b/$t.profdata" "$f" |
            awk -v t="$t" -v f="$f" '$1 ~ /\.c$/ {printf "%-12s %-26s %s of %s lines (%s)\n", t, f, $8 - $9, $8, $10}'
    done
done
