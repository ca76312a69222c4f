# Compiles SOURCE twice, syntax only: as it is (must succeed, so the file itself is sound) and
# with -D<TOGGLE> (must fail with an error naming EXPECT). TOGGLE: HVSIM_REJECT_SPEC_ONLY unless given.
# cmake -DCXX=<compiler> -DSOURCE=<file> -DINCLUDES=a|b -DEXPECT=<regex> [-DTOGGLE=<macro>] -P compile_fail.cmake
if(NOT DEFINED TOGGLE)
  set(TOGGLE HVSIM_REJECT_SPEC_ONLY)
endif()
string(REPLACE "|" ";" dirs "${INCLUDES}")
set(flags -std=c++20 -fsyntax-only)
foreach(d IN LISTS dirs)
  list(APPEND flags "-I${d}")
endforeach()

execute_process(COMMAND "${CXX}" ${flags} "${SOURCE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the control build of ${SOURCE} failed (exit ${rc}):\n${out}${err}")
endif()
execute_process(COMMAND "${CXX}" ${flags} -D${TOGGLE} "${SOURCE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} with -D${TOGGLE} compiled; it must not")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "${SOURCE} with -D${TOGGLE} failed, but not with '${EXPECT}':\n${out}${err}")
endif()
