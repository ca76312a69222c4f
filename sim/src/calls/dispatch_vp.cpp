// HvCallDispatchVp: partition id, VP index, flags, time slice, SPEC_CTRL (HDK, 32 bytes); out
// the dispatch state and event (8 bytes). The root scheduler's run loop (A-MAIN mshv_vp_dispatch)
// acts on them: BLOCKED + SUSPEND waits for the explicit suspend to clear, BLOCKED otherwise
// waits for a kick, READY + INTERCEPT returns to the VMM. The model runs no guest code, so it
// answers as hardware does for a VP that cannot run: explicitly suspended -> BLOCKED + SUSPEND;
// stopped at an intercept (INTERCEPT_SUSPEND, not cleared by CLEAR_INTERCEPT_SUSPEND) -> READY +
// INTERCEPT; otherwise the VP halts at once -> BLOCKED, no event.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::dispatch_vp_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kVpIndex = F::vp_index.offset, kFlags = F::flags.offset;
constexpr std::uint32_t kClearInterceptSuspend = 0x1, kKnownFlags = 0x7F;
constexpr std::uint32_t kBlocked = 1, kReady = 2;                    // hv_vp_dispatch_state
constexpr std::uint32_t kNoEvent = 0, kSuspend = 1, kIntercept = 2;  // hv_vp_dispatch_event
}  // namespace

Outcome dispatch_vp(CallContext& ctx) {
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    const auto flags = ctx.in<std::uint32_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::dispatch_vp_flags_reserved, kFlags, flags, ~kKnownFlags)) return *o;
    auto& intercept = vp->registers[*state::register_index(state::reg::intercept_suspend)].low;
    if ((flags & kClearInterceptSuspend) != 0) intercept = 0;
    std::uint32_t st = kBlocked, event = kNoEvent;
    if ((vp->reg(state::reg::explicit_suspend) & 1) != 0) {
        event = kSuspend;
    } else if ((intercept & 1) != 0) {
        st = kReady;
        event = kIntercept;
    }
    ctx.out<std::uint32_t>(0, st);
    ctx.out<std::uint32_t>(4, event);
    return Outcome::ok();
}

}  // namespace hvsim::calls
