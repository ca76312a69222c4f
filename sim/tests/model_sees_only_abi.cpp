// Compiled by compile_fail.cmake with the model's include directories, not linked: the ABI
// headers the model shares with hvcall compile; hvcall's marshalling functions
// (HVSIM_INCLUDE_MARSHALLING) must not be reachable from the model at all.
#include "hvcall/backend.hpp"
#include "hvcall/catalogue.hpp"
#include "hvcall/host_pages.hpp"
#include "hvcall/types/memory.hpp"
#include "hvsim/machine.hpp"
#ifdef HVSIM_INCLUDE_MARSHALLING
#include "hvcall/calls/memory.hpp"
#endif

static_assert(sizeof(hvcall::InputMapGpaPages) == hvcall::info(hvcall::CallId::map_gpa_pages).input_header_size);
