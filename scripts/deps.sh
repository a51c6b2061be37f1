# The Debian packages each command needs, in one place, and sdn_require_packages, which installs
# the missing ones: as root with apt-get, else through `sudo -n`, else it names them and fails.
# Sourced by scripts/run-exercise.sh and scripts/test-all.sh (.ci/run runs the latter).

# The main job: build the library and the simdnn tool, read the CIFAR-10 tarball.
SDN_DEPS_BUILD=(cmake ninja-build gcc libc6-dev libarchive-dev)
# The native and sanitizer suites: cmocka, pkg-config and the installed-package example;
# qemu-user for the pre-AVX dispatch test. A static link of libsimdnn.a through `pkg-config
# --static` also names libarchive's own private libraries, whose -dev packages these are. The
# Python package's suite (python/tests): NumPy, pytest, and pip, setuptools and venv for its
# install test.
SDN_DEPS_TEST=("${SDN_DEPS_BUILD[@]}" libcmocka-dev pkg-config qemu-user
    libacl1-dev libbz2-dev liblz4-dev liblzma-dev libxml2-dev libzstd-dev nettle-dev zlib1g-dev
    python3 python3-numpy python3-pytest python3-setuptools python3-pip python3-venv)
# The AArch64 suite: the cross compiler with its libc, and Debian's arm64 runtime for qemu
# (`qemu-aarch64 -L /` starts threads with it) with OpenMP, libarchive and cmocka.
SDN_DEPS_AARCH64=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
    libc6:arm64 libgomp1:arm64 libarchive-dev:arm64 libcmocka-dev:arm64)
# The windows suite: the MinGW-w64 cross compilers (posix threads variant, with libgomp), wine64
# to run the tests, dpkg-dev for `apt-get source cmocka` (scripts/windows-cmocka.sh cross-builds
# Debian's cmocka source, which needs a deb-src line).
SDN_DEPS_WINDOWS=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 mingw-w64 wine64 dpkg-dev)
# The benchmarks beside their peers (scripts/bench.sh): Google Benchmark, OpenBLAS (a comparison
# target only, never linked into the library) and PyTorch.
SDN_DEPS_BENCH=("${SDN_DEPS_BUILD[@]}" g++ libbenchmark-dev libopenblas-dev python3 python3-torch)
# ---- the mpi suite (data-parallel training under mpirun) ----
SDN_DEPS_MPI=(libopenmpi-dev openmpi-bin)

# ---- reliability: clang and its libFuzzer runtime for the fuzz targets, valgrind for
# the memcheck of the CLI (scripts/test-all.sh)
SDN_DEPS_RELIABILITY=(clang libclang-rt-14-dev valgrind)

# ---- lint (scripts/check-format.sh): clang-format by its version, since another version
# formats some constructs differently
SDN_DEPS_LINT=(clang-format-14)

# Whether a Debian package is installed: pkg:arch for the architecture it names, else for this
# machine's. A bare `dpkg-query -W pkg` answers for every architecture installed, so the arm64
# suite's libarchive-dev:arm64 would pass for the amd64 one the native build links. (Answers are
# read from a variable: `| grep -q` may end dpkg-query by SIGPIPE, a failure under pipefail.)
sdn_package_installed() { # package native-arch
    local q=$1 answer
    [[ $q == *:* ]] || q=$1:$2
    answer=$(dpkg-query -W -f='${Status}\n' "$q" 2>/dev/null)
    [[ $answer == *' ok installed' ]] && return 0
    [[ $1 == *:* ]] && return 1
    # An Architecture: all package answers to its bare name only (pkg:amd64 finds nothing).
    answer=$(dpkg-query -W -f='${Status} ${Architecture}\n' "$1" 2>/dev/null)
    [[ $answer == *' ok installed all' ]]
}

# Prints the packages of the arguments that are not installed, one a line.
sdn_missing_packages() { # package...
    local native p
    native=$(dpkg --print-architecture)
    for p in $(printf '%s\n' "$@" | sort -u); do
        sdn_package_installed "$p" "$native" || echo "$p"
    done
}

sdn_require_packages() { # package...
    if ! command -v dpkg-query >/dev/null; then
        echo "not a Debian system: make sure these (Debian names) are installed: $*" >&2
        return 0
    fi
    local missing=()
    mapfile -t missing < <(sdn_missing_packages "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    local as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            as_root=(sudo -n)
        else
            echo "error: these Debian packages are missing: ${missing[*]}" >&2
            echo "install them as root (apt-get install ${missing[*]}), then run this again" >&2
            return 1
        fi
    fi
    if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
        ! dpkg --print-foreign-architectures | grep -qx arm64; then
        "${as_root[@]}" dpkg --add-architecture arm64
    fi
    echo "=== installing ${missing[*]}"
    local apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=600)
    "${apt[@]}" update -qq
    "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
}
