// HvCallSetPartitionProperty: partition id, property code (u32), padding, value (HDK).
// Completes synchronously in the model (Linux allows for an asynchronous completion).
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::set_partition_property_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kCode = F::property_code.offset, kValue = F::property_value.offset;
}

Outcome set_partition_property(CallContext& ctx) {
    PropertyTarget t;
    if (auto o = find_property(ctx, t); !o.is_ok()) return o;
    Partition* p = t.partition;
    const auto code = ctx.in<std::uint32_t>(kCode);
    const state::PropertyInfo& info = state::kProperties[t.index];
    const auto value = ctx.in<std::uint64_t>(kValue);
    if (info.range == state::Range::read_only)
        return ctx.reject(RuleId::set_partition_property_read_only, Site::input, kCode, code);
    if (info.range == state::Range::creation && p->state != PartitionState::uninitialized)
        return ctx.reject(RuleId::set_partition_property_initialized, Site::input, kCode, code);
    if (!state::in_range(info, value))
        return ctx.reject(RuleId::set_partition_property_out_of_range, Site::input, kValue, value);
    p->properties[t.index] = value;
    return Outcome::ok();
}

}  // namespace hvsim::calls
