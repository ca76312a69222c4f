// HvCallGetSystemProperty: u32 property id, u32 argument (A-HDKMINI, 8 bytes; older headers 16);
// an 8-byte value out. The properties upstream reads: the scheduler type at init (A-MAIN
// hv_retrieve_scheduler_type), the crash-dump area (T-CRASH hv_root_crash_init), and dynamic
// processor features (the SNP status, argument = feature).
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::get_system_property_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kId = F::property_id.offset, kArg = F::as_uint32.offset;
}

Outcome get_system_property(CallContext& ctx) {
    const auto id = ctx.in<std::uint32_t>(kId);
    const auto arg = ctx.in<std::uint32_t>(kArg);
    std::uint64_t value = 0;
    switch (id) {
        case sys::kSchedulerType:
            value = sys::kSchedulerCoreSmt;
            break;
        case sys::kCrashdumpArea:
            value = 0;
            break;  // no crash-dump area: base 0, no pages
        case sys::kDynamicProcessorFeature:
            value = 0;
            break;  // SNP status NONE, no encrypted partitions
        default:
            return ctx.reject(RuleId::system_property_unknown, Site::input, kId, id);
    }
    if (id != sys::kDynamicProcessorFeature)
        if (auto o = reserved(ctx, RuleId::system_property_reserved_nonzero, kArg, arg, ~0u)) return *o;
    ctx.out<std::uint64_t>(0, value);
    return Outcome::ok();
}

}  // namespace hvsim::calls
