# Cross-compile for 64-bit ARM with Debian's gcc-aarch64-linux-gnu; ctest runs every test under
# qemu-aarch64 (qemu-user). Libraries (libarchive, cmocka, the OpenMP runtime) come from Debian's
# multiarch :arm64 packages in /usr/lib/aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_LIBRARY_PATH /usr/lib/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# qemu takes the runtime from / (Debian's libc6:arm64, libgomp1:arm64): with it, threads start.
# With the cross libc (-L /usr/aarch64-linux-gnu) qemu-user 7.2 hangs in pthread_create.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/)
