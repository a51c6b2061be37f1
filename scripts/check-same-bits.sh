#!/usr/bin/env bash
# Same seed, same bits on every host: `simdnn exercise --quick` and a 2-epoch run of each preset on
# real CIFAR-10, on every ISA the binary runs here, must save the model tensors (and history
# figures) recorded in scripts/same-bits.txt, one list for every ISA, thread count, cache size and
# host.
#   scripts/check-same-bits.sh [--record] [--build DIR] [--emulator CMD] [--isa "LIST"]
#                              [--data PATH]
# --emulator runs a cross build (the aarch64 suite: --build build-aarch64 --emulator
# "qemu-aarch64 -L /"; the windows suite: --build build-windows --emulator /usr/lib/wine/wine64,
# which runs simdnn.exe). --isa defaults to every ISA `simdnn info` says this CPU runs.
set -euo pipefail
cd "$(dirname "$0")/.."
record=0 build=build emulator="" isas=""
data=${SIMDNN_DATA:-../shared/datasets/cifar-10-binary.tar.gz}
while [ $# -gt 0 ]; do
    case $1 in
        --record) record=1 ;;
        --build) build=$2; shift ;;
        --emulator) emulator=$2; shift ;;
        --isa) isas=$2; shift ;;
        --data) data=$2; shift ;;
        *) echo "check-same-bits: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
read -r -a run <<<"$emulator"
exe=$build/simdnn
[ -e "$exe" ] || [ ! -e "$exe.exe" ] || exe=$exe.exe
run+=("$exe")
[ -e "$exe" ] || { echo "check-same-bits: no $build/simdnn (build first)" >&2; exit 2; }
[ -e "$data" ] || { echo "check-same-bits: no CIFAR-10 at $data (--data)" >&2; exit 2; }
# (tr: simdnn.exe ends its lines with CR LF)
[ -n "$isas" ] || isas=$("${run[@]}" info | tr -d '\r' | awk '$1 == "runs:" { $1 = ""; print }')
expected=scripts/same-bits.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $data in
    *.tar.gz) tar -xzf "$data" -C "$tmp" && data=$tmp/cifar-10-batches-bin ;;
esac

# The tensors' bytes: a safetensors file's data section (its header names the run's folders).
tensors() {
    local n
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    tail -c +$((9 + n)) "$1" | sha256sum | cut -c1-16
}
# history.csv without its seconds column
history() { cut -d, -f1-5,7 "$1" | sha256sum | cut -c1-16; }

# simdnn on $isa, its output shown only when it fails
quiet() {
    SIMDNN_ISA=$isa SIMDNN_CACHE_SIZES=$caches "${run[@]}" "$@" --progress quiet \
        >"$tmp/log" 2>&1 || {
        cat "$tmp/log" >&2
        return 1
    }
}

checks() {
    local out=$tmp/run preset
    for preset in elu-he batchnorm selu alpha-dropout; do
        rm -rf "$out"
        quiet train --preset "$preset" --epochs 2 --threads 2 --train-limit 2000 \
            --test-limit 500 --data "$data" --out "$out"
        echo "train/$preset/model $(tensors "$out/model.safetensors")"
        echo "train/$preset/history $(history "$out/history.csv")"
    done
    rm -rf "$out"
    quiet exercise --quick --threads 2 --data "$data" --out "$out"
    for dir in "$out"/*/; do
        echo "exercise-quick/$(basename "$dir")/model $(tensors "$dir/model.safetensors")"
        echo "exercise-quick/$(basename "$dir")/history $(history "$dir/history.csv")"
    done
}

status=0
# every ISA with this host's caches, then (natively) the widest pretending small caches: other MC
# and NC
runs=()
for isa in $isas; do runs+=("$isa:"); done
[ -n "$emulator" ] || runs+=("${isas##* }:16K,128K,2M")
for r in "${runs[@]}"; do
    isa=${r%%:*} caches=${r#*:}
    what="$isa${caches:+ with caches $caches}"
    start=$SECONDS
    checks >"$tmp/now.txt"
    if [ $record = 1 ]; then
        cp "$tmp/now.txt" "$expected"
        echo "check-same-bits: recorded $expected with $what"
        record=0 # the other runs are checked against it
    elif diff -u "$expected" "$tmp/now.txt" >"$tmp/diff.txt"; then
        echo "check-same-bits: $what gives the recorded bits" \
            "($(wc -l <"$expected") checks, $((SECONDS - start)) s)"
    else
        echo "check-same-bits: $what differs from $expected:" >&2
        cat "$tmp/diff.txt" >&2
        status=1
    fi
done
exit $status
