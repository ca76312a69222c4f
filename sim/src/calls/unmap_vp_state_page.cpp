// HvCallUnmapVpStatePage: partition id, VP index, page type (u16), input VTL, reserved byte
// (HDK-2B, 16 bytes). The pinned page goes back to the pool.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::unmap_vp_state_page_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kVpIndex = F::vp_index.offset, kType = F::type.offset,
                        kVtl = F::input_vtl.offset, kReserved = F::reserved0.offset;
}

Outcome unmap_vp_state_page(CallContext& ctx) {
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    const auto type = ctx.in<std::uint16_t>(kType);
    if (type >= state::kStatePageTypes) return ctx.reject(RuleId::vp_state_page_type_invalid, Site::input, kType, type);
    if (auto o = check_vtl(ctx, kVtl)) return *o;
    if (auto o =
            reserved(ctx, RuleId::vp_state_page_reserved_nonzero, kReserved, ctx.in<std::uint8_t>(kReserved), 0xFF))
        return *o;
    if (vp->state_pages[type] == 0) return ctx.reject(RuleId::unmap_vp_state_page_not_mapped, Site::input, kType, type);
    model(ctx).unpin_page(*p, vp->state_pages[type]);
    vp->state_pages[type] = 0;
    return Outcome::ok();
}

}  // namespace hvsim::calls
