// HvCallNotifyPortRingEmpty: SINT index, reserved (HVCALL issues it fast-8). The
// model keeps no port rings, so only the input is checked.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace F = fields::notify_port_ring_empty_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kSint = F::sint_index.offset, kReserved = F::reserved.offset;
}

Outcome notify_port_ring_empty(CallContext& ctx) {
    using namespace ports;
    if (auto o = check_sint(ctx, kSint, ctx.in<std::uint32_t>(kSint))) return *o;
    if (auto o = check_zero(ctx, kReserved, ctx.in<std::uint32_t>(kReserved))) return *o;
    return Outcome::ok();
}

}  // namespace hvsim::calls
