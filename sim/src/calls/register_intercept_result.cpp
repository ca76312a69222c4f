// HvCallRegisterInterceptResult: partition id, VP index, intercept type, 44-byte parameters
// (HDK-3B x86, 60 bytes). CPUID results are kept and applied by get_vp_cpuid_values;
// MSR results are checked only: no call of the model observes them.
#include <algorithm>

#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kType = 12;
constexpr std::uint32_t kEax = 16, kEcx = 20, kSubleafSpecific = 24, kAlwaysOverride = 25, kPadding = 26, kResults = 28;
constexpr std::uint32_t kMsrUnused = 28, kEnd = 60;
constexpr std::uint32_t kMsr = 1, kCpuid = 2;
}  // namespace

Outcome register_intercept_result(CallContext& ctx) {
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    const auto type = ctx.in<std::uint32_t>(kType);
    if (type != kMsr && type != kCpuid)
        return ctx.reject(RuleId::register_intercept_result_type_invalid, Site::input, kType, type);
    if (type == kMsr) {
        for (std::uint32_t off = kMsrUnused; off < kEnd; off += 4)
            if (auto o = reserved(ctx, RuleId::register_intercept_result_reserved_nonzero, off,
                                  ctx.in<std::uint32_t>(off), ~0u))
                return *o;
        return Outcome::ok();
    }
    if (auto o = reserved(ctx, RuleId::register_intercept_result_reserved_nonzero, kPadding,
                          ctx.in<std::uint16_t>(kPadding), 0xFFFF))
        return *o;
    state::CpuidResult r;
    r.vp = vp->index;
    r.eax = ctx.in<std::uint32_t>(kEax);
    r.ecx = ctx.in<std::uint32_t>(kEcx);
    r.subleaf_specific = ctx.in<std::uint8_t>(kSubleafSpecific) != 0;
    r.always_override = ctx.in<std::uint8_t>(kAlwaysOverride) != 0;
    for (std::uint32_t k = 0; k < r.values.size(); ++k) r.values[k] = ctx.in<std::uint32_t>(kResults + 4 * k);
    std::erase_if(p->cpuid_results, [&](const state::CpuidResult& e) {
        return e.vp == r.vp && e.eax == r.eax && e.subleaf_specific == r.subleaf_specific &&
               (!r.subleaf_specific || e.ecx == r.ecx);
    });
    p->cpuid_results.push_back(r);
    return Outcome::ok();
}

}  // namespace hvsim::calls
