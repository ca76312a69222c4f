// What several handlers share: naming a partition, paying from a pool, GFN limits.
#pragma once

#include <algorithm>
#include <cstring>
#include <optional>
#include <span>

#include "hvsim/call_context.hpp"
#include "state/state.hpp"

namespace hvsim::calls {

using state::Partition;

[[nodiscard]] inline state::State& model(CallContext& ctx) noexcept { return ctx.state(); }

enum class Target : std::uint8_t { any, child };

// The partition named by the qword at `offset`; rejects unknown ids and, for child-only
// calls, the root. `p` is set on success.
[[nodiscard]] inline Outcome find_partition(CallContext& ctx, std::uint32_t offset, Target target,
                                            Partition*& p) noexcept {
    const auto id = ctx.in<std::uint64_t>(offset);
    p = model(ctx).find(id);
    if (p == nullptr) return ctx.reject(RuleId::partition_id_unknown, Site::input, offset, id);
    if (target == Target::child && p->id == model(ctx).root_id())
        return ctx.reject(RuleId::partition_is_root, Site::input, offset, id);
    return Outcome::ok();
}

[[nodiscard]] inline Outcome require_active(CallContext& ctx, const Partition& p, std::uint32_t offset) noexcept {
    if (p.state != PartitionState::active)
        return ctx.reject(RuleId::partition_not_active, Site::input, offset, static_cast<std::uint64_t>(p.state));
    return Outcome::ok();
}

// How an allocation is paid, and so which "needs memory" status a shortfall gives (the four the
// driver tells apart, A-PROC hv_deposit_memory_node): from the pool of the partition the call
// is about (INSUFFICIENT_MEMORY) or from the root's own pool on behalf of it (INSUFFICIENT_ROOT_
// MEMORY), as single pages or as one run of contiguous pages (the _CONTIGUOUS_ variants, for
// which the driver deposits HV_MAX_CONTIGUOUS_ALLOCATION_PAGES at once).
enum class Payer : std::uint8_t { own, root };
struct Need {
    Payer payer = Payer::own;
    bool contiguous = false;
};

// The longest run of consecutive PFNs deposited into p. The model tracks which pages a pool
// holds, not which of them its objects use, so a run counts while the pool holds it.
[[nodiscard]] inline std::uint64_t longest_run(const Partition& p) noexcept {
    std::uint64_t longest = 0;
    for (const auto& [pfn, run] : p.pool.runs()) longest = std::max(longest, run.count);
    return longest;
}

// Asks for `pages` free pool pages of `p` (the fault plan first, then the pool); takes none.
// The caller then records what it built, which is what holds the pages.
[[nodiscard]] inline Outcome can_allocate(CallContext& ctx, const Partition& p, std::uint64_t pages,
                                          std::uint32_t offset, Need need = {}) noexcept {
    if (pages == 0) return Outcome::ok();
    if (ctx.allocation_fails()) return ctx.reject(RuleId::fault_allocation_failed, Site::input, offset, pages);
    const bool root = need.payer == Payer::root;
    const std::uint64_t used = p.used(model(ctx).costs());
    const std::uint64_t free = p.pool.covered() > used ? p.pool.covered() - used : 0;
    if (free < pages) {
        if (root) return ctx.reject(RuleId::pool_root_exhausted, Site::input, offset, free);
        return ctx.reject(RuleId::pool_exhausted, Site::input, offset, free);
    }
    if (const std::uint64_t run = need.contiguous && pages > 1 ? longest_run(p) : pages; run < pages) {
        if (root) return ctx.reject(RuleId::pool_root_no_contiguous_run, Site::input, offset, run);
        return ctx.reject(RuleId::pool_no_contiguous_run, Site::input, offset, run);
    }
    return Outcome::ok();
}

// One past the highest GFN of a child's GPA space.
// How many of the 8-byte little-endian values in `list` run first, first + 1, ... from its
// start: the test a bulk step makes of a PFN list. Eight values per comparison, which the
// compiler unrolls, and which a build tracing comparisons (libFuzzer's) records once per eight.
[[nodiscard]] inline std::uint64_t consecutive_prefix(std::span<const std::byte> list, std::uint64_t first) noexcept {
    const std::size_t n = list.size() / sizeof(std::uint64_t);
    const auto value = [&](std::size_t k) {
        std::uint64_t v = 0;
        std::memcpy(&v, list.data() + k * sizeof v, sizeof v);
        return v;
    };
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        std::uint64_t differs = 0;
        for (std::size_t j = 0; j < 8; ++j) differs |= value(k + j) ^ (first + k + j);
        if (differs != 0) break;
    }
    while (k < n && value(k) == first + k) ++k;
    return k;
}

