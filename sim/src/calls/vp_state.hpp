// What get and set VP state share (HDK): the 40-byte header, the state types, how
// many PFNs or bytes each takes, and the VP's bytes behind each type.
#pragma once

#include <span>

#include "common.hpp"

namespace hvsim::calls::vp_state {

inline constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kVtl = 12, kRsvd = 13, kType = 16, kTypeRsvd = 20;
inline constexpr std::uint32_t kXsaveFlags = 24, kXsaveStates = 32, kData = 40;
inline constexpr std::uint32_t kLapic = 0x80000000, kXsave = 0x80000001, kSimPage = 0x80000002, kSiefPage = 0x80000003;
inline constexpr std::uint32_t kTimers = 0x4;
inline constexpr std::uint32_t kTimersQwords = state::kTimersBytes / 8;
static_assert(kTimersQwords == 25);

// The PFN pages a type fills (0 for the byte-passed timers). XSAVE: the partition's xsave size.
[[nodiscard]] inline std::uint32_t pages_for(std::uint32_t type, const Partition& p) noexcept {
    if (type == kTimers) return 0;
    if (type != kXsave) return 1;
    const std::uint64_t size = p.properties[*state::property_index(0x00060008)];  // MAX_XSAVE_DATA_SIZE
    return static_cast<std::uint32_t>((size + hvcall::kPageSize - 1) / hvcall::kPageSize);
}

// The header checks both calls make; leaves the VP and partition found.
[[nodiscard]] inline Outcome check_header(CallContext& ctx, Partition*& p, state::Vp*& vp,
                                          std::uint32_t& type) noexcept {
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    if (auto o = check_vtl(ctx, kVtl)) return *o;
    if (auto o = reserved(ctx, RuleId::vp_state_reserved_nonzero, kRsvd, ctx.in<std::uint32_t>(kVtl) >> 8, 0xFFFFFF))
        return *o;
    type = ctx.in<std::uint32_t>(kType);
    if (type != kLapic && type != kXsave && type != kSimPage && type != kSiefPage && type != kTimers)
        return ctx.reject(RuleId::vp_state_type_unknown, Site::input, kType, type);
    if (auto o = reserved(ctx, RuleId::vp_state_reserved_nonzero, kTypeRsvd, ctx.in<std::uint32_t>(kTypeRsvd), ~0u))
        return *o;
    if (type != kXsave)
        for (std::uint32_t off : {kXsaveFlags, kXsaveStates})
            if (auto o = reserved(ctx, RuleId::vp_state_reserved_nonzero, off, ctx.in<std::uint64_t>(off), ~0ull))
                return *o;
    const std::uint32_t pfns = ctx.control().varhead_qwords();
    const std::uint32_t need = pages_for(type, *p);
    if (need != 0) {
        if (pfns < need) return ctx.reject(RuleId::vp_state_size_mismatch, Site::input, kData, pfns, need);
        for (std::uint32_t i = 0; i < pfns; ++i) {
            const auto pfn = ctx.in<std::uint64_t>(kData + 8 * i);
            if (!model(ctx).is_ram(pfn) || model(ctx).owners.at(pfn))
                return ctx.reject(RuleId::vp_state_pfn_invalid, Site::input, kData + 8 * i, pfn);
        }
    }
    return Outcome::ok();
}

// The VP's bytes behind a PFN type, laid out as the page the hypervisor fills.
template <class F>
void with_bytes(state::Vp& vp, std::uint32_t type, F&& f) {
    switch (type) {
        case kLapic:
            f(std::as_writable_bytes(std::span(vp.lapic)));
            break;
        case kXsave:
            f(std::as_writable_bytes(std::span(vp.xsave)));
            break;
        case kSimPage:
            f(std::as_writable_bytes(std::span(vp.messages)));
            break;
        case kSiefPage:
            f(std::as_writable_bytes(std::span(vp.events)));
            break;
        default:
            break;
    }
}

}  // namespace hvsim::calls::vp_state
