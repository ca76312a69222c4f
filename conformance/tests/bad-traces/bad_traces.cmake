# Every conformance/tests/bad-traces/<name>.{jsonl,cbor} is replayed by hvsim; <name>.expected
# holds the text its one-line error must contain (exit 2). "*.warn.*" traces are cut off at the
# end: exit 0 and a warning containing the text.
if(HVSIM_BUILD_TOOLS)
  file(GLOB bad_traces CONFIGURE_DEPENDS
       ${CMAKE_CURRENT_LIST_DIR}/*.jsonl ${CMAKE_CURRENT_LIST_DIR}/*.cbor)
  foreach(trace IN LISTS bad_traces)
    get_filename_component(name ${trace} NAME)
    string(REGEX REPLACE "\\.(jsonl|cbor)$" "" stem ${name})
    add_test(NAME traces.bad.${stem}
      COMMAND ${CMAKE_COMMAND} "-DHVSIM=$<TARGET_FILE:hvsim>" "-DTRACE=${trace}"
              "-DEXPECTED=${CMAKE_CURRENT_LIST_DIR}/${stem}.expected" -P ${CMAKE_CURRENT_LIST_DIR}/check_bad_trace.cmake)
  endforeach()
endif()
