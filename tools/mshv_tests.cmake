# The `hvsim mshv run` tests that need the hvsim CLI and python3 (tools/setup.sh installs it);
# include()d from tools/CMakeLists.txt once the hvsim target exists.
#
# mshv.qemu: a real QEMU (Debian's, from trixie-backports) with -accel mshv brought up to a paused
# machine on the model through `hvsim mshv run`, checked over QMP and by the trace it records
# (tools/qemu-mshv-test.py says what it checks). Reports skipped (exit 77) when the QEMU root is
# missing: make it with tools/setup-qemu-mshv.sh (HVSIM_QEMU_ROOT, read at test time, moves it).
find_package(Python3 COMPONENTS Interpreter REQUIRED)

add_test(NAME mshv.qemu
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/qemu-mshv-test.py
          --hvsim $<TARGET_FILE:hvsim>
          --launcher ${CMAKE_CURRENT_LIST_DIR}/qemu-mshv.sh
          --workdir ${CMAKE_CURRENT_BINARY_DIR}/mshv-qemu)
set_tests_properties(mshv.qemu PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180)

# mshv.replay_golden: the hardware replay path without hardware. `hvsim replay --backend mshv`
# over every golden trace, under `hvsim mshv run`, gives the sim replay's verdicts for every
# record the passthrough allows, on partitions of its own (tools/mshv-replay-test.py).
file(GLOB hvsim_golden_traces ${PROJECT_SOURCE_DIR}/corpus/traces/*.jsonl ${PROJECT_SOURCE_DIR}/corpus/traces/*.cbor
     ${PROJECT_SOURCE_DIR}/corpus/traces/suite/*.jsonl)
add_test(NAME mshv.replay_golden
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/mshv-replay-test.py $<TARGET_FILE:hvsim>
          ${CMAKE_CURRENT_BINARY_DIR}/mshv-replay ${hvsim_golden_traces})
set_tests_properties(mshv.replay_golden PROPERTIES TIMEOUT 600)
