// HvCallGetPartitionPropertyEx: partition id, u32 property code, u32 padding, an 8-byte
// argument (HDK-2B, 24 bytes); the value out, up to a page less the input header. Upstream
// reads VMM_CAPABILITIES and INTEGRATED_SCHEDULER_ENABLED of SELF at init (A-MAIN), and VMMs
// read ASSIGNABLE_SYNTHETIC_PROC_FEATURES through the self passthrough (mshv-uapi clients).
// VMM capabilities come as hv_partition_property_vmm_capabilities: u16 bank count (1), three
// reserved u16, one 64-bit bank (A-HDKMINI); every other property as its 8-byte value.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::get_partition_property_ex_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kArg = F::arg.offset;
constexpr std::uint32_t kVmmCapabilities = 0x00090007;
constexpr std::uint16_t kVmmCapabilityBanks = 1;  // HV_PARTITION_VMM_CAPABILITIES_BANK_COUNT
}  // namespace

Outcome get_partition_property_ex(CallContext& ctx) {
    PropertyTarget t;
    if (auto o = find_property(ctx, t); !o.is_ok()) return o;
    if (auto o = reserved(ctx, RuleId::partition_property_ex_arg_nonzero, kArg, ctx.in<std::uint64_t>(kArg), ~0ull))
        return *o;
    const std::uint64_t value = t.partition->properties[t.index];
    if (state::kProperties[t.index].code == kVmmCapabilities) {
        ctx.out<std::uint64_t>(0, kVmmCapabilityBanks);  // bank count, then the reserved u16s as zero
        ctx.out<std::uint64_t>(8, value);
    } else {
        ctx.out<std::uint64_t>(0, value);
    }
    return Outcome::ok();
}

}  // namespace hvsim::calls
