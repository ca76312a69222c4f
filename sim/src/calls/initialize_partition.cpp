// HvCallInitializePartition: partition id (8 bytes; HVCALL issues it fast). Moves an
// uninitialized partition to active; its own pool pays for the partition's objects.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

Outcome initialize_partition(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, 0, Target::child, p); !o.is_ok()) return o;
    if (p->state != PartitionState::uninitialized)
        return ctx.reject(RuleId::initialize_partition_not_uninitialized, Site::input, 0,
                          static_cast<std::uint64_t>(p->state));
    const std::uint32_t cost = model(ctx).costs().initialize_partition;
    if (auto o = can_allocate(ctx, *p, cost, 0); !o.is_ok()) return o;
    p->fixed_used += cost;
    p->state = PartitionState::active;
    return Outcome::ok();
}

}  // namespace hvsim::calls
