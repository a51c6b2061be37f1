# Cross-compile for 64-bit Windows with Debian's MinGW-w64 (gcc-mingw-w64-x86-64); ctest runs every
# test under wine64. The posix variant of the compiler: Debian's libgomp for MinGW is built on
# winpthreads in both variants, so the posix one gives the compiler's runtime (libgcc, emutls,
# libstdc++ for the benchmarks) the same threads as OpenMP; the library itself calls no threads API.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
# cmocka cross-built from Debian's source (scripts/windows-cmocka.sh) sits in build-windows-deps/.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32 ${CMAKE_CURRENT_LIST_DIR}/../../build-windows-deps)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Self-contained programs and DLL: libgcc, libgomp and winpthreads linked in, so simdnn.exe runs
# from any folder (and under wine) with no MinGW DLL beside it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
# FindOpenMP would name libgomp.dll.a, the import library, whatever -static says: name the archive.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libgomp.a
  OUTPUT_VARIABLE sdn_libgomp OUTPUT_STRIP_TRAILING_WHITESPACE)
if(EXISTS "${sdn_libgomp}")
  set(OpenMP_gomp_LIBRARY "${sdn_libgomp}" CACHE FILEPATH "libgomp, static")
endif()
# wine64 runs each test; Debian puts it outside PATH (/usr/lib/wine).
find_program(SDN_WINE64 NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(SDN_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SDN_WINE64})
endif()
