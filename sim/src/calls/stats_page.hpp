// What map and unmap stats page share (HDKMINI): the 24-byte input, the four identity forms,
// and the key the model files a mapped page under (type and identity, ids resolved).
#pragma once

#include <array>

#include "common.hpp"

namespace hvsim::calls::stats {

inline constexpr std::uint32_t kType = 0, kPadding = 4, kIdentity = 8, kArea = 23;
inline constexpr std::uint32_t kHypervisor = 0x1, kLogicalProcessor = 0x2, kPartitionType = 0x00010001,
                               kVp = 0x00010002;
inline constexpr std::uint8_t kLastArea = 2;  // SELF, PARENT, INTERNAL

struct Target {
    std::array<std::uint64_t, 3> key{};
    std::uint64_t partition = 0;  // the partition the page's counters belong to, 0 for none
};

// Reserved bytes [from, to) of the input, as one violation at the first non-zero one.
[[nodiscard]] inline std::optional<Outcome> reserved_bytes(CallContext& ctx, std::uint32_t from,
                                                           std::uint32_t to) noexcept {
    for (std::uint32_t off = from; off < to; ++off)
        if (auto o = reserved(ctx, RuleId::stats_page_reserved_nonzero, off, ctx.in<std::uint8_t>(off), 0xFF)) return o;
    return std::nullopt;
}

[[nodiscard]] inline Outcome decode(CallContext& ctx, Target& t) noexcept {
    const auto type = ctx.in<std::uint32_t>(kType);
    const auto area = ctx.in<std::uint8_t>(kArea);
    if ((type != kHypervisor && type != kLogicalProcessor && type != kPartitionType && type != kVp) || area > kLastArea)
        return ctx.reject(RuleId::stats_page_type_invalid, Site::input, type > kVp ? kType : kArea, type);
    if (auto o = reserved(ctx, RuleId::stats_page_reserved_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    t.key = {type, ctx.in<std::uint64_t>(kIdentity), ctx.in<std::uint64_t>(kIdentity + 8)};
    if (type == kHypervisor) {
        if (auto o = reserved_bytes(ctx, kIdentity, kArea)) return *o;
    } else if (type == kLogicalProcessor) {
        if (auto o = reserved_bytes(ctx, kIdentity + 4, kArea)) return *o;
        const auto lp = ctx.in<std::uint32_t>(kIdentity);
        if (lp >= ctx.config().cpus) return ctx.reject(RuleId::stats_page_lp_invalid, Site::input, kIdentity, lp);
    } else {
        Partition* p = nullptr;
        if (auto o = find_partition(ctx, kIdentity, calls::Target::any, p); !o.is_ok()) return o;
        t.partition = p->id;
        t.key[1] = p->id;  // HV_PARTITION_ID_SELF and the root's id name one page
        if (type == kPartitionType) {
            if (auto o = reserved_bytes(ctx, kIdentity + 8, kArea)) return *o;
        } else {
            if (auto o = reserved_bytes(ctx, kIdentity + 14, kArea)) return *o;
            state::Vp* vp = nullptr;
            if (auto o = find_vp(ctx, *p, kIdentity + 8, vp); !o.is_ok()) return o;
        }
    }
    if (t.partition == model(ctx).root_id()) t.partition = 0;  // root counters live as long as the machine
    return Outcome::ok();
}

}  // namespace hvsim::calls::stats
