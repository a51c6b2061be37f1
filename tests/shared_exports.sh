#!/bin/sh
# libsimdnn.so (or libsimdnn.dll) exports exactly the functions the public headers mark SDN_API: nothing internal
# (kernels, test hooks), nothing missing. $1 nm, $2 the shared library, $3... the public headers.
nm=$1 lib=$2
shift 2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
case $lib in
*.dll) # a Windows DLL: its export table, from the objdump beside the cross nm
    "${nm%nm}objdump" -p "$lib" | awk '/\[Ordinal\/Name Pointer\] Table/ {t = 1; next}
        t && /^[[:space:]]*\[/ {print $NF; next} t {t = 0}' | sort >"$tmp/exported" ;;
*) "$nm" -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort >"$tmp/exported" ;;
esac
# Each declaration's name is the last word before its "(" (declarations may span lines).
grep -hv "^#" "$@" | tr '\n' ' ' | grep -o 'SDN_API[^(;]*(' | sed 's/ *($//; s/.*[ *]//' |
    sort >"$tmp/declared"
[ -s "$tmp/declared" ] || { echo "no SDN_API declarations found in $*"; exit 1; }
if ! diff "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
    echo "exports of $lib differ from the SDN_API declarations (< declared only, > exported only):"
    grep '^[<>]' "$tmp/diff"
    exit 1
fi
echo "$(wc -l <"$tmp/exported") symbols exported, each declared SDN_API"
