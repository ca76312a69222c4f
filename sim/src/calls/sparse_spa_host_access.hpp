// What acquire and release sparse SPA page host access share: the 16-byte header (host
// access u32, flags u32, partition id; HDK-2B) and one SPA PFN per element.
#pragma once

#include "common.hpp"

namespace hvsim::calls {

enum class HostAccessChange : std::uint8_t { acquire, release };

inline Outcome modify_host_access_element(CallContext& ctx, std::uint32_t index, HostAccessChange change) {
    constexpr std::uint32_t kHostAccess = 0, kFlags = 4, kPartition = 8;
    constexpr std::uint32_t kMakeExclusive = 0x1, kMakeShared = 0x2, kLargePage = 0x4, kHugePage = 0x8;
    constexpr std::uint64_t kHostAccessReserved = ~0x3ull & 0xFFFFFFFFull;
    constexpr std::uint64_t kFlagsReserved = ~0xFull & 0xFFFFFFFFull;
    constexpr std::uint64_t kHugePages = 1ull << 18;  // 1 GiB in 4 KiB pages

    state::State& s = model(ctx);
    const auto host_access = ctx.in<std::uint32_t>(kHostAccess);
    const auto flags = ctx.in<std::uint32_t>(kFlags);
    const bool exclusive = (flags & kMakeExclusive) != 0;
    Partition* p = nullptr;
    if (first_element(ctx, index)) {
        if (auto o = reserved(ctx, RuleId::host_access_reserved_bits, kHostAccess, host_access, kHostAccessReserved))
            return *o;
        if (auto o = reserved(ctx, RuleId::host_access_reserved_bits, kFlags, flags, kFlagsReserved)) return *o;
        const std::uint32_t wanted = change == HostAccessChange::acquire ? kMakeShared : kMakeExclusive;
        if ((flags & (kMakeExclusive | kMakeShared)) != wanted ||
            (flags & (kLargePage | kHugePage)) == (kLargePage | kHugePage))
            return ctx.reject(RuleId::host_access_flags_invalid, Site::input, kFlags, flags);
        if (exclusive) {
            if (auto o = find_partition(ctx, kPartition, Target::child, p); !o.is_ok()) return o;
        } else if (auto o = reserved(ctx, RuleId::host_access_partition_without_exclusive, kPartition,
                                     ctx.in<std::uint64_t>(kPartition), ~0ull)) {
            return *o;
        }
    } else if (exclusive) {
        p = s.find(ctx.in<std::uint64_t>(kPartition));
    }
    const std::uint64_t pages = (flags & kHugePage) ? kHugePages : (flags & kLargePage) ? state::kLargePages : 1;
    const auto offset = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const auto pfn = ctx.in<std::uint64_t>(offset);
    if (pfn % pages != 0) return ctx.reject(RuleId::host_access_pfn_unaligned, Site::input, offset, pfn, pfn % pages);
    if (!s.is_ram(pfn, pages)) return ctx.reject(RuleId::host_access_pfn_not_ram, Site::input, offset, pfn);
    if (exclusive && !s.all_owners(pfn, pages, [&](const state::OwnerValue& o) {
            return o.owner == PfnOwner::mapped && o.partition == p->id;
        }))
        return ctx.reject(RuleId::host_access_pfn_not_mapped, Site::input, offset, pfn);

    const HostAccess next{static_cast<std::uint8_t>(host_access & 0x3), exclusive ? p->id : 0};
    if (next == HostAccess{})
        s.host_access.erase(pfn, pages);
    else
        s.host_access.assign(pfn, pages, state::HostAccessValue{next});
    return Outcome::ok();
}

}  // namespace hvsim::calls
