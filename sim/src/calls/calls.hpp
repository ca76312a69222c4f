// Declarations of the built-in handlers, from handlers.def.
#pragma once

#include "hvsim/call_context.hpp"

namespace hvsim::calls {
#define HV_SIMPLE(name) Outcome name(CallContext& ctx);
#define HV_REP(name) Outcome name##_element(CallContext& ctx, std::uint32_t index);
#define HV_REP_BATCH(name) \
    HV_REP(name)           \
    std::uint32_t name##_batch(CallContext& ctx, std::uint32_t first, std::uint32_t count);
#include "handlers.def"
#undef HV_SIMPLE
#undef HV_REP
#undef HV_REP_BATCH
}  // namespace hvsim::calls
