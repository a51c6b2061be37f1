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
# ---- reliability (issue 13): ThreadSanitizer on the tests that start threads (no OpenMP in this
# build: libgomp is not instrumented); then the fuzz regression, every libFuzzer target for a short
# fixed time from its committed corpus (needs clang and libclang-rt-14-dev, else skipped, said so).
echo "=== tsan: configure, build, test"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target test_concurrency test_fit test_model
ctest --preset tsan -j "$jobs"
fuzz_seconds=${SIMDNN_FUZZ_SECONDS:-10}
if command -v clang >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' |
    clang -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
    echo "=== fuzz: regression run, ${fuzz_seconds} s per target"
    scripts/fuzz.sh --time "$fuzz_seconds"
else
    echo "=== fuzz: skipped (install clang libclang-rt-14-dev)"
fi
# ---- end reliability
echo "=== all suites passed"
