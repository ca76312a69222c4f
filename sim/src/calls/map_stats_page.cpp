// HvCallMapStatsPage: stats type, padding, 16-byte identity (HDKMINI); output the PFN of the
// counters page, a page of the root's pool (HVCALL deposits into hv_current_partition_id),
// pinned until unmapped. Mapping a mapped identity returns the same page.
#include <algorithm>

#include "calls.hpp"
#include "stats_page.hpp"

namespace hvsim::calls {

Outcome map_stats_page(CallContext& ctx) {
    state::State& s = model(ctx);
    stats::Target t;
    if (auto o = stats::decode(ctx, t); !o.is_ok()) return o;
    auto it = s.stats_pages.find(t.key);
    if (it == s.stats_pages.end()) {
        if (auto o = can_allocate(ctx, s.root(), 1, stats::kType); !o.is_ok()) return o;
        const std::uint64_t pfn = s.pin_page(s.root());
        Page& page = ctx.memory().page(pfn * hvcall::kPageSize);
        std::fill(page.begin(), page.end(), std::byte{0});  // every counter starts at zero
        it = s.stats_pages.emplace(t.key, state::StatsPage{pfn, t.partition}).first;
    }
    ctx.out<std::uint64_t>(0, it->second.pfn);
    return Outcome::ok();
}

}  // namespace hvsim::calls
