#!/usr/bin/env bash
# A doc cannot silently go stale: every committed figure's doc carries a stamp
#   <!-- simdnn-stamp commit=<12-hex> isa=<isa> threads=<T> round_trip_ns=<n> load=<max 1-min load>
#        check="<args>" hash=<16-hex> -->   (one line)
# where `simdnn <args>` is a quick run whose hash is the same on every ISA and thread count (same
# seed, same bits: scripts/check-same-bits.sh). This reruns each stamp's check with the build's
# simdnn and fails, naming the doc and both hashes, when the code now gives another hash.
#   scripts/check-doc-stamps.sh [--build DIR] [--data PATH] [--docs DIR]
#   scripts/check-doc-stamps.sh --hash "ARGS" [--build DIR] [--data PATH]   # print the hash
#   scripts/check-doc-stamps.sh --stamp "ARGS" [--threads T] [--load L] [--build DIR] [--data PATH]
#                                            # print a stamp and its human-readable footer
# The hash: with --print-hash among the args, the last 16-hex line simdnn prints; otherwise the
# tensors (safetensors data sections, as check-same-bits hashes them) of every model.safetensors
# the run writes under its --out, one "folder hash" line each, hashed together. Data: the real
# CIFAR-10 (--data, else $SIMDNN_DATA, else ../shared/datasets/cifar-10-binary.tar.gz), given to
# every check whose args name no --data of their own and print no hash themselves (those bring
# their own: the labs' --quick runs use generated data); a stamp that needs it fails without it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build docs=docs mode=check args="" threads="" load=""
data=${SIMDNN_DATA:-../shared/datasets/cifar-10-binary.tar.gz}
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift ;;
        --data) data=$2; shift ;;
        --docs) docs=$2; shift ;;
        --hash) mode=hash args=$2; shift ;;
        --stamp) mode=stamp args=$2; shift ;;
        --threads) threads=$2; shift ;;
        --load) load=$2; shift ;;
        *) echo "check-doc-stamps: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
exe=$build/simdnn
[ -x "$exe" ] || { echo "check-doc-stamps: no $exe (build first, or --build DIR)" >&2; exit 2; }
exe=$(cd "$(dirname "$exe")" && pwd)/simdnn
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unpacked=""

# A check that prints its own hash (the labs' --quick runs) brings its own data: generated, the
# same everywhere, so it runs with no data set at all.
needs_data() { case " $1 " in *" --data "* | *" --data="* | *" --print-hash "*) return 1 ;; esac; }

# the real data, unpacked once (a tarball) for every check that takes it: call outside $(...)
find_data() {
    needs_data "$1" && [ -z "$unpacked" ] || return 0
    [ -e "$data" ] || {
        echo "check-doc-stamps: no CIFAR-10 at $data (--data or SIMDNN_DATA) for simdnn $1" >&2
        return 2
    }
    case $data in
        *.tar.gz) tar -xzf "$data" -C "$tmp" && unpacked=$tmp/cifar-10-batches-bin ;;
        *) unpacked=$(cd "$data" && pwd) ;;
    esac
}

# The tensors' bytes: a safetensors file's data section (its header names the run's folders).
tensors() {
    local n
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    tail -c +$((9 + n)) "$1" | sha256sum | cut -c1-16
}

# hash_of ARGS: runs `simdnn ARGS` in a fresh folder and prints the 16-hex hash
hash_of() {
    local -a a
    read -r -a a <<<"$1"
    local out=$tmp/run line hash=""
    rm -rf "$out"
    mkdir -p "$out"
    ! needs_data "$1" || a+=(--data "$unpacked")
    case " $1 " in *" --out "* | *" --out="*) ;; *) a+=(--out "$out/o") ;; esac
    if ! (cd "$out" && env -u SIMDNN_DATA "$exe" "${a[@]}") >"$tmp/log" 2>&1; then
        echo "check-doc-stamps: simdnn $1 failed:" >&2
        tail -20 "$tmp/log" >&2
        return 1
    fi
    if [[ " $1 " == *" --print-hash "* ]]; then
        while read -r line; do
            [[ $line =~ ^[0-9a-f]{16}$ ]] && hash=$line
        done <"$tmp/log"
    else
        hash=$(cd "$out" && find . -name model.safetensors | LC_ALL=C sort | while read -r f; do
            echo "$(dirname "$f") $(tensors "$f")"
        done | sha256sum | cut -c1-16)
        [ -n "$(cd "$out" && find . -name model.safetensors)" ] || hash=""
    fi
    [ -n "$hash" ] || {
        echo "check-doc-stamps: simdnn $1 gave no hash (no model.safetensors, no 16-hex line)" >&2
        return 1
    }
    echo "$hash"
}

