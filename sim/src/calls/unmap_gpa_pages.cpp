// HvCallUnmapGpaPages (rep without an element list): target partition, target GFN base,
// unmap flags, padding (GDK); the rep count is the page count (2 MiB pages with
// LARGE_PAGE). Unmapping a page that is not mapped is ignored (WDK 2013).
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::unmap_gpa_pages_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::target_partition_id.offset, kGfnBase = F::target_gpa_base.offset,
                        kFlags = F::unmap_flags.offset, kPadding = F::padding.offset;
constexpr std::uint32_t kLargePage = 0x2;  // HV_UNMAP_GPA_LARGE_PAGE (GDKMINI)

struct Header {
    Partition* p = nullptr;
    GfnSteps gfns;
};

Outcome read_header(CallContext& ctx, Header& h) {
    if (auto o = find_partition(ctx, kPartition, Target::child, h.p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *h.p, kPartition); !o.is_ok()) return o;
    const auto flags = ctx.in<std::uint32_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::unmap_gpa_pages_flags_reserved, kFlags, flags, ~std::uint64_t{kLargePage}))
        return *o;
    if (auto o = reserved(ctx, RuleId::unmap_gpa_pages_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    return read_gfn_steps(ctx, kGfnBase, (flags & kLargePage) != 0, RuleId::unmap_gpa_pages_large_gfn_unaligned,
                          h.gfns);
}

Outcome unmap(CallContext& ctx, const Header& h, std::uint32_t index) {
    const auto gfn = h.gfns.gfn(index);
    if (!gfn) return ctx.reject(RuleId::unmap_gpa_pages_gfn_out_of_range, Site::input, kGfnBase, h.gfns.base);
    if (!h.gfns.large())
        if (auto existing = h.p->gpa.at(*gfn); existing && existing->large)
            return ctx.reject(RuleId::unmap_gpa_pages_partial_large_page, Site::input, kGfnBase, *gfn);
    model(ctx).unmap_range(*h.p, *gfn, h.gfns.pages);
    return Outcome::ok();
}

// The bulk form: the elements below the limit, up to the first 4 KiB one inside a 2 MiB page,
// in one range. Unmapping them one by one or together leaves the same state: the unmapped
// pages, their owners and the page tables no mapping uses any more.
std::uint32_t unmap_run(CallContext& ctx, const Header& h, std::uint32_t first, std::uint32_t count) {
    std::uint64_t n = h.gfns.in_range(first, count);
    const std::uint64_t gfn = h.gfns.base + std::uint64_t{first} * h.gfns.pages;
    if (n != 0 && !h.gfns.large()) n = small_pages_from(*h.p, gfn, n);
    if (n == 0) return 0;
    model(ctx).unmap_range(*h.p, gfn, n * h.gfns.pages);
    return static_cast<std::uint32_t>(n);
}

}  // namespace

constinit const Handler unmap_gpa_pages = rep_handler<Header, read_header, unmap, unmap_run>();

}  // namespace hvsim::calls
