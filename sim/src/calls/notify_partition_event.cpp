// HvCallNotifyPartitionEvent: u32 event, then a 4-byte event input (A-HDKMINI, 8 bytes). The
// root sends ALL_LOGICAL_PROCESSORS_STARTED at boot (A-PROC) and ROOT_CRASHDUMP with an action
// from its crash NMI handler (T-CRASH). The model records what it was told.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::notify_partition_event_in;  // offsets: sim/include/hvsim/fields.def

Outcome notify_partition_event(CallContext& ctx) {
    const auto event = ctx.in<std::uint32_t>(F::event.offset);
    const auto input = ctx.in<std::uint32_t>(F::input.offset);
    if (event < sys::kEventFirst || event > sys::kEventLast)
        return ctx.reject(RuleId::partition_event_invalid, Site::input, 0, event);
    auto& system = sys::system(ctx);
    if (event == sys::kEventRootCrashdump) {
        if (input > sys::kCrashdumpLastAction)
            return ctx.reject(RuleId::partition_event_invalid, Site::input, 4, input);
        system.crashdump_action = input;
    } else if (event == sys::kEventAllLpsStarted) {
        system.all_lps_started = true;
    }
    return Outcome::ok();
}

}  // namespace hvsim::calls
