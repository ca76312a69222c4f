// The header get and set VP registers share (GDKMINI): partition id, VP index, input VTL,
// rsvd_z8, rsvd_z16, read and checked once per call.
// And the VP's register page, which shows the registers while it is mapped (HDK-2B, HDK-3B).
#pragma once

#include "common.hpp"
#include "state/register_page.hpp"

namespace hvsim::calls {

struct RegistersHeader {
    state::Vp* vp = nullptr;
};

[[nodiscard]] inline Outcome read_registers_header(CallContext& ctx, RegistersHeader& h) noexcept {
    constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kVtl = 12, kReserved = 13;
    Partition* p = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, h.vp); !o.is_ok()) return o;
    if (auto o = check_vtl(ctx, kVtl)) return *o;
    const std::uint32_t rsvd = ctx.in<std::uint32_t>(kVtl) >> 8;  // bytes 13-15
    if (auto o = reserved(ctx, RuleId::vp_registers_reserved_nonzero, kReserved, rsvd, 0xFFFFFF)) return *o;
    return Outcome::ok();
}

// The VP's register page, if mapped, shows its registers: filled on map, and one field
// updated after each register change (set_vp_registers is the only call that changes one).
inline void fill_register_page(CallContext& ctx, const state::Vp& vp) {
    const std::uint64_t pfn = vp.state_pages[state::kRegisterPageType];
    if (pfn != 0) state::write_register_page(vp, ctx.memory().page(pfn * hvcall::kPageSize));
}
inline void show_register_change(CallContext& ctx, const state::Vp& vp, std::uint32_t name) {
    const std::uint64_t pfn = vp.state_pages[state::kRegisterPageType];
    if (pfn != 0) state::write_register_field(vp, name, ctx.memory().page(pfn * hvcall::kPageSize));
}

}  // namespace hvsim::calls
