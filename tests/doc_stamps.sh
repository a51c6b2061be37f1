#!/usr/bin/env bash
# scripts/check-doc-stamps.sh catches a stale doc: a stamp made now passes; the same doc with its
# hash tampered fails, naming the doc and both hashes; a malformed stamp fails; a check that
# cannot run fails; a folder without stamps fails. The checks train on a tiny generated folder.
#   doc_stamps.sh SCRIPT BUILD_DIR MAKE_TOY_CIFAR SCRATCH
set -euo pipefail
script=$1 build=$2 make_toy=$3 dir=$4
rm -rf "$dir"
mkdir -p "$dir/docs/sub"
dir=$(cd "$dir" && pwd)
"$make_toy" "$dir/toy" 40 >/dev/null
args="train --layers 2 --units 16 --epochs 1 --batch-size 16 --threads 1 --data $dir/toy"
fail() { echo "doc_stamps: $*" >&2; exit 1; }

"$script" --build "$build" --stamp "$args" --threads 1 >"$dir/stamp.txt"
grep -Eq '^<!-- simdnn-stamp commit=[0-9a-f]{12} isa=[a-z0-9]+ threads=1 round_trip_ns=[0-9]+ load=[0-9.]+ check="[^"]+" hash=[0-9a-f]{16} -->$' \
    "$dir/stamp.txt" || fail "not a stamp: $(cat "$dir/stamp.txt")"
hash=$(sed -n 's/.* hash=\([0-9a-f]*\) -->$/\1/p' "$dir/stamp.txt")
[ "$("$script" --build "$build" --hash "$args")" = "$hash" ] || fail "--hash differs from --stamp"
{ echo "# A report"; echo; echo "| a | 1 |"; echo; cat "$dir/stamp.txt"; } >"$dir/docs/sub/report.md"
"$script" --build "$build" --docs "$dir/docs" || fail "a fresh stamp does not pass"

# tampered: another hash in a copy of the stamp
other=0123456789abcdef
[ "$hash" != "$other" ] || other=fedcba9876543210
sed "s/hash=$hash/hash=$other/" "$dir/docs/sub/report.md" >"$dir/docs/tampered.md"
if "$script" --build "$build" --docs "$dir/docs" 2>"$dir/err.txt"; then
    fail "a tampered stamp passes"
fi
grep -q "tampered.md is stale: its stamp says hash $other, .* gives $hash now" "$dir/err.txt" ||
    fail "the failure does not name the doc and both hashes: $(cat "$dir/err.txt")"
grep -q "sub/report.md" "$dir/err.txt" && fail "the good doc was reported too"

# other arithmetic (another seed), same stamp: stale
rm "$dir/docs/tampered.md"
sed "s/--threads 1 /--threads 1 --seed 7 /" "$dir/docs/sub/report.md" >"$dir/docs/seed.md"
"$script" --build "$build" --docs "$dir/docs" 2>"$dir/err.txt" && fail "another seed's hash passes"
grep -q "seed.md is stale" "$dir/err.txt" || fail "no stale seed.md: $(cat "$dir/err.txt")"

# malformed, and a check that cannot run
rm "$dir/docs/seed.md"
echo '<!-- simdnn-stamp commit=abc check="info" hash=12 -->' >"$dir/docs/bad.md"
"$script" --build "$build" --docs "$dir/docs" 2>"$dir/err.txt" && fail "a malformed stamp passes"
grep -q "bad.md: malformed stamp" "$dir/err.txt" || fail "no malformed message: $(cat "$dir/err.txt")"
sed "s|--data $dir/toy|--data $dir/nothing|" "$dir/docs/sub/report.md" >"$dir/docs/bad.md"
"$script" --build "$build" --docs "$dir/docs" 2>"$dir/err.txt" && fail "a failing check passes"
grep -q "bad.md: its check failed to run" "$dir/err.txt" || fail "no failed-run message"
rm -rf "$dir/docs"
mkdir -p "$dir/docs"
"$script" --build "$build" --docs "$dir/docs" 2>/dev/null && fail "no stamp at all passes"
echo "doc_stamps: fresh stamp passes; tampered, other seed, malformed, failing and none fail"
