# CTest examples.downstream: installs the build tree BUILD into a fresh prefix under WORK
# (stripped), then builds and runs this example against it (run.sh). FLAGS: the build's own
# compile and link flags (a sanitizer build's programs need them).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix --strip
                OUTPUT_FILE ${WORK}/install.log ERROR_FILE ${WORK}/install.log RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(READ ${WORK}/install.log log)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${log}")
endif()
set(ENV{CFLAGS} "${C_FLAGS}")
set(ENV{CXXFLAGS} "${CXX_FLAGS}")
set(ENV{LDFLAGS} "${LINK_FLAGS}")
execute_process(COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh ${WORK}/prefix ${WORK}/example RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the downstream example failed against the installed package (${rc})")
endif()
