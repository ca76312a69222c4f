// HvCallMapVpStatePage: partition id, VP index, page type (u16), input VTL, flags, requested
// location (HDK-2B, 24 bytes); output the PFN of the page the hypervisor provides,
// a page of the partition's pool, pinned until unmapped. Mapping a mapped type returns it again.
// A fresh REGISTERS page shows the VP's registers (HDK-2B/HDK-3B, layout in state/register_page.hpp)
// and set_vp_registers keeps it showing them; the INTERCEPT_MESSAGE and GHCB pages start zeroed
// and stay so, since the model dispatches no VP that could write an intercept or use a GHCB.
#include <algorithm>

#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"
#include "vp_registers.hpp"

namespace hvsim::calls {

namespace F = fields::map_vp_state_page_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kVpIndex = F::vp_index.offset, kType = F::type.offset,
                        kVtl = F::input_vtl.offset, kFlags = F::flags.offset,
                        kRequested = F::requested_map_location.offset;
constexpr std::uint8_t kLocationProvided = 0x1;
constexpr std::uint16_t kGhcb = 2;
}  // namespace

Outcome map_vp_state_page(CallContext& ctx) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    const auto type = ctx.in<std::uint16_t>(kType);
    const bool snp = isolation_type(p->isolation) == kIsolationSnp;
    if (type >= state::kStatePageTypes || (type == kGhcb && !snp))
        return ctx.reject(RuleId::vp_state_page_type_invalid, Site::input, kType, type);
    if (auto o = check_vtl(ctx, kVtl)) return *o;
    const auto flags = ctx.in<std::uint8_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::vp_state_page_reserved_nonzero, kFlags, flags, 0xFE)) return *o;
    if ((flags & kLocationProvided) != 0)
        return ctx.reject(RuleId::vp_state_page_overlay_not_allowed, Site::input, kFlags, flags, kLocationProvided);
    if (auto o =
            reserved(ctx, RuleId::vp_state_page_reserved_nonzero, kRequested, ctx.in<std::uint64_t>(kRequested), ~0ull))
        return *o;
    std::uint64_t& pfn = vp->state_pages[type];
    if (pfn == 0) {
        if (auto o = can_allocate(ctx, *p, 1, kPartition); !o.is_ok()) return o;
        pfn = s.pin_page(*p);
        Page& page = ctx.memory().page(pfn * hvcall::kPageSize);
        std::fill(page.begin(), page.end(), std::byte{0});
        if (type == state::kRegisterPageType) fill_register_page(ctx, *vp);
    }
    ctx.out<std::uint64_t>(0, pfn);
    return Outcome::ok();
}

}  // namespace hvsim::calls
