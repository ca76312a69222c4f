// HvCallCreateVp: partition id, VP index, padding, subnode type and id, proximity, flags
// (HDKMINI, 40 bytes). A child's pool pays Costs::vp pages per VP (PROC deposits 90 pages
// first). The root creates its own VPs too, one per started LP at boot (A-PROC hv_smp_prep_cpus
// via hv_call_create_vp on hv_current_partition_id; "root VPs don't seem to need pages
// deposited"): those cost nothing. A child VP may also take Costs::vp_root pages of the root's
// own pool, and its pages may have to be one contiguous run (Costs::vp_contiguous): the
// shortfalls answer the root and contiguous "needs memory" statuses.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::create_vp_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kVpIndex = F::vp_index.offset,
                        kPadding = F::padding.offset, kSubnodeType = F::subnode_type.offset,
                        kProximityFlags = F::proximity_flags.offset, kFlags = F::flags.offset;
constexpr std::uint8_t kMaxSubnodeType = 3;  // ANY, SOCKET, CLUSTER, L3
}  // namespace

Outcome create_vp(CallContext& ctx) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *p, kPartition); !o.is_ok()) return o;
    const auto index = ctx.in<std::uint32_t>(kVpIndex);
    const std::uint64_t padding = ctx.in<std::uint32_t>(kPadding) & 0xFFFFFF;
    if (auto o = reserved(ctx, RuleId::create_vp_padding_nonzero, kPadding, padding, 0xFFFFFF)) return *o;
    const auto subnode = ctx.in<std::uint8_t>(kSubnodeType);
    if (subnode > kMaxSubnodeType)
        return ctx.reject(RuleId::create_vp_subnode_invalid, Site::input, kSubnodeType, subnode);
    if (auto o = check_proximity_flags(ctx, RuleId::create_vp_proximity_reserved, kProximityFlags)) return *o;
    if (auto o = reserved(ctx, RuleId::create_vp_flags_reserved, kFlags, ctx.in<std::uint64_t>(kFlags), ~0ull))
        return *o;
    if (index >= s.config().max_vps)
        return ctx.reject(RuleId::create_vp_index_out_of_range, Site::input, kVpIndex, index);
    if (p->vps.count(index) != 0) return ctx.reject(RuleId::create_vp_exists, Site::input, kVpIndex, index);
    const bool child = p != &s.root();
    const std::uint32_t cost = child ? s.costs().vp : 0;
    const std::uint32_t root_cost = child ? s.costs().vp_root : 0;
    const bool run = s.costs().vp_contiguous;
    if (auto o = can_allocate(ctx, *p, cost, kPartition, {Payer::own, run}); !o.is_ok()) return o;
    if (auto o = can_allocate(ctx, s.root(), root_cost, kPartition, {Payer::root, run}); !o.is_ok()) return o;
    p->vps.emplace(index, state::Vp(index));
    p->fixed_used += cost;
    s.root().fixed_used += root_cost;
    return Outcome::ok();
}

}  // namespace hvsim::calls
