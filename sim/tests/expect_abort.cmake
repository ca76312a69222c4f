# Runs PROGRAM with ARG and passes when it fails (an abort is a failure CTest's WILL_FAIL does
# not invert) with EXPECT in its error output.
execute_process(COMMAND ${PROGRAM} ${ARG} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} ${ARG} succeeded; expected it to abort:\n${out}")
endif()
string(FIND "${err}" "${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${PROGRAM} ${ARG} failed (${rc}) without \"${EXPECT}\":\n${err}")
endif()
