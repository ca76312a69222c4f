// Declarations of the built-in handlers, from handlers.def.
#pragma once

#include "hvsim/call_context.hpp"

namespace hvsim::calls {
#define HV_SIMPLE(name) Outcome name(CallContext& ctx);
#define HV_REP(name) extern const Handler name;  // rep_handler(): its steps, defined beside them
#include "handlers.def"
#undef HV_SIMPLE
#undef HV_REP
}  // namespace hvsim::calls
