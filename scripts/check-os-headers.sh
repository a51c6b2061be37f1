#!/bin/sh
# Only the host layer talks to the operating system: outside src/platform/, the library (src/,
# simd/, support/), the tool (apps/) and its profiler (profile/) include the C11 standard headers,
# the compiler's (intrinsics, cpuid, OpenMP) and their libraries' (libarchive, MPI, zlib) only,
# and call none of the POSIX-only functions listed below. Prints each offending line with its file
# and exits 1 if there is one.
# Run by ctest (os_headers) in every build.
#   scripts/check-os-headers.sh [source root]
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
allowed='assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal
stdalign stdarg stdatomic stdbool stddef stdint stdio stdlib stdnoreturn string tgmath threads
time uchar wchar wctype immintrin arm_neon cpuid omp archive archive_entry mpi zlib'
pattern=$(printf '%s\n' $allowed | sed 's/.*/^&\\.h$/' | paste -sd'|' -)
bad=$(grep -rn --include='*.c' --include='*.h' --include='*.inc' -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' \
        src simd apps profile support | grep -v '^src/platform/' |
    while IFS= read -r line; do
        header=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*<\([^>]*\)>.*/\1/')
        printf '%s\n' "$header" | grep -Eq "$pattern" || printf '%s\n' "$line"
    done)
# Calls that compile on Linux through standard headers but have no Windows equivalent (or behave
# differently there: aligned blocks are not free()'s, rename does not replace, fopen, remove,
# mkdir and stat take the ANSI code page, not UTF-8): each has its sdn_ form in platform.h.
calls=$(grep -rnE --include='*.c' --include='*.h' --include='*.inc' \
    '(^|[^_[:alnum:].>])(aligned_alloc|posix_memalign|clock_gettime|open_memstream|fmemopen|mkstemp|mkdtemp|fork|sysconf|getauxval|rename|fopen|remove|mkdir|stat|pthread_[a-z_]+)[[:space:]]*\(' \
    src simd apps profile support | grep -v '^src/platform/')
if [ -n "$bad$calls" ]; then
    [ -z "$bad" ] || printf '%s\n' "$bad"
    [ -z "$calls" ] || printf '%s\n' "$calls"
    echo "check-os-headers: OS headers or calls outside src/platform/ (call src/platform/platform.h" \
        "instead)" >&2
    exit 1
fi
echo "check-os-headers: src/, simd/, apps/, profile/ and support/ include no OS header and make no POSIX-only call" \
    "outside src/platform/"
