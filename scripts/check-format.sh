#!/usr/bin/env bash
# Checks the C and C++ sources of src simd support apps profile include tests benchmarks against
# .clang-format with clang-format 14 (Debian's clang-format-14, installed by scripts/deps.sh):
# another version formats some constructs differently, so the check names the binary by its
# version. Exit 1 lists the files that differ.
#   scripts/check-format.sh          list the files clang-format would change
#   scripts/check-format.sh --fix    rewrite them in place
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
case "${1:-}" in
--fix) fix=1 ;;
"") ;;
*)
    echo "usage: scripts/check-format.sh [--fix]" >&2
    exit 2
    ;;
esac
cf=clang-format-14
if ! command -v "$cf" >/dev/null; then
    echo "error: $cf not found: install Debian's clang-format-14 (scripts/deps.sh," \
        "SDN_DEPS_LINT; apt-get install clang-format-14)" >&2
    exit 2
fi
# Tracked files only (build folders are not ours to format), less generated ones: a generator's
# next run would undo the formatting.
#   tests/golden/golden_values.h   written by tests/golden/make_golden.py
ignore='^tests/golden/golden_values\.h$'
mapfile -t files < <(git ls-files -- src simd support apps profile include tests benchmarks |
    grep -E '\.(c|h|inc|cc|cpp|hpp)$' | grep -Ev "$ignore")
if [ ${#files[@]} -eq 0 ]; then
    echo "error: no sources found (run from a git checkout)" >&2
    exit 2
fi
if [ $fix -eq 1 ]; then
    "$cf" -i --style=file "${files[@]}"
    echo "formatted ${#files[@]} files"
    exit 0
fi
bad=()
for f in "${files[@]}"; do
    "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
    printf '%s\n' "${bad[@]}"
    echo "${#bad[@]} of ${#files[@]} files differ from .clang-format ($cf);" \
        "scripts/check-format.sh --fix rewrites them" >&2
    exit 1
fi
echo "clang-format: ${#files[@]} files clean"
