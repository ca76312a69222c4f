# Runs one of fuzz/'s scripts with arguments it must refuse: exit 2, nothing on stdout, one line
# on stderr matching STDERR.
#   cmake -DSCRIPT=... "-DARGS=a;b" -DSTDERR=regex -P check_script_usage.cmake
execute_process(COMMAND bash ${SCRIPT} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT out STREQUAL "" OR NOT err MATCHES "^[^\n]*\n$" OR NOT err MATCHES "${STDERR}")
  message(FATAL_ERROR "expected exit 2 and one error line matching '${STDERR}'; got ${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
