# The fuzzers themselves, as CTest test fuzz.smoke:
#   cmake -DSRC=<source dir> -DBIN=<scratch build dir> [-DCXX=clang++-14] -P smoke.cmake
# Builds every libFuzzer target with clang (no sanitizers, Debug: quick to compile), runs each
# over its corpus and a few hundred new inputs, and checks that the planted-bug build is caught
# from the checked-in seeds. Without clang or libFuzzer's runtime it prints "SKIPPED: ..." and
# the test reports Skipped (HVSIM_SETUP_CLANG=1 ./tools/test.sh installs both).
cmake_minimum_required(VERSION 3.25)
if(NOT CXX)
  set(CXX clang++-14)
endif()

find_program(clang NAMES ${CXX})
if(NOT clang)
  message("SKIPPED: ${CXX} not found")
  return()
endif()
# libFuzzer's runtime is a separate package (libclang-rt-14-dev): try to link a target.
file(MAKE_DIRECTORY ${BIN})
file(WRITE ${BIN}/probe.cpp "#include <cstddef>\n#include <cstdint>\nextern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n")
execute_process(COMMAND ${clang} -fsanitize=fuzzer ${BIN}/probe.cpp -o ${BIN}/probe RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 0)
  message("SKIPPED: ${CXX} cannot link -fsanitize=fuzzer (libFuzzer's runtime is missing)")
  return()
endif()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (exit ${rc}):\n${out}")
  endif()
endfunction()

run("configuring the fuzz build" ${CMAKE_COMMAND} -S ${SRC} -B ${BIN}/build -G Ninja
    -DCMAKE_CXX_COMPILER=${clang} -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link
    -DHVSIM_BUILD_FUZZERS=ON -DHVSIM_BUILD_TESTS=OFF -DHVSIM_BUILD_TOOLS=OFF -DHVSIM_BUILD_BENCH=OFF)
set(targets raw_dispatch_fuzz same_state_under_schedule_fuzz control_result_roundtrip_fuzz
            trace_roundtrip_fuzz scenario_reader_fuzz trace_reader_fuzz)
run("building the fuzzers" ${CMAKE_COMMAND} --build ${BIN}/build --target ${targets} planted_no_rep_restart_fuzz)

# Each target: its whole corpus, then 300 mutated inputs. New inputs go to a scratch directory
# (the first one named), never into corpus/.
foreach(t IN LISTS targets)
  set(scratch ${BIN}/new/${t})
  file(REMOVE_RECURSE ${scratch})
  file(MAKE_DIRECTORY ${scratch})
  file(GLOB seeds ${SRC}/corpus/${t}/*)
  list(LENGTH seeds n)
  math(EXPR runs "${n} + 300")  # libFuzzer counts the corpus among its runs
  if(t MATCHES "reader")
    set(max_len 65536)  # whole files, as in .clusterfuzzlite/build.sh
  else()
    set(max_len 4096)
  endif()
  execute_process(COMMAND ${BIN}/build/fuzz/${t} -runs=${runs} -seed=1 -max_len=${max_len} -artifact_prefix=${BIN}/
                          ${scratch} ${SRC}/corpus/${t}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Done ${runs} runs")
    message(FATAL_ERROR "${t}: exit ${rc}, expected a clean run of ${runs} inputs:\n${out}")
  endif()
  string(REGEX MATCH "INITED cov: [0-9]+" inited "${out}")
  message("${t}: corpus replayed and 300 new inputs run (${inited})")
endforeach()

# The planted bug (a rep loop that takes a time-slice end for completion) must be reported.
execute_process(COMMAND ${BIN}/build/fuzz/planted_no_rep_restart_fuzz -runs=0 -artifact_prefix=${BIN}/
                        ${SRC}/corpus/same_state_under_schedule_fuzz
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "same_state_under_schedule: different")
  message(FATAL_ERROR "planted_no_rep_restart_fuzz: exit ${rc}, expected the schedule property to fail:\n${out}")
endif()
message("planted_no_rep_restart_fuzz: the planted bug is reported from the seeds")
