// HvCallGetVpCpuidValues (rep): partition id, VP index, flags, reserved, padding, then one
// 24-byte leaf info per element (eax, ecx, xfem, xss); each output is eax/ebx/ecx/edx
// (HDK-3B, MARINER).
// The model's CPUID: a few leaves (vendor, signature, hypervisor leaves), zeros elsewhere; with
// apply_registered_values, results registered through register_intercept_result override them.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kFlags = 12, kReserved = 16, kPadding = 20;
constexpr std::uint32_t kApplyRegistered = 0x2, kDefinedFlags = 0x3;

std::array<std::uint32_t, 4> base_leaf(std::uint32_t eax, std::uint32_t vp) {
    switch (eax) {
        case 0x0:
            return {0xD, 0x756E6547, 0x6C65746E, 0x49656E69};  // "GenuineIntel"
        case 0x1:
            return {0x606A6, vp << 24, 0x80000000, 0x178BFBFF};  // APIC id in EBX 31:24, hypervisor bit
        case 0x40000000:
            return {0x4000000A, 0x7263694D, 0x666F736F, 0x76482074};  // "Microsoft Hv"
        case 0x40000001:
            return {0x31237648, 0, 0, 0};  // "Hv#1"
        default:
            return {0, 0, 0, 0};
    }
}

struct Header {
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    std::uint32_t flags = 0;
};

Outcome read_header(CallContext& ctx, Header& h) {
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, h.p, h.vp); !o.is_ok()) return o;
    h.flags = ctx.in<std::uint32_t>(kFlags);
    if (auto o =
            reserved(ctx, RuleId::get_vp_cpuid_values_reserved_nonzero, kFlags, h.flags, ~std::uint64_t{kDefinedFlags}))
        return *o;
    for (std::uint32_t off : {kReserved, kPadding})
        if (auto o = reserved(ctx, RuleId::get_vp_cpuid_values_reserved_nonzero, off, ctx.in<std::uint32_t>(off), ~0u))
            return *o;
    return Outcome::ok();
}

Outcome get_leaf(CallContext& ctx, const Header& h, std::uint32_t index) {
    const auto in = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const auto eax = ctx.in<std::uint32_t>(in), ecx = ctx.in<std::uint32_t>(in + 4);
    auto values = base_leaf(eax, h.vp->index);
    if ((h.flags & kApplyRegistered) != 0)
        for (const state::CpuidResult& r : h.p->cpuid_results)
            if (r.vp == h.vp->index && r.eax == eax && (!r.subleaf_specific || r.ecx == ecx))
                for (std::size_t k = 0; k < 4; ++k)
                    values[k] = (values[k] & ~r.values[2 * k + 1]) | (r.values[2 * k] & r.values[2 * k + 1]);
    const std::size_t out = ctx.rep_output_offset(index);
    for (std::size_t k = 0; k < 4; ++k) ctx.out<std::uint32_t>(out + 4 * k, values[k]);
    return Outcome::ok();
}

}  // namespace

constinit const Handler get_vp_cpuid_values = rep_handler<Header, read_header, get_leaf>();

}  // namespace hvsim::calls