if [ $mode = hash ]; then
    find_data "$args"
    hash_of "$args"
    exit
fi
if [ $mode = stamp ]; then
    find_data "$args"
    hash=$(hash_of "$args")
    # the round trip: 0 when a thread gave up waiting for the other (a busy host); tried 3 times
    for _ in 1 2 3; do
        json=$("$exe" info --json)
        rt=$(sed -n 's/.*"round_trip_ns": \([0-9.]*\).*/\1/p' <<<"$json")
        rt=${rt%.*}
        [ "${rt:-0}" = 0 ] || break
    done
    rt=${rt:-0}
    isa=$(sed -n 's/.*"isa": "\([a-z0-9]*\)".*/\1/p' <<<"$json")
    rt_words="core-to-core round trip $rt ns"
    [ "$rt" != 0 ] || rt_words="core-to-core round trip not measured (a thread gave up waiting for the other: the host was busy)"
    [ -n "$threads" ] || threads=$(sed -n 's/.*"threads": \([0-9]*\).*/\1/p' <<<"$json")
    [ -n "$load" ] || load=$(cut -d' ' -f1 /proc/loadavg)
    commit=$(git rev-parse --short=12 HEAD)
    git diff --quiet HEAD -- src simd apps include profile support CMakeLists.txt ||
        echo "check-doc-stamps: warning: uncommitted changes to the code; the stamp names" \
            "$commit, which is not what ran" >&2
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    loaded=""
    awk -v l="$load" 'BEGIN { exit !(l > 1.5) }' &&
        loaded=" The machine was loaded (1-minute load up to $load, above 1.5): timings are slower and noisier than on a quiet machine."
    echo "<!-- simdnn-stamp commit=$commit isa=$isa threads=$threads round_trip_ns=$rt load=$load check=\"$args\" hash=$hash -->"
    echo "*Made at commit $commit on ${cpu:-an unknown CPU}, ISA $isa, $threads thread$([ "$threads" = 1 ] || echo s), $rt_words, 1-minute load up to $load.$loaded \`scripts/check-doc-stamps.sh\` reruns \`simdnn $args\` and expects hash $hash.*"
    exit
fi

# check every stamp under $docs; the same check runs once
declare -A seen
status=0 count=0
while IFS= read -r hit; do
    file=${hit%%:*}
    stamp=${hit#*:}
    re='check="([^"]*)" hash=([0-9a-f]+)'
    if ! [[ $stamp =~ \ commit=[0-9a-f]{12}\  ]] || ! [[ $stamp =~ $re ]]; then
        echo "check-doc-stamps: $file: malformed stamp: $stamp" >&2
        status=1
        continue
    fi
    check=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
    count=$((count + 1))
    if [ -z "${seen[$check]+x}" ]; then
        start=$SECONDS
        if find_data "$check" && got=$(hash_of "$check"); then
            echo "check-doc-stamps: simdnn $check: $got ($((SECONDS - start)) s)"
        else
            got=failed
        fi
        seen[$check]=$got
    fi
    got=${seen[$check]}
    if [ "$got" = failed ]; then
        echo "check-doc-stamps: $file: its check failed to run (above)" >&2
        status=1
    elif [ "$got" != "$want" ]; then
        echo "check-doc-stamps: $file is stale: its stamp says hash $want, simdnn $check gives" \
            "$got now (regenerate it: scripts/regen-docs.sh)" >&2
        status=1
    fi
done < <(grep -rHo --include='*.md' '<!-- simdnn-stamp [^>]*-->' "$docs" | LC_ALL=C sort)
if [ $count = 0 ]; then
    echo "check-doc-stamps: no stamp under $docs" >&2
    exit 1
fi
[ $status = 0 ] && echo "check-doc-stamps: $count stamps under $docs match the code"
exit $status
