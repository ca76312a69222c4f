// HvCallMapGpaPages (rep): target partition, target GFN base, map flags, padding, then one
// source PFN per element (HDKMINI). With LARGE_PAGE each element maps 2 MiB: its PFN is the
// head of a 2 MiB-aligned run and element i lands at GFN base + 512 * i. A page already
// mapped is replaced (remapping), except that 4 KiB pages never split a 2 MiB one.
#include <algorithm>

#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::map_gpa_pages_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::target_partition_id.offset, kGfnBase = F::target_gpa_base.offset,
                        kFlags = F::map_flags.offset, kPadding = F::padding.offset;

// GPA map flags (HDKMINI)
constexpr std::uint32_t kPermissions = 0xF;
constexpr std::uint32_t kAdjustable = 0x8000;
constexpr std::uint32_t kNoAccess = 0x10000;
constexpr std::uint32_t kNotCached = 0x200000;
constexpr std::uint32_t kLargePage = 0x80000000;
constexpr std::uint32_t kDefinedFlags = kPermissions | kAdjustable | kNoAccess | kNotCached | kLargePage;
constexpr std::uint64_t kSuperPagesEnabled = 1ull << 4;  // creation flag GPA_SUPER_PAGES_ENABLED

struct Header {
    Partition* p = nullptr;
    std::uint32_t flags = 0;
    GfnSteps gfns;
    [[nodiscard]] bool no_access() const noexcept { return (flags & kNoAccess) != 0; }
};

