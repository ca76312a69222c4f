// HvCallSignalEvent: connection id, flag number, RsvdZ (TLFS, 8 bytes; fast or memory form).
// The root signals through one of its own connections to an event port: the flag, relative to
// the port's base flag, is set in the target VP's SIEF slot for the port's SINT. No output.
#include "calls.hpp"
#include "connections.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kConnection = 0, kFlag = 4, kReserved = 6;
}

Outcome signal_event(CallContext& ctx) {
    using namespace ports;
    if (auto o = check_id(ctx, kConnection)) return *o;
    if (auto o = reserved(ctx, RuleId::signal_event_root_reserved_nonzero, kReserved, ctx.in<std::uint16_t>(kReserved),
                          0xFFFF))
        return *o;
    Route r;
    if (auto o = route(ctx, kConnection, kEvent, RuleId::signal_event_root_port_not_event, r); !o.is_ok()) return o;
    const auto flag = ctx.in<std::uint16_t>(kFlag);
    if (flag >= r.port->flag_count)
        return ctx.reject(RuleId::signal_event_root_flag_out_of_range, Site::input, kFlag, flag, r.port->flag_count);
    // create_port keeps base + count within the SINT's 2048 flags.
    const std::uint32_t bit = std::uint32_t{r.port->base_flag} + flag;
    r.vp->events[r.port->target_sint][bit / 64] |= 1ull << (bit % 64);
    return Outcome::ok();
}

}  // namespace hvsim::calls
