# cmake --install: libsimdnn.a and libsimdnn.so, the headers, the simdnn tool, the CMake package
# (find_package(simdnn CONFIG) → simdnn::simdnn) and simdnn.pc for pkg-config.
include(CMakePackageConfigHelpers)

set(sdn_install_targets simdnn)
if(TARGET simdnn_shared)
  list(APPEND sdn_install_targets simdnn_shared)
endif()
install(TARGETS ${sdn_install_targets} EXPORT simdnnTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(GLOB sdn_public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/*.h)
install(FILES ${sdn_public_headers} ${PROJECT_BINARY_DIR}/include/simdnn_version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET simdnn_cli)
  install(TARGETS simdnn_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The CMake package: targets, their dependencies as this build found them, the version.
set(sdn_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/simdnn)
set(SDN_USES_OPENMP 0)
if(TARGET OpenMP::OpenMP_C AND "OpenMP::OpenMP_C" IN_LIST sdn_libs)
  set(SDN_USES_OPENMP 1)
endif()
set(SDN_USES_LIBARCHIVE 0)
if(LibArchive_FOUND)
  set(SDN_USES_LIBARCHIVE 1)
endif()
install(EXPORT simdnnTargets NAMESPACE simdnn:: DESTINATION ${sdn_cmake_dir})
configure_package_config_file(cmake/simdnnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/simdnnConfig.cmake INSTALL_DESTINATION ${sdn_cmake_dir})
# 0.x: a new minor version may break the API, so only the same minor version is compatible.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(sdn_compat SameMinorVersion)
else()
  set(sdn_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/simdnnConfigVersion.cmake
  COMPATIBILITY ${sdn_compat})
install(FILES ${PROJECT_BINARY_DIR}/simdnnConfig.cmake
  ${PROJECT_BINARY_DIR}/simdnnConfigVersion.cmake DESTINATION ${sdn_cmake_dir})

# pkg-config: Libs for the shared library; what a static link adds goes in the .private fields.
file(RELATIVE_PATH SDN_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" SDN_PC_TO_PREFIX "${SDN_PC_TO_PREFIX}")
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(SDN_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(SDN_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(SDN_PC_REQUIRES_PRIVATE "")
if(SDN_USES_LIBARCHIVE)
  set(SDN_PC_REQUIRES_PRIVATE libarchive)
endif()
set(SDN_PC_LIBS_PRIVATE "")
if(SDN_USES_OPENMP)
  string(APPEND SDN_PC_LIBS_PRIVATE "${OpenMP_C_FLAGS} ")
endif()
string(APPEND SDN_PC_LIBS_PRIVATE "${CMAKE_THREAD_LIBS_INIT} -lm")
string(REGEX REPLACE "  +" " " SDN_PC_LIBS_PRIVATE "${SDN_PC_LIBS_PRIVATE}")
configure_file(cmake/simdnn.pc.in ${PROJECT_BINARY_DIR}/simdnn.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/simdnn.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
