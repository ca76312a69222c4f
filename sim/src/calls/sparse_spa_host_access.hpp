// What acquire and release sparse SPA page host access share: the 16-byte header (host
// access u32, flags u32, partition id; HDK-2B) and one SPA PFN per element. The partition is
// named only with MAKE_EXCLUSIVE.
#pragma once

#include "common.hpp"

namespace hvsim::calls {

enum class HostAccessChange : std::uint8_t { acquire, release };

namespace host_access {

inline constexpr std::uint32_t kHostAccess = 0, kFlags = 4, kPartition = 8;
inline constexpr std::uint32_t kMakeExclusive = 0x1, kMakeShared = 0x2, kLargePage = 0x4, kHugePage = 0x8;
inline constexpr std::uint64_t kHostAccessReserved = ~0x3ull & 0xFFFFFFFFull;
inline constexpr std::uint64_t kFlagsReserved = ~0xFull & 0xFFFFFFFFull;
inline constexpr std::uint64_t kHugePages = 1ull << 18;  // 1 GiB in 4 KiB pages

struct Header {
    Partition* p = nullptr;  // the partition made exclusive owner; none when shared
    std::uint32_t host_access = 0;
    std::uint64_t pages = 1;  // per element: 1, 512 (LARGE_PAGE) or 2^18 (HUGE_PAGE)
};

template <HostAccessChange change>
[[nodiscard]] Outcome read_header(CallContext& ctx, Header& h) {
    h.host_access = ctx.in<std::uint32_t>(kHostAccess);
    const auto flags = ctx.in<std::uint32_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::host_access_reserved_bits, kHostAccess, h.host_access, kHostAccessReserved))
        return *o;
    if (auto o = reserved(ctx, RuleId::host_access_reserved_bits, kFlags, flags, kFlagsReserved)) return *o;
    const std::uint32_t wanted = change == HostAccessChange::acquire ? kMakeShared : kMakeExclusive;
    if ((flags & (kMakeExclusive | kMakeShared)) != wanted ||
        (flags & (kLargePage | kHugePage)) == (kLargePage | kHugePage))
        return ctx.reject(RuleId::host_access_flags_invalid, Site::input, kFlags, flags);
    if ((flags & kMakeExclusive) != 0) {
        if (auto o = find_partition(ctx, kPartition, Target::child, h.p); !o.is_ok()) return o;
    } else if (auto o = reserved(ctx, RuleId::host_access_partition_without_exclusive, kPartition,
                                 ctx.in<std::uint64_t>(kPartition), ~0ull)) {
        return *o;
    }
    h.pages = (flags & kHugePage) ? kHugePages : (flags & kLargePage) ? state::kLargePages : 1;
    return Outcome::ok();
}

[[nodiscard]] inline Outcome modify(CallContext& ctx, const Header& h, std::uint32_t index) {
    state::State& s = model(ctx);
    const auto offset = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const auto pfn = ctx.in<std::uint64_t>(offset);
    if (pfn % h.pages != 0)
        return ctx.reject(RuleId::host_access_pfn_unaligned, Site::input, offset, pfn, pfn % h.pages);
    if (!s.is_ram(pfn, h.pages)) return ctx.reject(RuleId::host_access_pfn_not_ram, Site::input, offset, pfn);
    if (h.p != nullptr && !s.all_owners(pfn, h.pages, [&](const state::OwnerValue& o) {
            return o.owner == PfnOwner::mapped && o.partition == h.p->id;
        }))
        return ctx.reject(RuleId::host_access_pfn_not_mapped, Site::input, offset, pfn);

    const HostAccess next{static_cast<std::uint8_t>(h.host_access & 0x3), h.p != nullptr ? h.p->id : 0};
    if (next == HostAccess{})
        s.host_access.erase(pfn, h.pages);
    else
        s.host_access.assign(pfn, h.pages, state::HostAccessValue{next});
    return Outcome::ok();
}

template <HostAccessChange change>
inline constexpr Handler kHandler = rep_handler<Header, read_header<change>, modify>();

}  // namespace host_access

}  // namespace hvsim::calls
