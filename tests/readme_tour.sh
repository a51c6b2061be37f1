#!/usr/bin/env bash
# README.md's tour, run as written, top to bottom: every command line of its "## Tour" code block
# (comments after the command dropped), in a fresh folder whose build/ is this build, with
# SIMDNN_DATA pointing at a tiny generated CIFAR-10 folder instead of the real tarball. The
# configure-and-build line is skipped (ctest runs on that build). Fails on the first command that
# fails, naming it.
#   readme_tour.sh README.md BUILD_DIR MAKE_TOY_CIFAR SCRATCH
set -euo pipefail
readme=$1 build=$2 make_toy=$3 dir=$4
rm -rf "$dir"
mkdir -p "$dir"
"$make_toy" "$dir/toy" 40 >/dev/null
ln -s "$(cd "$build" && pwd)" "$dir/build"
# the tour's commands: indented lines between "## Tour" and the next heading
awk '/^## / { tour = ($0 == "## Tour") } tour && /^    [^ ]/ { sub(/^    /, ""); print }' \
    "$readme" >"$dir/tour.txt"
n=$(wc -l <"$dir/tour.txt")
[ "$n" -ge 5 ] || { echo "readme_tour: found $n command lines in $readme's tour" >&2; exit 1; }
grep -q '^build/simdnn train' "$dir/tour.txt" || { echo "readme_tour: no train in the tour" >&2; exit 1; }
cd "$dir"
ran=0
while IFS= read -r line; do
    cmd=$(sed 's/[[:space:]][[:space:]]*#.*$//' <<<"$line")
    case $cmd in
        cmake\ *) echo "readme_tour: skipped (ctest's own build): $cmd"; continue ;;
        export\ SIMDNN_DATA=*) cmd="export SIMDNN_DATA=$PWD/toy" ;;
    esac
    echo "readme_tour: $ $cmd"
    if ! eval "$cmd" >"log.txt" 2>&1; then
        cat log.txt >&2
        echo "readme_tour: README.md's tour fails at: $line" >&2
        exit 1
    fi
    ran=$((ran + 1))
done <tour.txt
echo "readme_tour: $ran commands of the tour ran"
