// HvCallNotifyPortRingEmpty: SINT index, reserved (HVCALL issues it fast-8). The
// model keeps no port rings, so only the input is checked.
#include "calls.hpp"
#include "ports.hpp"

namespace hvsim::calls {

Outcome notify_port_ring_empty(CallContext& ctx) {
    using namespace ports;
    if (auto o = check_sint(ctx, 0, ctx.in<std::uint32_t>(0))) return *o;
    if (auto o = check_zero(ctx, 4, ctx.in<std::uint32_t>(4))) return *o;
    return Outcome::ok();
}

}  // namespace hvsim::calls
