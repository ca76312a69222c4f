# Fails when corpus/hypercalls.dict differs from what make_dictionary generates now.
execute_process(COMMAND ${GEN} OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_dictionary failed (${rc})")
endif()
file(READ ${DICT} checked_in)
if(NOT generated STREQUAL checked_in)
  message(FATAL_ERROR "${DICT} is stale: regenerate it with build/default/fuzz/make_dictionary > corpus/hypercalls.dict")
endif()
