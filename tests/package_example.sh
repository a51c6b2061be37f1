#!/bin/sh
# simdnn as a user's dependency: `cmake --install` into a fresh prefix, then
# examples/train_save_load.c built against that tree four ways (find_package: simdnn::simdnn and
# simdnn::simdnn_static; pkg-config: shared, and static from --static) and once through
# add_subdirectory of the source tree, each one run; and a consumer of the deprecated sdn_init(),
# which must build with the deprecation warning.
# $1 the build tree, $2 examples/, $3 a scratch folder. Environment: CMAKE, CC, GENERATOR, and
# for a cross build TOOLCHAIN, EMULATOR (a command prefix), PKG_CONFIG_LIBDIR (the target's .pc).
set -eu
build=$1 examples=$2 work=$3
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"
command -v pkg-config >/dev/null || { echo "pkg-config not found (Debian: pkg-config)"; exit 1; }

step() { echo "--- $*"; }
run_example() { # binary name: trains, saves, reloads, compares
    ${EMULATOR:-} "$work/$1" "$work/$1.safetensors"
}

step "install into $prefix"
"$CMAKE" --install "$build" --prefix "$prefix" >"$work/install.log"
pc=$(find "$prefix" -name simdnn.pc)
config=$(find "$prefix" -name simdnnConfig.cmake)
if [ -z "$pc" ] || [ -z "$config" ]; then
    echo "simdnn.pc or simdnnConfig.cmake was not installed"
    exit 1
fi
libdir=$(dirname "$(dirname "$pc")")
ls "$libdir"/libsimdnn.a "$libdir"/libsimdnn.so.*.* >/dev/null
${EMULATOR:-} "$prefix/bin/simdnn" info >/dev/null

for kind in shared static; do
    step "find_package(simdnn CONFIG), $kind"
    static=OFF
    [ $kind = static ] && static=ON
    "$CMAKE" -S "$examples" -B "$work/cmake-$kind" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_COMPILER="$CC" ${TOOLCHAIN:+-DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN"} \
        -Dsimdnn_DIR="$(dirname "$config")" -DSIMDNN_EXAMPLE_STATIC=$static >"$work/cmake-$kind.log"
    "$CMAKE" --build "$work/cmake-$kind" >>"$work/cmake-$kind.log"
    cp "$work/cmake-$kind/train_save_load" "$work/cmake-$kind-example"
    run_example "cmake-$kind-example"
done

step "add_subdirectory: the static library only, no tool, no tests"
mkdir -p "$work/sub"
cat >"$work/sub/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.21)
project(consumer LANGUAGES C)
add_subdirectory("$(dirname "$examples")" simdnn)
add_executable(sub-example "$examples/train_save_load.c")
target_link_libraries(sub-example PRIVATE simdnn::simdnn)
CMAKE
"$CMAKE" -S "$work/sub" -B "$work/sub/build" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$CC" ${TOOLCHAIN:+-DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN"} >"$work/sub.log"
if "$CMAKE" --build "$work/sub/build" --target help | grep -E 'simdnn_cli|simdnn_shared|test_'; then
    echo "a subproject build should have none of these targets"
    exit 1
fi
"$CMAKE" --build "$work/sub/build" --target sub-example >>"$work/sub.log"
cp "$work/sub/build/sub-example" "$work/sub-example"
run_example sub-example

export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ -n "${PKG_CONFIG_LIBDIR:-}" ] || unset PKG_CONFIG_LIBDIR
cflags=$(pkg-config --cflags simdnn)
libs=$(pkg-config --libs simdnn)
static_libs=$(pkg-config --static --libs simdnn)
step "pkg-config simdnn $(pkg-config --modversion simdnn), shared: $cflags $libs"
"$CC" -O2 "$examples/train_save_load.c" $cflags $libs \
    -Wl,-rpath,"$(pkg-config --variable=libdir simdnn)" -o "$work/pc-shared"
run_example pc-shared

# A program written against the header before sdn_init became sdn_dispatch_init: it builds with a
# deprecation warning naming the new call (not an error) and runs against libsimdnn.so.
step "a consumer of the deprecated sdn_init(): a warning, not an error"
cat >"$work/old_api.c" <<'C'
#include <simdnn.h>
int main(void) { return sdn_init() == SDN_OK && sdn_active_isa() < SDN_ISA_COUNT ? 0 : 1; }
C
LC_ALL=C "$CC" -O2 -Wall "$work/old_api.c" $cflags $libs \
    -Wl,-rpath,"$(pkg-config --variable=libdir simdnn)" -o "$work/old-api" \
    2>"$work/old-api.log" || {
    cat "$work/old-api.log"
    echo "a call to the deprecated sdn_init() no longer builds"
    exit 1
}
if ! grep -q "warning: 'sdn_init' is deprecated: use sdn_dispatch_init" "$work/old-api.log"; then
    cat "$work/old-api.log"
    echo "sdn_init() built without the deprecation warning"
    exit 1
fi
grep -m1 "is deprecated" "$work/old-api.log"
${EMULATOR:-} "$work/old-api"

# pkg-config --static lists what libsimdnn.a needs; its -lsimdnn becomes the archive itself.
# That expands libarchive's own private libraries too, whose -dev packages scripts/deps.sh
# installs for the host only: a cross build stops here.
if [ -n "${PKG_CONFIG_LIBDIR:-}" ]; then
    echo "the package works four ways (cross build: no pkg-config --static)"
    exit 0
fi
step "pkg-config --static: $static_libs"
static_libs=$(echo "$static_libs" | sed "s|-lsimdnn|$libdir/libsimdnn.a|")
"$CC" -O2 "$examples/train_save_load.c" $cflags $static_libs -o "$work/pc-static"
run_example pc-static
echo "the package works five ways"
