#!/usr/bin/env bash
# Installs what the tests need (scripts/deps.sh), then builds and runs every test suite: native
# release (with the installed-package example), the lint checks (long functions, clang-format,
# the levels of src/), the Python package's pytest suite on that build, a release build without
# OpenMP, sanitizers (ASan+UBSan), AArch64 under qemu-aarch64 with two OpenMP threads, and Windows
# (MinGW-w64) under wine64; between them, the same-bits check of every ISA on real CIFAR-10.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sdn_require_packages "${SDN_DEPS_TEST[@]}" "${SDN_DEPS_AARCH64[@]}" "${SDN_DEPS_WINDOWS[@]}"
sdn_require_packages "${SDN_DEPS_RELIABILITY[@]}" # reliability: clang, valgrind
sdn_require_packages "${SDN_DEPS_LINT[@]}"        # lint: clang-format-14
jobs=$(nproc 2>/dev/null || echo 2)

run_suite() {
    local preset=$1
    echo "=== $preset: configure, build, test"
    cmake --preset "$preset" -DSIMDNN_BUILD_TESTS=ON >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    ctest --preset "$preset" -j "$jobs"
}

# Same seed, same bits on every ISA this CPU runs (and NEON under qemu, after the aarch64 suite):
# real CIFAR-10 against scripts/same-bits.txt.
data=${SIMDNN_DATA:-../shared/datasets/cifar-10-binary.tar.gz}
same_bits() {
    echo "=== same bits: ${*:-native ISAs}"
    if [ -e "$data" ]; then
        scripts/check-same-bits.sh --data "$data" "$@"
    else
        echo "SKIPPED: no CIFAR-10 at $data (set SIMDNN_DATA) for scripts/check-same-bits.sh"
    fi
}

run_suite release
# ---- lint: functions <= 80 lines and files <= 500 in every C folder, .clang-format, and the
# levels of src/ (no upward use, no circle: includes, and calls from the release build's objects)
echo "=== lint: long functions, clang-format, levels"
scripts/long-functions.sh
scripts/check-format.sh
python3 scripts/check-layers.py --objects build/CMakeFiles/simdnn_objects.dir
same_bits
# ---- the docs' stamps: each committed figure's quick check still gives the hash it was made with
# (scripts/regen-docs.sh makes them again when the arithmetic changes)
echo "=== docs: stamps"
if [ -e "$data" ]; then
    scripts/check-doc-stamps.sh --data "$data"
else
    echo "SKIPPED: no CIFAR-10 at $data (set SIMDNN_DATA) for scripts/check-doc-stamps.sh"
fi
# ---- the Python package over the release build's libsimdnn.so and simdnn tool (python/tests):
# Debian's interpreter, where sdn_require_packages put NumPy and pytest
echo "=== python: pytest"
SIMDNN_LIBRARY="$PWD/build/libsimdnn.so" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    python/tests
run_suite noomp # SIMDNN_OPENMP=OFF, as tsan and fuzz build: every test must hold on one thread
run_suite sanitize
run_suite aarch64
same_bits --build build-aarch64 --emulator "qemu-aarch64 -L /" --isa neon
# ---- Windows: cmocka cross-built from Debian's source, the suite under wine64 (two OpenMP
# threads), then the same bits from simdnn.exe on every ISA this CPU runs (the folder: no
# libarchive in that build; check-same-bits unpacks a tarball itself)
scripts/windows-cmocka.sh
# Wine's prefix made once, before ctest starts tests two at a time: two first starts on a fresh
# prefix race ("fixed a temporary directory error, please try running the same command again")
mkdir -p build-windows
WINEDEBUG=-all WINEPREFIX="$PWD/build-windows/wine" /usr/lib/wine/wine64 cmd /c exit >/dev/null 2>&1 ||
    true
run_suite windows
WINEDEBUG=-all WINEPREFIX="$PWD/build-windows/wine" \
    same_bits --build build-windows --emulator /usr/lib/wine/wine64
# ---- data-parallel training over MPI (tests labelled mpi, under mpirun -np 2) ----
sdn_require_packages "${SDN_DEPS_MPI[@]}"
run_suite mpi
# ---- reliability: ThreadSanitizer on the tests that start threads (no OpenMP in this
# build: libgomp is not instrumented); then the fuzz regression, every libFuzzer target for a short
# fixed time from its committed corpus.
echo "=== tsan: configure, build, test"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target test_concurrency test_reentrant test_fit test_model
ctest --preset tsan -j "$jobs"
echo "=== fuzz: regression run, ${SIMDNN_FUZZ_SECONDS:-10} s per target"
scripts/fuzz.sh --time "${SIMDNN_FUZZ_SECONDS:-10}"
echo "=== all suites passed"
