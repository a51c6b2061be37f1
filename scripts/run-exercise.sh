#!/usr/bin/env bash
# Builds simdnn and runs the whole exercise (8b, 8c, 8d, 8e + MC Dropout) on real CIFAR-10, then,
# where Debian's python3-torch is installed, appends PyTorch's seconds per epoch for the same
# models, data and thread count to the report (SIMDNN_NO_TORCH=1 skips that).
# Data: $1, else SIMDNN_DATA, else ../shared/datasets/cifar-10-binary.tar.gz, else ./data.
# Extra arguments after the data path go to `simdnn exercise`. Installs what the build needs
# (scripts/deps.sh) and builds the simdnn tool only: no tests, no cmocka.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sdn_require_packages "${SDN_DEPS_BUILD[@]}"
data=${1:-${SIMDNN_DATA:-}}
[ $# -gt 0 ] && shift
if [ -z "$data" ]; then
    if [ -e ../shared/datasets/cifar-10-binary.tar.gz ]; then
        data=../shared/datasets/cifar-10-binary.tar.gz
    else
        data=./data
    fi
fi
out=out/exercise
# A tarball (given, or the only CIFAR-10 in a folder) is read through libarchive: a build without
# it must stop at configure, naming the package, not fail on every run after building.
archive=OFF
if [ -f "$data" ] || { [ -f "$data/cifar-10-binary.tar.gz" ] &&
    [ ! -d "$data/cifar-10-batches-bin" ] && [ ! -f "$data/data_batch_1.bin" ] &&
    [ ! -f "$data/test_batch.bin" ]; }; then
    archive=ON
fi
cmake --preset release -DSIMDNN_REQUIRE_LIBARCHIVE=$archive >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target simdnn_cli
./build/simdnn exercise --data "$data" --out "$out" "$@"
if [ -z "${SIMDNN_NO_TORCH:-}" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "timing PyTorch on the same models (one epoch each; SIMDNN_NO_TORCH=1 skips this)"
    if table=$(/usr/bin/python3 benchmarks/torch_epoch.py --data "$data" --report "$out"); then
        printf '\n## Seconds per epoch next to PyTorch\n\n%s\n' "$table" >>"$out/report.md"
        printf '%s\n' "$table"
    fi
fi
