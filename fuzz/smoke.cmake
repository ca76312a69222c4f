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
            trace_roundtrip_fuzz scenario_reader_fuzz trace_reader_fuzz devmshv_ioctl_fuzz)
run("building the fuzzers" ${CMAKE_COMMAND} --build ${BIN}/build --target ${targets} planted_no_rep_restart_fuzz
    planted_passthrough_no_rep_restart_fuzz kernel_tree_fuzz)

# A target over its whole corpus, then `new` mutated inputs, must run clean. New inputs go to a
# scratch directory (the first one named), never into corpus/. ARGN: the target's own options.
function(fuzz_clean t new max_len)
  set(scratch ${BIN}/new/${t})
  file(REMOVE_RECURSE ${scratch})
  file(MAKE_DIRECTORY ${scratch})
  file(GLOB seeds ${SRC}/corpus/${t}/*)
  list(LENGTH seeds n)
  math(EXPR runs "${n} + ${new}")  # libFuzzer counts the corpus among its runs
  execute_process(COMMAND ${BIN}/build/fuzz/${t} ${ARGN} -runs=${runs} -seed=1 -max_len=${max_len}
                          -artifact_prefix=${BIN}/ ${scratch} ${SRC}/corpus/${t}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Done ${runs} runs")
    message(FATAL_ERROR "${t}: exit ${rc}, expected a clean run of ${runs} inputs:\n${out}")
  endif()
  string(REGEX MATCH "INITED cov: [0-9]+" inited "${out}")
  message("${t}: corpus replayed and ${new} new inputs run (${inited})")
endfunction()

# A planted bug must be reported from the seeds of `corpus` alone: the output matches `pattern`.
function(fuzz_reports t corpus pattern)
  execute_process(COMMAND ${BIN}/build/fuzz/${t} ${ARGN} -runs=0 -artifact_prefix=${BIN}/ ${SRC}/corpus/${corpus}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc EQUAL 0 OR NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "${t} ${ARGN}: exit ${rc}, expected '${pattern}' from the seeds:\n${out}")
  endif()
endfunction()

foreach(t IN LISTS targets)
  if(t MATCHES "reader")
    # Whole files, as in .clusterfuzzlite/build.sh; the grammar and hostile tokens, and memory
    # and time bounds tight enough to flag the blow-ups of README's "Input limits".
    fuzz_clean(${t} 300 65536 -dict=${SRC}/corpus/${t}.dict -rss_limit_mb=512 -timeout=10)
  else()
    fuzz_clean(${t} 300 4096)
  endif()
endforeach()

# The planted bug (a rep loop that takes a time-slice end for completion) must be reported.
fuzz_reports(planted_no_rep_restart_fuzz same_state_under_schedule_fuzz "same_state_under_schedule: different")
message("planted_no_rep_restart_fuzz: the planted bug is reported from the seeds")
# The driver model's planted bug (a passthrough that restarts rep calls at 0) must be reported.
fuzz_reports(planted_passthrough_no_rep_restart_fuzz devmshv_ioctl_fuzz "devmshv_ioctl: ioctl [0-9]+ answers differently when rep calls end early")
message("planted_passthrough_no_rep_restart_fuzz: the planted bug is reported from the seeds")

# A kernel tree's own code under libFuzzer: the project's fixture tree, compiled with clang's
# coverage at start-up, runs its corpus and 200 new inputs clean; the fixture with a planted
# rep loop that never restarts is caught from the same seeds.
string(REGEX REPLACE "clang\\+\\+" "clang" cc "${clang}")
find_program(clang_c NAMES ${cc})
if(NOT clang_c)
  message("kernel_tree_fuzz: SKIPPED the kernel tree run: ${cc} (the C compiler for the tree) not found")
  return()
endif()
fuzz_clean(kernel_tree_fuzz 200 64 --tree=${SRC}/conformance/kernel/tests/fixture)

set(planted_tree ${BIN}/planted_tree)
file(REMOVE_RECURSE ${planted_tree})
file(COPY ${SRC}/conformance/kernel/tests/fixture/ DESTINATION ${planted_tree})
include(${SRC}/conformance/kernel/tests/planted/no_rep_restart.cmake)
file(READ ${planted_tree}/${FILE} text)
string(REPLACE "${OLD}" "${NEW}" planted "${text}")
if(planted STREQUAL text)
  message(FATAL_ERROR "planted/no_rep_restart.cmake: its text is not in the fixture's ${FILE} any more")
endif()
file(WRITE ${planted_tree}/${FILE} "${planted}")
fuzz_reports(kernel_tree_fuzz kernel_tree_fuzz "FINDING ${EXPECT}" --tree=${planted_tree})
message("kernel_tree_fuzz: the planted tree's missing rep restart is reported from the seeds")
