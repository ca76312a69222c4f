// HvCallGetVpState: the 40-byte header, then (variable header) the PFNs the state is written to;
// synthetic timers come back in the 200-byte output instead (HDK; HVCALL).
#include <algorithm>
#include <cstring>

#include "calls.hpp"
#include "vp_state.hpp"

namespace hvsim::calls {

Outcome get_vp_state(CallContext& ctx) {
    using namespace vp_state;
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    std::uint32_t type = 0;
    if (auto o = check_header(ctx, p, vp, type); !o.is_ok()) return o;
    if (type == kTimers) {
        if (ctx.control().varhead_qwords() != 0)
            return ctx.reject(RuleId::vp_state_size_mismatch, Site::input, kData, ctx.control().varhead_qwords(), 0);
        std::memcpy(ctx.out_bytes(0, vp->timers.size()).data(), vp->timers.data(), vp->timers.size());
        return Outcome::ok();
    }
    PhysicalMemory& mem = ctx.memory();
    with_bytes(*vp, type, [&](std::span<std::byte> bytes) {
        const std::uint32_t pages = pages_for(type, *p);
        for (std::uint32_t i = 0; i < pages; ++i) {
            Page& page = mem.page(ctx.in<std::uint64_t>(kData + 8 * i) * hvcall::kPageSize);
            std::fill(page.begin(), page.end(), std::byte{0});
            const std::size_t from = std::size_t{i} * hvcall::kPageSize;
            if (from < bytes.size())
                std::memcpy(page.data(), bytes.data() + from,
                            std::min<std::size_t>(hvcall::kPageSize, bytes.size() - from));
        }
    });
    return Outcome::ok();
}

}  // namespace hvsim::calls
