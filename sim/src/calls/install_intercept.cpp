// HvCallInstallIntercept: partition id, access type, intercept type, parameter (24 bytes). The
// layout is UAPI-HV's, a pre-merge header (no upstream header has it). Installing the same type
// and parameter again replaces the access type; access NONE removes the intercept.
#include <algorithm>

#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kAccess = 8, kType = 12, kParameter = 16;
constexpr std::uint32_t kAccessDefined = 0x7;  // READ, WRITE, EXECUTE
constexpr std::uint32_t kReserved0 = 4, kLastType = 0xC;

// Bits of the parameter union the type uses (GDKMINI members).
std::uint64_t parameter_mask(std::uint32_t type) {
    switch (type) {
        case 0x0:
        case 0x3:
            return 0xFFFF;  // I/O port, exception vector: u16
        case 0x2:
        case 0xB:
        case 0xC:
            return 0xFFFFFFFF;  // CPUID index, APIC write mask, MSR index: u32
        default:
            return 0;  // the type takes no parameter
    }
}
}  // namespace

Outcome install_intercept(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::child, p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *p, kPartition); !o.is_ok()) return o;
    const auto access = ctx.in<std::uint32_t>(kAccess);
    const auto type = ctx.in<std::uint32_t>(kType);
    const auto parameter = ctx.in<std::uint64_t>(kParameter);
    if (type > kLastType || type == kReserved0)
        return ctx.reject(RuleId::install_intercept_type_invalid, Site::input, kType, type);
    if (auto o =
            reserved(ctx, RuleId::install_intercept_access_reserved, kAccess, access, ~std::uint64_t{kAccessDefined}))
        return *o;
    if (auto o =
            reserved(ctx, RuleId::install_intercept_parameter_reserved, kParameter, parameter, ~parameter_mask(type)))
        return *o;
    std::erase_if(p->intercepts, [&](const state::Intercept& i) { return i.type == type && i.parameter == parameter; });
    if ((access & kAccessDefined) != 0) p->intercepts.push_back({type, access, parameter});
    return Outcome::ok();
}

}  // namespace hvsim::calls
