#!/usr/bin/env bash
# Behaviour invariant of a refactor: for every exercise preset at 1 and 2 threads, short trainings on
# real CIFAR-10 must print the same epoch lines (timing columns removed) and save the same bytes as the
# baseline. Prints one "key value" line per check; compares with scripts/invariant/baseline.txt, one
# file for every ISA (they give the same bits: SIMDNN_ISA=avx2 checks the AVX2 kernels).
#   scripts/check-invariant.sh [--record] [--build DIR] [--data PATH]
# --record writes the baseline instead of comparing with it; record
# with a build of the baseline commit (git archive REV | tar -x -C DIR; build there; --build DIR/build).
set -euo pipefail
cd "$(dirname "$0")/.."
record=0 build=build data=${SIMDNN_DATA:-../shared/datasets/cifar-10-binary.tar.gz}
while [ $# -gt 0 ]; do
    case $1 in
        --record) record=1 ;;
        --build) build=$2; shift ;;
        --data) data=$2; shift ;;
        *) echo "check-invariant: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
bin=$build/simdnn
[ -x "$bin" ] || { echo "check-invariant: no $bin (build first)" >&2; exit 2; }
[ -e "$data" ] || { echo "check-invariant: no CIFAR-10 at $data (--data)" >&2; exit 2; }
isa=$("$bin" info | awk '$1 == "isa:" { print $2 }')
baseline=scripts/invariant/baseline.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# unpack the tarball once: each run would inflate it again
case $data in
    *.tar.gz) tar -xzf "$data" -C "$tmp" && data=$tmp/cifar-10-batches-bin ;;
esac

# The lines a run prints, without what depends on the clock or on the output folder.
untimed() {
    grep -E '^(epoch|done|val accuracy)' | sed -E 's/ - [0-9.]+s( |$)/\1/; s/; [0-9.]+ s\/epoch.*//'
}
hash() { sha256sum "$1" | cut -c1-16; }
# a safetensors file without the run's folders (recorded in its metadata) and the header's
# padding (which follows their length): header, then the data
st_hash() {
    local n
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    { head -c $((8 + n)) "$1" | tail -c "$n" | sed -E 's/--(out|data)=[^\\"]*//g; s/ +$//'
      tail -c +$((9 + n)) "$1"; } | sha256sum | cut -c1-16
}
lines_hash() { untimed | sha256sum | cut -c1-16; }
# history.csv without its seconds column
history() { cut -d, -f1-5,7 "$1" | sha256sum | cut -c1-16; }

common=(--data "$data" --train-limit 3000 --test-limit 500 --progress lines)
{
for threads in 1 2; do
    for preset in elu-he batchnorm selu alpha-dropout; do
        key=$preset/t$threads out=$tmp/$preset-$threads
        echo "$key/lines $("$bin" train --preset "$preset" --threads "$threads" --epochs 2 \
            --out "$out" "${common[@]}" 2>&1 | lines_hash)"
        echo "$key/model $(st_hash "$out/model.safetensors")"
        echo "$key/history $(history "$out/history.csv")"
        # resume: 1 epoch, then continue to 2 from the checkpoint
        "$bin" train --preset "$preset" --threads "$threads" --epochs 1 --out "$out-r" \
            "${common[@]}" >/dev/null 2>&1
        echo "$key/resume-lines $("$bin" train --resume "$out-r" --threads "$threads" --epochs 2 \
            "${common[@]}" 2>&1 | lines_hash)"
        echo "$key/resume-model $(st_hash "$out-r/model.safetensors")"
        echo "$key/evaluate $("$bin" evaluate --model "$out" --threads "$threads" --json \
            --data "$data" --test-limit 500 | sha256sum | cut -c1-16)"
    done
    out=$tmp/alpha-dropout-$threads
    "$bin" predict --model "$out" --mc-samples 10 --threads "$threads" --data "$data" \
        --test-limit 500 --output "$tmp/mc-$threads.csv" >"$tmp/mc-$threads.txt"
    echo "alpha-dropout/t$threads/mc-predict $(hash "$tmp/mc-$threads.csv")"
    echo "alpha-dropout/t$threads/mc-summary $(hash "$tmp/mc-$threads.txt")"
    out=$tmp/exercise-$threads
    echo "exercise/t$threads/lines $("$bin" exercise --quick --threads "$threads" --mc-samples 5 \
        --train-limit 2000 --test-limit 500 --data "$data" --out "$out" --progress lines 2>&1 | lines_hash)"
    for run in "$out"/*/; do
        echo "exercise/t$threads/$(basename "$run") $(st_hash "$run/model.safetensors")"
    done
done
} >"$tmp/now.txt"

if [ $record = 1 ]; then
    mkdir -p scripts/invariant
    cp "$tmp/now.txt" "$baseline"
    echo "check-invariant: recorded $(wc -l <"$baseline") checks for $isa in $baseline"
elif diff "$baseline" "$tmp/now.txt"; then
    echo "check-invariant: OK, $(wc -l <"$baseline") checks same as $baseline"
else
    echo "check-invariant: FAILED, behaviour changed (lines above: < baseline, > now)" >&2
    exit 1
fi
