// HvCallFinalizePartition: partition id (8 bytes; HVCALL issues it fast). Frees every object
// of the partition (mappings, table pages, VPs) back into its pool for withdrawal.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

Outcome finalize_partition(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, 0, Target::child, p); !o.is_ok()) return o;
    if (p->state != PartitionState::active)
        return ctx.reject(RuleId::finalize_partition_not_active, Site::input, 0, static_cast<std::uint64_t>(p->state));
    model(ctx).finalize(*p);
    return Outcome::ok();
}

}  // namespace hvsim::calls
