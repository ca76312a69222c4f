// HvCallSignalEventDirect: target partition, VP, VTL, SINT, flag number (HDK-3B,
// 16 bytes); output newly_signaled, then 7 reserved bytes the model writes as zero. Sets the
// flag in the VP's SIEF slot for the SINT.
#include "calls.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kVtl = 12, kSint = 13, kFlag = 14;
}

Outcome signal_event_direct(CallContext& ctx) {
    using namespace ports;
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    if (auto o = check_vtl_number(ctx, kVtl)) return *o;
    const auto sint = ctx.in<std::uint8_t>(kSint);
    if (auto o = check_sint(ctx, kSint, sint)) return *o;
    const auto flag = ctx.in<std::uint16_t>(kFlag);
    if (flag >= state::kEventFlags) return ctx.reject(RuleId::signal_event_flag_out_of_range, Site::input, kFlag, flag);
    std::uint64_t& word = vp->events[sint][flag / 64];
    const std::uint64_t bit = 1ull << (flag % 64);
    const bool newly = (word & bit) == 0;
    word |= bit;
    ctx.out<std::uint64_t>(0, newly ? 1 : 0);
    return Outcome::ok();
}

}  // namespace hvsim::calls
