#!/usr/bin/env bash
# Lists C functions longer than a limit (default 80 lines) and files longer than 500 lines, in the
# given folders (default: every folder of C sources). A function whose opening comment says why it
# is long ("long because ...") is listed with "(reason given)". Exit 1 when an unexplained one remains.
#   scripts/long-functions.sh [--limit N] [DIR...]
set -euo pipefail
cd "$(dirname "$0")/.."
limit=80
if [ "${1:-}" = --limit ]; then limit=$2; shift 2; fi
[ $# -gt 0 ] || set -- src simd support apps include tests benchmarks
status=0
while IFS= read -r f; do
    lines=$(wc -l <"$f")
    if [ "$lines" -gt 500 ]; then echo "$f: $lines lines (file)"; status=1; fi
    # a function: a line starting at column 0 that is not a comment/preprocessor line, ending a
    # signature with "{" on the next line at column 0, closed by "}" at column 0
    awk -v limit="$limit" -v file="$f" '
        /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ { sig = $0; sigline = NR }
        /\/\*.*long because/ { why = NR }
        /^\{/ { if (sigline) { start = NR; name = sig } }
        /^\}/ { if (start) { len = NR - start + 1
                    if (len > limit) {
                        reason = (why && why < start && why >= sigline - 6) ? " (reason given)" : ""
                        printf "%s:%d: %d lines: %s%s\n", file, sigline, len, name, reason
                        if (!reason) bad = 1 }
                    start = 0; sigline = 0 } }
        END { exit bad }' "$f" || status=1
done < <(find "$@" -name '*.c' -o -name '*.h' -o -name '*.inc' | sort)
exit $status
