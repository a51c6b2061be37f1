#!/usr/bin/env bash
# The speed figures beside their peers, in one run: simdnn's GEMM against OpenBLAS (AVX2 and
# AVX-512 kernels; OpenBLAS with OPENBLAS_CORETYPE=Haswell and with its own choice), then the
# training step against PyTorch for the four exercise models, on 1 and 2 threads. Installs what it
# needs (scripts/deps.sh: SDN_DEPS_BENCH). Timing on a shared machine is noisy: run it when the
# machine is quiet, read ratios from one run, and repeat.
#   scripts/bench.sh [gemm|train|cnn]...   (default: gemm and train)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sdn_require_packages "${SDN_DEPS_BENCH[@]}"
cmake --preset bench >/dev/null
cmake --build --preset bench -j "$(nproc 2>/dev/null || echo 2)" --target simdnn_bench
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(gemm train)
for w in "${what[@]}"; do
    case $w in
        gemm)
            # each ISA against OpenBLAS's kernels of its width: AVX-512 against OpenBLAS's own
            # choice, AVX2 against its Haswell kernels
            for isa in avx512 avx2; do
                if ! SIMDNN_ISA=$isa ./build-bench/simdnn_bench --benchmark_list_tests >/dev/null 2>&1
                then
                    echo "=== GEMM: $isa: not on this CPU"
                    continue
                fi
                core=$([ $isa = avx2 ] && echo Haswell || echo unset)
                echo "=== GEMM: simdnn $isa against OpenBLAS ($core)"
                SIMDNN_ISA=$isa /usr/bin/python3 benchmarks/compare_gemm.py \
                    --bench build-bench/simdnn_bench --isa $isa --coretypes $core --reps 3
            done ;;
        train)
            echo "=== training step: simdnn against PyTorch"
            /usr/bin/python3 benchmarks/compare_train.py --bench build-bench/simdnn_bench \
                --variants elu-he,batchnorm,selu,alpha-dropout ;;
        cnn)
            echo "=== training step of the CIFAR-10 CNN: simdnn against PyTorch (channels_last)"
            /usr/bin/python3 benchmarks/compare_train.py --bench build-bench/simdnn_bench --cnn ;;
        *) echo "bench.sh: unknown part '$w' (gemm, train, cnn)" >&2; exit 2 ;;
    esac
done
