# `hvsim calls` shows every call of the MSHV_ROOT_HVCALL allow-list as implemented, in the JSON
# listing and in the table. The list is transcribed from A-MAIN (mshv_passthru_hvcalls: the
# newest kernel's 14 codes, in its order), not taken from the catalogue, so a call dropped from
# either shows here. The self-targeted list accepted on /dev/mshv itself
# (mshv_self_passthru_hvcalls: 0x44, 0x101) is a subset of it.
#   cmake -DHVSIM=<exe> -P calls_allow_list.cmake
set(allow_list 0x44 0x101 0x45 0x4D 0x50 0x51 0x52 0x56 0x91 0x94 0xC9 0xC0 0xC1 0xF4)

execute_process(COMMAND "${HVSIM}" calls --json RESULT_VARIABLE rc OUTPUT_VARIABLE json ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "hvsim calls --json: exit ${rc}, stderr: ${err}")
endif()
execute_process(COMMAND "${HVSIM}" calls RESULT_VARIABLE rc OUTPUT_VARIABLE table ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "hvsim calls: exit ${rc}, stderr: ${err}")
endif()

# One pass over the listing: name and implemented flag by code.
string(JSON count LENGTH "${json}")
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON code GET "${json}" ${i} code)
  string(JSON name_${code} GET "${json}" ${i} name)
  string(JSON implemented_${code} GET "${json}" ${i} implemented)
endforeach()

set(missing "")
foreach(hex IN LISTS allow_list)
  math(EXPR want "${hex}")
  set(name "${name_${want}}")
  if(name STREQUAL "")
    list(APPEND missing "${hex} (not in the catalogue)")
    continue()
  endif()
  if(NOT implemented_${want})
    list(APPEND missing "${hex} ${name} (--json: implemented ${implemented_${want}})")
  endif()
  # The table row: code, name, and "yes" in the last (IMPL) column.
  math(EXPR digits "${want}" OUTPUT_FORMAT HEXADECIMAL)
  string(SUBSTRING "${digits}" 2 -1 digits)
  string(TOUPPER "${digits}" digits)
  string(LENGTH "${digits}" width)
  while(width LESS 4)
    string(PREPEND digits "0")
    math(EXPR width "${width} + 1")
  endwhile()
  if(NOT table MATCHES "\n0x${digits}  ${name} [^\n]* yes\n")
    list(APPEND missing "${hex} ${name} (table row not marked yes)")
  endif()
endforeach()
if(missing)
  list(JOIN missing "; " shown)
  message(FATAL_ERROR "MSHV_ROOT_HVCALL allow-list calls not shown as implemented: ${shown}")
endif()