[[nodiscard]] inline std::uint64_t gfn_limit(const state::State& s) noexcept { return s.config().gfn_limit(); }

// How many of the `count` GFNs from `gfn` on come before the first one a 2 MiB mapping holds:
// the 4 KiB pages a map or unmap may replace without splitting a large page.
[[nodiscard]] inline std::uint64_t small_pages_from(const Partition& p, std::uint64_t gfn, std::uint64_t count) {
    std::uint64_t n = count;
    p.gpa.for_each_in(gfn, count, [&](const state::ExtentMap<state::GpaValue>::Extent& e) {
        if (e.value.large) n = std::min(n, e.start - gfn);
    });
    return n;
}

// The GFNs a map-like rep call walks: from `base`, `pages` per element (1, or 512 with a
// large-page flag), below the GFN limit.
struct GfnSteps {
    std::uint64_t base = 0;
    std::uint64_t pages = 1;
    std::uint64_t limit = 0;

    [[nodiscard]] bool large() const noexcept { return pages != 1; }
    // How many of `count` elements from `first` on lie below the limit (a bulk step's bound).
    [[nodiscard]] std::uint64_t in_range(std::uint32_t first, std::uint64_t count) const noexcept {
        const std::uint64_t start = std::uint64_t{first} * pages;
        if (base >= limit || limit - base <= start) return 0;
        return std::min(count, (limit - base - start) / pages);
    }
    // Element `index`'s first GFN, when all its pages lie below the limit.
    [[nodiscard]] std::optional<std::uint64_t> gfn(std::uint32_t index) const noexcept {
        const std::uint64_t step = std::uint64_t{index} * pages;
        if (base >= limit || limit - base < step + pages) return std::nullopt;
        return base + step;
    }
};

// Reads the base GFN at `offset` for a call whose elements are 2 MiB pages when `large`, in
// which case the base must be 2 MiB aligned (else `unaligned`).
[[nodiscard]] inline Outcome read_gfn_steps(CallContext& ctx, std::uint32_t offset, bool large, EnforcedRule unaligned,
                                            GfnSteps& steps) noexcept {
    steps.base = ctx.in<std::uint64_t>(offset);
    steps.limit = gfn_limit(ctx.view());
    if (!large) return Outcome::ok();
    if (steps.base % state::kLargePages != 0)
        return ctx.reject(unaligned, Site::input, offset, steps.base, steps.base % state::kLargePages);
    steps.pages = state::kLargePages;
    return Outcome::ok();
}

// A reserved field with bits under `mask` set: recorded as a violation; the rejection to
// return when the machine rejects spec-only rules.
[[nodiscard]] inline std::optional<Outcome> reserved(CallContext& ctx, RuleId rule, std::uint32_t offset,
                                                     std::uint64_t value, std::uint64_t mask) noexcept {
    if ((value & mask) == 0) return std::nullopt;
    return ctx.violation(rule, Site::input, offset, value, value & mask);
}

