// HvCallGetPartitionProperty: partition id, property code (u32), padding; output the 8-byte
// value (HDK). HV_PARTITION_ID_SELF reads the root's own properties.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

Outcome get_partition_property(CallContext& ctx) {
    PropertyTarget t;
    if (auto o = find_property(ctx, t); !o.is_ok()) return o;
    ctx.out<std::uint64_t>(0, t.partition->properties[t.index]);
    return Outcome::ok();
}

}  // namespace hvsim::calls
