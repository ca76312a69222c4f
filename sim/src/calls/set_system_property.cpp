// HvCallSetSystemProperty: u32 property id, u32 reserved, a 64-byte union whose only member
// upstream sets is the sleep-state info: u32 state, PM1a and PM1b sleep types (A-HDKMINI,
// 72 bytes; S-COMMON hv_initialize_sleep_states registers S5 before power-off).
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::set_system_property_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kId = F::property_id.offset, kReserved = F::reserved.offset, kState = F::sleep_state.offset,
                        kPm1a = F::pm1a_slp_typ.offset, kPm1b = F::pm1b_slp_typ.offset;
constexpr std::uint32_t kUnionEnd = 72;
}  // namespace

Outcome set_system_property(CallContext& ctx) {
    const auto id = ctx.in<std::uint32_t>(kId);
    if (id != sys::kSleepState) return ctx.reject(RuleId::system_property_unknown, Site::input, kId, id);
    if (auto o =
            reserved(ctx, RuleId::system_property_reserved_nonzero, kReserved, ctx.in<std::uint32_t>(kReserved), ~0u))
        return *o;
    for (std::uint32_t off = kPm1b + 1; off < kUnionEnd; ++off)
        if (auto o = reserved(ctx, RuleId::system_property_reserved_nonzero, off, ctx.in<std::uint8_t>(off), 0xFF))
            return *o;
    const auto state = ctx.in<std::uint32_t>(kState);
    if (state < sys::kS1 || state > sys::kLock)
        return ctx.reject(RuleId::sleep_state_invalid, Site::input, kState, state);
    auto& system = sys::system(ctx);
    if (system.sleep_locked) return ctx.reject(RuleId::sleep_state_locked, Site::input, kState, state);
    if (state == sys::kLock) {
        system.sleep_locked = true;
    } else {
        system.sleep_registered[state - 1] = true;
        system.pm1a[state - 1] = ctx.in<std::uint8_t>(kPm1a);
        system.pm1b[state - 1] = ctx.in<std::uint8_t>(kPm1b);
    }
    return Outcome::ok();
}

}  // namespace hvsim::calls
