// HvCallGetPartitionId: no input; output is the caller's partition id (8 bytes).
// TLFS HvCallGetPartitionId; Linux hv_get_partition_id() issues it with no input page.
#include "calls.hpp"

namespace hvsim::calls {

Outcome get_partition_id(CallContext& ctx) {
    ctx.out<std::uint64_t>(0, ctx.config().root_partition_id);
    return Outcome::ok();
}

}  // namespace hvsim::calls
