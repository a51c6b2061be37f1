#!/usr/bin/env bash
# Builds and runs every test suite: native release, sanitizers (ASan+UBSan), and AArch64 under
# qemu-aarch64 (skipped with a notice when the cross toolchain is not installed).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

run_suite() {
    local preset=$1
    echo "=== $preset: configure, build, test"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    ctest --preset "$preset" -j "$jobs"
}

run_suite release
run_suite sanitize
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    run_suite aarch64
else
    echo "=== aarch64: skipped (install gcc-aarch64-linux-gnu qemu-user libcmocka-dev:arm64)"
fi
# ---- i16: data-parallel training over MPI (tests labelled mpi, under mpirun -np 2) ----
if command -v mpirun >/dev/null && command -v mpicc >/dev/null; then
    run_suite mpi
else
    echo "=== mpi: skipped (install libopenmpi-dev openmpi-bin)"
fi
# ---- end i16 ----
echo "=== all suites passed"
