// HvCallDeletePartition: partition id (8 bytes; HVCALL issues it fast). The id is invalid
// afterwards and the root's pool gets back what creation took.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

Outcome delete_partition(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, 0, Target::child, p); !o.is_ok()) return o;
    if (p->state == PartitionState::active)
        return ctx.reject(RuleId::delete_partition_not_finalized, Site::input, 0, static_cast<std::uint64_t>(p->state));
    if (!p->pool.empty()) return ctx.reject(RuleId::delete_partition_pool_not_empty, Site::input, 0, p->pool.covered());
    model(ctx).remove(p->id);
    return Outcome::ok();
}

}  // namespace hvsim::calls
