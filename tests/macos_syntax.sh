#!/bin/sh
# The macOS part of src/platform/posix.c (sysctlbyname cache sizes, the CPU's name, thread ids)
# compiled for syntax and types on Linux: __APPLE__ defined, __linux__ not, the two Darwin calls
# declared by tests/macos_stub/ as the SDK declares them. No Apple SDK is needed.
#   macos_syntax.sh CC SOURCE_ROOT
cc=$1 root=$2
exec "$cc" -fsyntax-only -std=gnu11 -Wall -Wextra -Werror -U__linux__ -D__APPLE__ \
    -I"$root/tests/macos_stub" -I"$root/src" -I"$root/include" "$root/src/platform/posix.c"
