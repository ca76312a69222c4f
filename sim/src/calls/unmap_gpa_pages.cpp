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
}  // namespace

Outcome unmap_gpa_pages_element(CallContext& ctx, std::uint32_t index) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    const auto flags = ctx.in<std::uint32_t>(kFlags);
    const auto base = ctx.in<std::uint64_t>(kGfnBase);
    const bool large = (flags & kLargePage) != 0;
    if (first_element(ctx, index)) {
        if (auto o = find_partition(ctx, kPartition, Target::child, p); !o.is_ok()) return o;
        if (auto o = require_active(ctx, *p, kPartition); !o.is_ok()) return o;
        if (auto o = reserved(ctx, RuleId::unmap_gpa_pages_flags_reserved, kFlags, flags, ~std::uint64_t{kLargePage}))
            return *o;
        if (auto o =
                reserved(ctx, RuleId::unmap_gpa_pages_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
            return *o;
        if (large && base % state::kLargePages != 0)
            return ctx.reject(RuleId::unmap_gpa_pages_large_gfn_unaligned, Site::input, kGfnBase, base,
                              base % state::kLargePages);
    } else {
        p = s.find(ctx.in<std::uint64_t>(kPartition));
    }
    const std::uint64_t pages = large ? state::kLargePages : 1;
    const std::uint64_t limit = gfn_limit(s);
    const std::uint64_t step = std::uint64_t{index} * pages;
    if (base >= limit || limit - base < step + pages)
        return ctx.reject(RuleId::unmap_gpa_pages_gfn_out_of_range, Site::input, kGfnBase, base);
    const std::uint64_t gfn = base + step;
    if (!large)
        if (auto existing = p->gpa.at(gfn); existing && existing->large)
            return ctx.reject(RuleId::unmap_gpa_pages_partial_large_page, Site::input, kGfnBase, gfn);
    s.unmap_range(*p, gfn, pages);
    return Outcome::ok();
}

}  // namespace hvsim::calls
