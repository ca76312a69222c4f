# Install rules and the exported package: `cmake --install` puts the CLI, the libraries (static
# by default, shared with BUILD_SHARED_LIBS=ON), their public headers, the C API, the preload
# library and hvsim's kernel environment in the GNU directories, and a CMake package that
# find_package(hvsim 0.2 CONFIG) reads: namespaced targets hvsim::hvcall_abi, hvsim::hvcall, hvsim::model,
# hvsim::kshim, hvsim::conformance, hvsim::traces, hvsim::devmshv and hvsim::hvsim (the C API),
# plus pkg-config files for C users (hvsim.pc: the C API; hvsim-kshim.pc: the C shim).
include(CMakePackageConfigHelpers)

set(HVSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hvsim)

set_target_properties(hvcall_abi PROPERTIES EXPORT_NAME hvcall_abi)
set_target_properties(hvsim_model PROPERTIES EXPORT_NAME model)
set_target_properties(hvsim_kshim PROPERTIES EXPORT_NAME kshim)
set_target_properties(hvsim_conformance PROPERTIES EXPORT_NAME conformance)
set_target_properties(hvsim_traces PROPERTIES EXPORT_NAME traces)
set_target_properties(hvsim_devmshv PROPERTIES EXPORT_NAME devmshv)
set_target_properties(hvsim_capi PROPERTIES EXPORT_NAME hvsim)
set_target_properties(hvsim_mshv_preload PROPERTIES EXPORT_NAME mshv_preload)

install(TARGETS hvcall_abi hvcall hvsim_model hvsim_kshim hvsim_conformance hvsim_traces hvsim_devmshv
  EXPORT hvsim-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS hvsim_capi
  EXPORT hvsim-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# `hvsim mshv run` finds it at ../lib/hvsim/ from its own directory (tools/hvsim/verbs/mshv.cpp).
install(TARGETS hvsim_mshv_preload
  EXPORT hvsim-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/hvsim COMPONENT runtime)

# Public headers only: each library's include/ tree (src/ holds the private ones).
foreach(dir hvcall/abi/include hvcall/include sim/include sim/shim/include conformance/include conformance/traces/include
            conformance/mshv/include conformance/capi/include)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
          FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h" PATTERN "*.def")
endforeach()

if(HVSIM_BUILD_TOOLS)
  install(TARGETS hvsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  # `hvsim kernel check` compiles a tree's files against it: ../share/hvsim/kernel from the CLI.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/sim/shim/kernel/ DESTINATION ${CMAKE_INSTALL_DATADIR}/hvsim/kernel
          COMPONENT runtime)
  install(DIRECTORY ${HVSIM_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime
          FILES_MATCHING PATTERN "*.1")
endif()

install(EXPORT hvsim-targets NAMESPACE hvsim:: DESTINATION ${HVSIM_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hvsim-config.cmake.in
  ${PROJECT_BINARY_DIR}/hvsim-config.cmake INSTALL_DESTINATION ${HVSIM_CMAKE_DIR})
# 0.x: a minor version may break the C++ API, so 0.2 asks for 0.2.*.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hvsim-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hvsim-config.cmake ${PROJECT_BINARY_DIR}/hvsim-config-version.cmake
  DESTINATION ${HVSIM_CMAKE_DIR} COMPONENT dev)

# pkg-config: the C API is one shared library; the C shim is C++ inside, so a static link
# names the libraries under it and the C++ runtime.
# The prefix is found from the file's own place, so a package installed with --prefix (or
# DESTDIR, or unpacked elsewhere) needs no rewriting.
# kshim_attach.hpp hands out hvsim::Machine, so the model and hvcall are the shim's public
# dependencies either way.
if(BUILD_SHARED_LIBS)
  set(HVSIM_KSHIM_LIBS "-lhvsim_kshim -lhvsim_model -lhvcall")
else()
  set(HVSIM_KSHIM_LIBS "-lhvsim_kshim -lhvsim_model -lhvcall -lstdc++ -lm")
endif()
file(RELATIVE_PATH HVSIM_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" HVSIM_PC_TO_PREFIX "${HVSIM_PC_TO_PREFIX}")
foreach(pc hvsim hvsim-kshim)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()
