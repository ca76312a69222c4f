# mshv.qemu: a real QEMU (Debian's, from trixie-backports) with -accel mshv brought up to a paused
# machine on the model through `hvsim mshv run`, checked over QMP and by the trace it records
# (tools/qemu-mshv-test.py says what it checks). Reports skipped (exit 77) when the QEMU root is
# missing: make it with tools/setup-qemu-mshv.sh (HVSIM_QEMU_ROOT, read at test time, moves it).
# include()d from tools/CMakeLists.txt once the hvsim target exists.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME mshv.qemu
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/qemu-mshv-test.py
            --hvsim $<TARGET_FILE:hvsim>
            --launcher ${CMAKE_CURRENT_LIST_DIR}/qemu-mshv.sh
            --workdir ${CMAKE_CURRENT_BINARY_DIR}/mshv-qemu)
  set_tests_properties(mshv.qemu PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180)
else()
  message(STATUS "mshv.qemu: no python3; the test is not added")
endif()
