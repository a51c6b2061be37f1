#!/bin/sh
# valgrind memcheck of the CLI's train, evaluate and predict on a tiny generated IDX dataset:
# no error and no definite, indirect or possible leak. libgomp's thread pool lives to the end of
# the process: its blocks stay "still reachable" and its threads' TLS is suppressed as "possibly
# lost" (valgrind-libgomp.supp). Usage: valgrind_cli.sh SIMDNN_EXE WORK_DIR
set -eu
exe=$1
dir=$2/valgrind_cli
rm -rf "$dir"
mkdir -p "$dir/data"
# valgrind 3.19 cannot run AVX-512: cap the kernels at AVX2 where the CPU has AVX-512.
if "$exe" info | grep -q '^runs:.*avx512'; then
    export SIMDNN_ISA=avx2
fi
# IDX: 64 (train) and 16 (test) images of 8×8 random pixels, labels 0-9.
idx() { # stem count
    printf '\0\0\10\3\0\0\0'"$(printf '\\%03o' "$2")"'\0\0\0\10\0\0\0\10' >"$dir/data/$1-images-idx3-ubyte"
    head -c $(($2 * 64)) /dev/urandom >>"$dir/data/$1-images-idx3-ubyte"
    printf '\0\0\10\1\0\0\0'"$(printf '\\%03o' "$2")" >"$dir/data/$1-labels-idx1-ubyte"
    i=0
    while [ $i -lt "$2" ]; do
        printf "\\$(printf '%03o' $((i % 10)))" >>"$dir/data/$1-labels-idx1-ubyte"
        i=$((i + 1))
    done
}
idx train 64
idx t10k 16
vg() {
    valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
        --suppressions="$(dirname "$0")/valgrind-libgomp.supp" "$exe" "$@"
}
vg train --dataset idx --data "$dir/data" --out "$dir/run" --layers 2 --units 16 --batch-norm \
    --dropout 0.2 --epochs 2 --batch-size 16 --progress quiet --threads 2
vg evaluate --model "$dir/run" --data "$dir/data" --dataset idx --threads 2
vg predict --model "$dir/run" --data "$dir/data" --dataset idx --mc-samples 3 \
    --output "$dir/pred.csv" --threads 2
echo "valgrind: train, evaluate and predict clean"
