#!/bin/sh
# The installed package as a user sees it: `cmake --install` into a fresh prefix, then
# examples/train_save_load.c built against that tree four ways (find_package: simdnn::simdnn and
# simdnn::simdnn_static; pkg-config: shared, and static from --static) and each one run.
# $1 the build tree, $2 examples/, $3 a scratch folder. Environment: CMAKE, CC, GENERATOR, and for
# a cross build TOOLCHAIN, EMULATOR (a command prefix) and PKG_CONFIG_LIBDIR (the target's .pc files).
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
[ -n "$pc" ] && [ -n "$config" ] || { echo "simdnn.pc or simdnnConfig.cmake not installed"; exit 1; }
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

export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ -n "${PKG_CONFIG_LIBDIR:-}" ] || unset PKG_CONFIG_LIBDIR
cflags=$(pkg-config --cflags simdnn)
libs=$(pkg-config --libs simdnn)
static_libs=$(pkg-config --static --libs simdnn)
step "pkg-config simdnn $(pkg-config --modversion simdnn), shared: $cflags $libs"
"$CC" -O2 "$examples/train_save_load.c" $cflags $libs \
    -Wl,-rpath,"$(pkg-config --variable=libdir simdnn)" -o "$work/pc-shared"
run_example pc-shared

# pkg-config --static lists what libsimdnn.a needs; its -lsimdnn becomes the archive itself.
# That expands libarchive's own private libraries too, whose -dev packages scripts/deps.sh
# installs for the host only: a cross build stops here.
[ -z "${PKG_CONFIG_LIBDIR:-}" ] || { echo "the installed package works three ways"; exit 0; }
step "pkg-config --static: $static_libs"
static_libs=$(echo "$static_libs" | sed "s|-lsimdnn|$libdir/libsimdnn.a|")
"$CC" -O2 "$examples/train_save_load.c" $cflags $static_libs -o "$work/pc-static"
run_example pc-static
echo "the installed package works four ways"
