// HvCallGetPartitionProperty: partition id, property code (u32), padding; output the 8-byte
// value (facts 5.2). HV_PARTITION_ID_SELF reads the root's own properties.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kCode = 8, kPadding = 12;
}

Outcome get_partition_property(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    if (auto o = reserved(ctx, RuleId::partition_property_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    const auto code = ctx.in<std::uint32_t>(kCode);
    const auto index = state::property_index(code);
    if (!index) return ctx.reject(RuleId::partition_property_unknown, Site::input, kCode, code);
    if (p->state == PartitionState::finalized)
        return ctx.reject(RuleId::partition_property_finalized, Site::input, kPartition, p->id);
    ctx.out<std::uint64_t>(0, p->properties[*index]);
    return Outcome::ok();
}

}  // namespace hvsim::calls
