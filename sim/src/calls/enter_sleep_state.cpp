// HvCallEnterSleepState: u32 sleep state (A-HDKMINI, 4 bytes). On hardware an accepted S5 does
// not return: the machine is off (S-COMMON hv_machine_power_off calls BUG() if it does). A
// model has to return; it answers success and records the state entered, so the caller can
// tell the call was accepted and a test can check that nothing came after it.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::enter_sleep_state_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kState = F::sleep_state.offset;
}

Outcome enter_sleep_state(CallContext& ctx) {
    const auto state = ctx.in<std::uint32_t>(kState);
    if (state < sys::kS1 || state > sys::kS5)
        return ctx.reject(RuleId::sleep_state_invalid, Site::input, kState, state);
    auto& system = sys::system(ctx);
    if (!system.sleep_registered[state - 1])
        return ctx.reject(RuleId::sleep_state_not_registered, Site::input, kState, state);
    system.entered_sleep_state = state;
    return Outcome::ok();
}

}  // namespace hvsim::calls
