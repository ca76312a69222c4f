// HvCallSetPartitionProperty: partition id, property code (u32), padding, value (facts 5.2).
// Completes synchronously in the model (Linux allows for an asynchronous completion).
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kCode = 8, kPadding = 12, kValue = 16;
}

Outcome set_partition_property(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    if (auto o = reserved(ctx, RuleId::partition_property_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    const auto code = ctx.in<std::uint32_t>(kCode);
    const auto index = state::property_index(code);
    if (!index) return ctx.reject(RuleId::partition_property_unknown, Site::input, kCode, code);
    if (p->state == PartitionState::finalized)
        return ctx.reject(RuleId::partition_property_finalized, Site::input, kPartition, p->id);
    const state::PropertyInfo& info = state::kProperties[*index];
    const auto value = ctx.in<std::uint64_t>(kValue);
    if (info.range == state::Range::read_only)
        return ctx.reject(RuleId::set_partition_property_read_only, Site::input, kCode, code);
    if (!state::in_range(info, value))
        return ctx.reject(RuleId::set_partition_property_out_of_range, Site::input, kValue, value);
    p->properties[*index] = value;
    return Outcome::ok();
}

}  // namespace hvsim::calls
