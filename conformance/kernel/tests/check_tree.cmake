# One CTest case of hvsim kernel check (cmake -P):
#   -DHVSIM=hvsim -DCC=compiler -DFIXTURE=dir -DWORK=scratch dir -DEXPECT_EXIT=0|1|2
#   [-DVARIANT=planted/x.cmake]   apply the variant's replacement (OLD -> NEW, and OLD2 -> NEW2
#                                  when set) to a copy of the fixture
#   [-DREMOVE=relative/path]      delete this file from the copy
#   [-DEXPECT=text]               text the output must contain (a finding id, a message)
#   [-DRECORD=1]                  also record a trace, which must replay on the model
#   [-DEXTRA_ARGS=a;b]            more arguments for kernel check
#   [-DFUZZ_RUNS=N]               run `hvsim kernel fuzz` with N schedules instead of the check
#   [-DINPUT=file]                run `hvsim kernel fuzz --input file` (a kernel_tree_fuzz input)
#   [-DAUDIT=1]                   run `hvsim kernel audit` instead of the check
#   [-DEXPECT_ONE=1]              with EXPECT: the output holds exactly one finding
# The variant's text must be found in the fixture: a fixture change that drops it fails here.
file(REMOVE_RECURSE ${WORK})
file(COPY ${FIXTURE}/ DESTINATION ${WORK})
function(plant old new)
  file(READ ${WORK}/${FILE} text)
  string(FIND "${text}" "${old}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${VARIANT}: its text is not in ${FILE} any more:\n${old}")
  endif()
  string(REPLACE "${old}" "${new}" text "${text}")
  file(WRITE ${WORK}/${FILE} "${text}")
endfunction()
if(VARIANT)
  include(${VARIANT})
  plant("${OLD}" "${NEW}")
  if(DEFINED OLD2)
    plant("${OLD2}" "${NEW2}")
  endif()
endif()
if(REMOVE)
  file(REMOVE ${WORK}/${REMOVE})
endif()
if(HEADER_SYNTAX_ERROR)
  file(APPEND ${WORK}/include/hyperv/hvhdk.h "\nstruct hvsim_planted_syntax_error { int x };\n")
endif()
if(SYNTAX_ERROR)
  file(APPEND ${WORK}/drivers/hv/mshv_root_hv_call.c "\nint hvsim_planted_syntax_error(void) { return }\n")
endif()
set(record_args)
if(RECORD)
  set(record_args --record ${WORK}/trace.jsonl)
endif()
if(AUDIT)
  execute_process(COMMAND ${HVSIM} kernel audit ${WORK} --json --cc ${CC} ${EXTRA_ARGS}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
elseif(INPUT)
  # A libFuzzer input of kernel_tree_fuzz, decoded and run as the fuzzer runs it.
  execute_process(COMMAND ${HVSIM} kernel fuzz ${WORK} --json --cc ${CC} --input ${INPUT} ${record_args}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
elseif(FUZZ_RUNS)
  # The random schedule search instead of the check.
  execute_process(COMMAND ${HVSIM} kernel fuzz ${WORK} --json --cc ${CC} --runs ${FUZZ_RUNS} --seed 7
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
else()
  execute_process(COMMAND ${HVSIM} kernel check ${WORK} --json --cc ${CC} ${record_args} ${EXTRA_ARGS}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
endif()
if(NOT rc EQUAL EXPECT_EXIT)
  message(FATAL_ERROR "exit ${rc}, expected ${EXPECT_EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(EXPECT)
  string(FIND "${out}${err}" "${EXPECT}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "expected '${EXPECT}' in the output\nstdout:\n${out}\nstderr:\n${err}")
  endif()
endif()
if(EXPECT_ONE)
  string(REGEX MATCHALL "\"id\": " ids "${out}")
  list(LENGTH ids n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "expected exactly one finding, got ${n}\nstdout:\n${out}")
  endif()
endif()
if(EXPECT_EXIT EQUAL 2)
  string(STRIP "${err}" line)
  string(FIND "${line}" "\n" newline)
  if(NOT newline EQUAL -1)
    message(FATAL_ERROR "a tree hvsim cannot use must give one line, got:\n${err}")
  endif()
endif()
if(RECORD)
  # What the driver issued replays on a fresh model, record for record.
  execute_process(COMMAND ${HVSIM} replay ${WORK}/trace.jsonl RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES " 0 skipped")
    message(FATAL_ERROR "replay of the recorded trace: exit ${rc}\n${out}${err}")
  endif()
endif()