Outcome read_header(CallContext& ctx, Header& h) {
    if (auto o = find_partition(ctx, kPartition, Target::child, h.p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *h.p, kPartition); !o.is_ok()) return o;
    h.flags = ctx.in<std::uint32_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::map_gpa_pages_flags_reserved, kFlags, h.flags, ~std::uint64_t{kDefinedFlags}))
        return *o;
    if (auto o = reserved(ctx, RuleId::map_gpa_pages_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    const bool large = (h.flags & kLargePage) != 0;
    if (large && (h.p->creation_flags & kSuperPagesEnabled) == 0)
        return ctx.reject(RuleId::map_gpa_pages_large_not_enabled, Site::input, kFlags, h.flags, kLargePage);
    return read_gfn_steps(ctx, kGfnBase, large, RuleId::map_gpa_pages_large_gfn_unaligned, h.gfns);
}

Outcome map(CallContext& ctx, const Header& h, std::uint32_t index) {
    state::State& s = model(ctx);
    Partition* p = h.p;
    const std::uint32_t flags = h.flags;
    const bool large = h.gfns.large();
    const std::uint64_t pages = h.gfns.pages;
    const auto at = h.gfns.gfn(index);
    if (!at) return ctx.reject(RuleId::map_gpa_pages_gfn_out_of_range, Site::input, kGfnBase, h.gfns.base);
    const std::uint64_t gfn = *at;
    const auto offset = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const bool no_access = h.no_access();
    const std::uint64_t pfn = no_access ? 0 : ctx.in<std::uint64_t>(offset);

    // The common case in O(1): the next 4 KiB page of a run being built, inside a 2 MiB block
    // whose table page the run already holds, backed by the next free RAM page.
    if (!large && !no_access && (gfn % state::kLargePages) != 0 && s.is_ram(pfn)) {
        const state::GpaValue v{pfn, flags, GpaKind::ram, false};
        const state::OwnerValue mine{p->id, 1, PfnOwner::mapped};
        if (p->gpa.can_append(gfn, v) && s.owners.can_append(pfn, mine)) {
            p->gpa.append();
            s.owners.append();
            return Outcome::ok();
        }
    }

    GpaKind kind = GpaKind::no_access;
    bool pages_free = true;  // every source page is free RAM (no alias of an existing mapping)
    if (!no_access) {
        if (large && pfn % state::kLargePages != 0)
            return ctx.reject(RuleId::map_gpa_pages_large_pfn_unaligned, Site::input, offset, pfn,
                              pfn % state::kLargePages);
        if (s.is_ram(pfn, pages)) {
            kind = GpaKind::ram;
            bool usable = true;
            (void)s.all_owners(pfn, pages, [&](const state::OwnerValue& o) {
                if (o.owner == PfnOwner::mapped && o.partition == p->id)
                    pages_free = false;
                else if (o.owner != PfnOwner::free)
                    usable = false;
                return true;
            });
            if (!usable) return ctx.reject(RuleId::map_gpa_pages_pfn_in_use, Site::input, offset, pfn);
        } else if (s.is_mmio(pfn, pages)) {
            if (large) return ctx.reject(RuleId::map_gpa_pages_large_mmio, Site::input, offset, pfn);
            kind = GpaKind::mmio;
        } else {
            return ctx.reject(RuleId::map_gpa_pages_pfn_not_host_memory, Site::input, offset, pfn);
        }
    }
    if (!large) {
        if (auto existing = p->gpa.at(gfn); existing && existing->large)
            return ctx.reject(RuleId::map_gpa_pages_overlaps_large_page, Site::input, kGfnBase, gfn);
        if (!p->tables_4k.any_in(gfn >> state::kTableShift, 1))
            if (auto o = can_allocate(ctx, *p, s.costs().page_table, offset); !o.is_ok()) return o;
    } else {
        // A 2 MiB page replaces the block's 4 KiB mappings, whose table page it then reuses.
        const std::uint64_t block = gfn >> (state::kTableShift + state::kLargeShift);
        if (!p->tables_2m.any_in(block, 1) && !p->tables_4k.any_in(gfn >> state::kTableShift, 1))
            if (auto o = can_allocate(ctx, *p, s.costs().page_table, offset); !o.is_ok()) return o;
    }

    s.unmap_range(*p, gfn, pages);
    p->gpa.assign(gfn, pages, state::GpaValue{pfn, flags, kind, large});
    if (kind == GpaKind::ram) {
        if (pages_free)
            s.owners.assign(pfn, pages, state::OwnerValue{p->id, 1, PfnOwner::mapped});
        else
            s.add_map_refs(pfn, pages, p->id);
    }
    if (large)
        p->tables_2m.assign(gfn >> (state::kTableShift + state::kLargeShift), 1, state::Unit{});
    else
        p->tables_4k.assign(gfn >> state::kTableShift, 1, state::Unit{});
    return Outcome::ok();
}

// The bulk form for the common case, 4 KiB RAM pages with consecutive free PFNs onto GFNs
// that are unmapped or hold 4 KiB pages (remapping): a whole run in a few extent operations.
// Element by element, each page's old mapping goes and the new one comes; all at once, the
// old ones go first, which ends the same, since none of the new PFNs is in use and the run
// splits no 2 MiB page. Anything else stops the run, and the element handler takes over from
// there with the same rules.
std::uint32_t map_run(CallContext& ctx, const Header& h, std::uint32_t first, std::uint32_t count) {
    if (h.gfns.large() || h.no_access()) return 0;
    state::State& s = model(ctx);
    Partition* p = h.p;
    const std::uint64_t gfn = h.gfns.base + first;
    std::uint64_t n = h.gfns.in_range(first, count);
    if (n == 0) return 0;
    const std::size_t at = ctx.rep_input_offset(first);
    const auto pfn = ctx.in<std::uint64_t>(at);
    n = std::min(n, s.free_ram_from(pfn));
    if (n != 0) n = consecutive_prefix(ctx.in_bytes(at, n * sizeof(std::uint64_t)), pfn);
    if (n != 0) n = small_pages_from(*p, gfn, n);
    if (n == 0) return 0;
    // Table pages: one per 2 MiB block not yet holding one; stop before a block the pool
    // cannot pay for, so the element handler reports it.
    const std::uint64_t cost = s.costs().page_table;
    const std::uint64_t used = p->used(s.costs());
    std::uint64_t free = p->pool.covered() > used ? p->pool.covered() - used : 0;
    const std::uint64_t first_block = gfn >> state::kTableShift;
    const std::uint64_t last_block = (gfn + n - 1) >> state::kTableShift;
    for (std::uint64_t b = first_block; b <= last_block; ++b) {
        if (p->tables_4k.any_in(b, 1)) continue;
        if (free < cost || ctx.next_allocation_fails()) {
            n = (b << state::kTableShift) - gfn;
            break;
        }
        (void)ctx.allocation_fails();  // counted as the element handler counts it
        free -= cost;
    }
    if (n == 0) return 0;
    s.unmap_range(*p, gfn, n);
    p->gpa.assign(gfn, n, state::GpaValue{pfn, h.flags, GpaKind::ram, false});
    s.owners.assign(pfn, n, state::OwnerValue{p->id, 1, PfnOwner::mapped});
    p->tables_4k.assign(first_block, ((gfn + n - 1) >> state::kTableShift) - first_block + 1, state::Unit{});
    return static_cast<std::uint32_t>(n);
}

}  // namespace

constinit const Handler map_gpa_pages = rep_handler<Header, read_header, map, map_run>();

}  // namespace hvsim::calls