// hv_proximity_domain_info's flags (the u32 at `offset`): bits 1-30 are reserved (HDKMINI).
inline constexpr std::uint32_t kProximityFlagsReserved = 0x7FFFFFFE;
[[nodiscard]] inline std::optional<Outcome> check_proximity_flags(CallContext& ctx, RuleId rule,
                                                                  std::uint32_t offset) noexcept {
    return reserved(ctx, rule, offset, ctx.in<std::uint32_t>(offset), kProximityFlagsReserved);
}

// hv_partition_isolation_properties (HDK): isolation type in bits 0-4, host type in bits 5-6.
inline constexpr std::uint64_t kIsolationTypeMask = 0x1F, kIsolationSnp = 2, kIsolationTdx = 3;
inline constexpr std::uint64_t kIsolationHostTypeShift = 5, kIsolationHostTypeMask = 0x3;
[[nodiscard]] constexpr std::uint64_t isolation_type(std::uint64_t isolation) noexcept {
    return isolation & kIsolationTypeMask;
}
[[nodiscard]] constexpr std::uint64_t isolation_host_type(std::uint64_t isolation) noexcept {
    return (isolation >> kIsolationHostTypeShift) & kIsolationHostTypeMask;
}

// The VP `index` (u32 at `offset`) of p; rejects indices with no VP.
[[nodiscard]] inline Outcome find_vp(CallContext& ctx, Partition& p, std::uint32_t offset, state::Vp*& vp) noexcept {
    const auto index = ctx.in<std::uint32_t>(offset);
    auto it = p.vps.find(index);
    if (it == p.vps.end()) return ctx.reject(RuleId::vp_index_unknown, Site::input, offset, index);
    vp = &it->second;
    return Outcome::ok();
}

// An hv_input_vtl byte: bits 0-3 target VTL, bit 4 use it, bits 5-7 reserved. Only VTL 0 exists.
[[nodiscard]] inline std::optional<Outcome> check_vtl(CallContext& ctx, std::uint32_t offset) noexcept {
    const auto vtl = ctx.in<std::uint8_t>(offset);
    if (auto o = reserved(ctx, RuleId::vtl_reserved_bits, offset, vtl, 0xE0)) return o;
    if ((vtl & 0x10) != 0 && (vtl & 0x0F) != 0)
        return ctx.reject(RuleId::vtl_not_supported, Site::input, offset, vtl, vtl & 0x0F);
    return std::nullopt;
}

// A partition that must be active, and one of its VPs: the start of every VP call.
[[nodiscard]] inline Outcome find_active_vp(CallContext& ctx, std::uint32_t partition_offset, std::uint32_t vp_offset,
                                            Partition*& p, state::Vp*& vp) noexcept {
    if (auto o = find_partition(ctx, partition_offset, Target::child, p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *p, partition_offset); !o.is_ok()) return o;
    return find_vp(ctx, *p, vp_offset, vp);
}

// Get and set partition property begin alike (HDK): partition id, u32 property code and
// u32 padding; a known partition, zero padding, a known property, not yet finalized.
struct PropertyTarget {
    Partition* partition = nullptr;
    std::size_t index = 0;  // into Partition::properties
};
[[nodiscard]] inline Outcome find_property(CallContext& ctx, PropertyTarget& t) noexcept {
    constexpr std::uint32_t kPartition = 0, kCode = 8, kPadding = 12;
    if (auto o = find_partition(ctx, kPartition, Target::any, t.partition); !o.is_ok()) return o;
    if (auto o =
            reserved(ctx, RuleId::partition_property_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    const auto code = ctx.in<std::uint32_t>(kCode);
    const auto index = state::property_index(code);
    if (!index) return ctx.reject(RuleId::partition_property_unknown, Site::input, kCode, code);
    if (t.partition->state == PartitionState::finalized)
        return ctx.reject(RuleId::partition_property_finalized, Site::input, kPartition, t.partition->id);
    t.index = *index;
    return Outcome::ok();
}

}  // namespace hvsim::calls
