#!/bin/sh
# cmocka for the windows preset: Debian ships no Windows build of it, so this cross-builds Debian's
# own source package (apt-get source cmocka) with the MinGW-w64 toolchain into
# build-windows-deps/ (static library and header), where the toolchain file finds it; with
# MinGW-w64's printf, as simdnn, so that its messages print %zu. Where apt has no deb-src line,
# it adds one beside the system's deb sources (as root, or through sudo -n; as
# scripts/deps.sh adds the arm64 architecture), else it says what to do.
# Usage: scripts/windows-cmocka.sh   (does nothing when build-windows-deps/lib/libcmocka.a exists)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
prefix="$root/build-windows-deps"
[ -f "$prefix/lib/libcmocka.a" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fetch() { apt-get source --download-only cmocka >log 2>&1; }
# deb-src entries mirroring the deb ones of /etc/apt/sources.list.d/debian.sources (deb822)
add_deb_src() {
    as_root=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 1
        as_root="sudo -n"
    fi
    src=/etc/apt/sources.list.d/debian.sources
    [ -f "$src" ] || return 1
    sed 's/^Types: deb$/Types: deb-src/' "$src" >deb-src.sources
    grep -q '^Types: deb-src' deb-src.sources || return 1
    echo "windows-cmocka.sh: adding deb-src entries (/etc/apt/sources.list.d/simdnn-deb-src.sources)"
    $as_root cp deb-src.sources /etc/apt/sources.list.d/simdnn-deb-src.sources
    $as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
}
if ! fetch && ! { add_deb_src && fetch; }; then
    cat log >&2
    echo "windows-cmocka.sh: cannot fetch Debian's cmocka source. Add a deb-src line for" \
        "your Debian suite (e.g. /etc/apt/sources.list.d/debian-src.sources with" \
        "'Types: deb-src'), run apt-get update, and try again." >&2
    exit 1
fi
dpkg-source -x cmocka_*.dsc >/dev/null 2>&1
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
echo "windows-cmocka.sh: cmocka $(basename "$src" | sed 's/cmocka-//') for MinGW-w64 in $prefix"
