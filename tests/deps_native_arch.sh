#!/usr/bin/env bash
# scripts/deps.sh asks dpkg for the native architecture's package: on an amd64 machine with the
# arm64 suite's libarchive-dev:arm64 and without libarchive-dev:amd64, libarchive-dev is missing.
# A fake dpkg, dpkg-query, apt-get and id on PATH play that machine; apt-get only records.
# $1 scripts/deps.sh, $2 a scratch folder.
set -euo pipefail
deps=$1 work=$2
rm -rf "$work"
mkdir -p "$work/bin"
# name, architecture, status: what dpkg-query answers from
cat >"$work/db" <<'DB'
libarchive-dev arm64 install ok installed
libarchive-dev amd64 unknown ok not-installed
libc6 amd64 install ok installed
libc6 arm64 install ok installed
libgomp1 amd64 install ok installed
cmake amd64 install ok installed
gcc amd64 install ok installed
libc6-dev amd64 install ok installed
ninja-build amd64 install ok installed
cmake-data all install ok installed
held amd64 hold ok installed
gone-doc all deinstall ok config-files
DB
# dpkg-query -W -f=FORMAT pkg[:arch]: a bare name answers for every architecture; pkg:arch only
# for that one (so an Architecture: all package is not found as pkg:amd64, as in dpkg 1.21).
cat >"$work/bin/dpkg-query" <<'SH'
#!/bin/sh
fmt=${2#-f=} pkg=$3
case $pkg in *:*) name=${pkg%%:*} arch=${pkg#*:} ;; *) name=$pkg arch= ;; esac
awk -v name="$name" -v arch="$arch" -v fmt="$fmt" '
$1 == name && (arch == "" || $2 == arch) {
    out = fmt
    gsub(/\$\{Status\}/, $3 " " $4 " " $5, out)
    gsub(/\$\{Architecture\}/, $2, out)
    gsub(/\\n/, "\n", out)
    printf "%s", out
    found = 1
}
END { exit !found }' "$FAKE_DPKG_DB" && exit 0
echo "dpkg-query: no packages found matching $pkg" >&2
exit 1
SH
cat >"$work/bin/dpkg" <<'SH'
#!/bin/sh
case $1 in
--print-architecture) echo amd64 ;;
--print-foreign-architectures) echo arm64 ;;
*) echo "dpkg $*" >>"$FAKE_LOG" ;;
esac
SH
printf '#!/bin/sh\necho "apt-get $*" >>"$FAKE_LOG"\n' >"$work/bin/apt-get"
printf '#!/bin/sh\necho 0\n' >"$work/bin/id"
chmod +x "$work/bin/"*
export PATH="$work/bin:$PATH" FAKE_DPKG_DB="$work/db" FAKE_LOG="$work/log"
source "$deps"

fail=0
expect() { # what, want, got
    if [ "$2" != "$3" ]; then
        printf '%s: want [%s], got [%s]\n' "$1" "$2" "$3"
        fail=1
    fi
}
got=$(sdn_missing_packages libarchive-dev libc6 libc6:arm64 libgomp1 libgomp1:arm64 cmake \
    cmake-data gone-doc held | sort | tr '\n' ' ')
expect "missing packages" "gone-doc libarchive-dev libgomp1:arm64 " "$got"
got=$(sdn_missing_packages libarchive-dev:arm64 libarchive-dev:amd64 cmake-data:all | tr '\n' ' ')
expect "qualified names" "libarchive-dev:amd64 " "$got"
# Every package is there: nothing to install, apt-get is not run.
: >"$FAKE_LOG"
sdn_require_packages cmake cmake-data libc6:arm64
expect "all installed" "" "$(cat "$FAKE_LOG")"
# The main job's list installs the native libarchive-dev, under the bare name (apt-get's default
# architecture is the native one).
sdn_require_packages "${SDN_DEPS_BUILD[@]}" >/dev/null
expect "apt-get install" \
    "apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends libarchive-dev" \
    "$(grep install "$FAKE_LOG")"
[ $fail -eq 0 ] && echo "native architecture asked for; arch-all packages found"
exit $fail
