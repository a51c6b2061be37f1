#!/bin/sh
# cmocka for the windows preset: Debian ships no Windows build of it, so this cross-builds Debian's
# own source package (apt-get source cmocka; needs a deb-src line) with the MinGW-w64 toolchain
# into build-windows-deps/ (static library and header), where the toolchain file finds it; with
# MinGW-w64's printf, as simdnn, so that its messages print %zu.
# Usage: scripts/windows-cmocka.sh   (does nothing when build-windows-deps/lib/libcmocka.a exists)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
prefix="$root/build-windows-deps"
[ -f "$prefix/lib/libcmocka.a" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get source --download-only cmocka >log 2>&1 && ! apt-get source cmocka >log 2>&1; then
    cat log >&2
    echo "windows-cmocka.sh: cannot fetch Debian's cmocka source. Add a deb-src line for" \
        "your Debian suite (e.g. /etc/apt/sources.list.d/debian-src.sources with" \
        "'Types: deb-src'), run apt-get update, and try again." >&2
    exit 1
fi
[ -d cmocka-*/src ] || dpkg-source -x cmocka_*.dsc >/dev/null
src=$(ls -d cmocka-*/ | head -n 1)
cmake -S "$src" -B build -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/x86_64-w64-mingw32.cmake" \
    -DCMAKE_C_FLAGS=-D__USE_MINGW_ANSI_STDIO=1 \
    -DCMAKE_BUILD_TYPE=Release -DWITH_STATIC_LIB=ON -DUNIT_TESTING=OFF -DWITH_EXAMPLES=OFF \
    -DCMAKE_INSTALL_PREFIX="$work/install" >build.log 2>&1 || { cat build.log >&2; exit 1; }
cmake --build build --target cmocka-static >>build.log 2>&1 || { cat build.log >&2; exit 1; }
mkdir -p "$prefix/include" "$prefix/lib"
cp "$src/include/cmocka.h" "$src/include/cmocka_pbc.h" "$prefix/include/"
cp build/src/libcmocka-static.a "$prefix/lib/libcmocka.a"
echo "windows-cmocka.sh: cmocka $(basename "$src" | sed 's/cmocka-//; s/\///') for MinGW-w64 in $prefix"
