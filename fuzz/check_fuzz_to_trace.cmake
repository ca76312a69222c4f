# Converts one fuzz input with `hvsim fuzz-input-to-trace` and replays the trace on the model:
# both must exit 0. With -DEXPECT_USAGE=1 the conversion must instead be refused: exit 2, one
# "hvsim: " line on stderr matching STDERR.
#   cmake -DHVSIM=... -DTARGET=... -DINPUT=... -DTRACE=... [-DEXPECT_USAGE=1 -DSTDERR=regex] -P ...
execute_process(COMMAND ${HVSIM} fuzz-input-to-trace ${TARGET} ${INPUT} -o ${TRACE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(EXPECT_USAGE)
  if(NOT rc EQUAL 2 OR NOT out STREQUAL "" OR NOT err MATCHES "^hvsim: [^\n]*\n$" OR NOT err MATCHES "${STDERR}")
    message(FATAL_ERROR "expected exit 2 and one error line matching '${STDERR}'; got ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  return()
endif()
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "fuzz-input-to-trace failed (${rc}): ${out}${err}")
endif()
execute_process(COMMAND ${HVSIM} replay ${TRACE} --backend sim RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES " 0 skipped")
  message(FATAL_ERROR "the trace of ${INPUT} did not replay equal on the model (${rc}):\n${out}${err}")
endif()
message(STATUS "${out}")
