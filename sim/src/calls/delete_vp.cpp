// HvCallDeleteVp: partition id, VP index, 4 reserved bytes (HDK; HVCALL issues it fast-16).
// The VP's pages, its state pages included, go back to the pool.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::delete_vp_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kVpIndex = F::vp_index.offset;
constexpr std::uint32_t kReserved = F::reserved.offset;
}  // namespace

Outcome delete_vp(CallContext& ctx) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    if (auto o = reserved(ctx, RuleId::delete_vp_reserved_nonzero, kReserved, ctx.in<std::uint32_t>(kReserved), ~0u))
        return *o;
    for (std::uint64_t pfn : vp->state_pages)
        if (pfn != 0) s.unpin_page(*p, pfn);
    // Stats pages of this VP go with it.
    std::erase_if(s.stats_pages, [&](const auto& e) {
        if (e.first[0] != 0x00010002 || e.first[1] != p->id || (e.first[2] & 0xFFFFFFFF) != vp->index) return false;
        s.release_stats_page(e.second);
        return true;
    });
    p->vps.erase(vp->index);
    p->fixed_used -= s.costs().vp;
    s.root().fixed_used -= s.costs().vp_root;
    return Outcome::ok();
}

}  // namespace hvsim::calls
