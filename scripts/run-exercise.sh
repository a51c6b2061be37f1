#!/usr/bin/env bash
# Builds simdnn and runs the whole exercise (8b, 8c, 8d, 8e + MC Dropout) on real CIFAR-10.
# Data: $1, else SIMDNN_DATA, else ../shared/datasets/cifar-10-binary.tar.gz, else ./data.
# Extra arguments after the data path go to `simdnn exercise`.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${SIMDNN_DATA:-}}
[ $# -gt 0 ] && shift
if [ -z "$data" ]; then
    if [ -e ../shared/datasets/cifar-10-binary.tar.gz ]; then
        data=../shared/datasets/cifar-10-binary.tar.gz
    else
        data=./data
    fi
fi
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)"
exec ./build/simdnn exercise --data "$data" --out out/exercise "$@"
