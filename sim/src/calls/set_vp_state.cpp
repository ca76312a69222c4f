// HvCallSetVpState: the 40-byte header, then (variable header) the PFNs holding the state, or
// for synthetic timers the 200 state bytes themselves (HDK; HVCALL).
#include <algorithm>
#include <cstring>

#include "calls.hpp"
#include "vp_state.hpp"

namespace hvsim::calls {

Outcome set_vp_state(CallContext& ctx) {
    using namespace vp_state;
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    std::uint32_t type = 0;
    if (auto o = check_header(ctx, p, vp, type); !o.is_ok()) return o;
    if (type == kTimers) {
        if (ctx.control().varhead_qwords() != kTimersQwords)
            return ctx.reject(RuleId::vp_state_size_mismatch, Site::input, kData, ctx.control().varhead_qwords(),
                              kTimersQwords);
        std::memcpy(vp->timers.data(), ctx.in_bytes(kData, vp->timers.size()).data(), vp->timers.size());
        return Outcome::ok();
    }
    const PhysicalMemory& mem = ctx.memory();
    with_bytes(*vp, type, [&](std::span<std::byte> bytes) {
        const std::uint32_t pages = pages_for(type, *p);
        for (std::uint32_t i = 0; i < pages; ++i) {
            const std::size_t from = std::size_t{i} * hvcall::kPageSize;
            if (from >= bytes.size()) break;
            mem.read(ctx.in<std::uint64_t>(kData + 8 * i) * hvcall::kPageSize,
                     bytes.subspan(from, std::min<std::size_t>(hvcall::kPageSize, bytes.size() - from)));
        }
    });
    return Outcome::ok();
}

}  // namespace hvsim::calls
