// HvCallMapStatsPage2: the map-stats-page input followed by the map location, the PFN of a page
// the root supplies (A-HDKMINI hv_input_map_stats_page2, 32 bytes; no output). An L1VH root
// uses it in overlay mode (A-HVCALL hv_call_map_stats_page2). The page stays the root's: the
// hypervisor writes counters into it and nothing is taken from a pool.
#include <algorithm>

#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "stats_page.hpp"

namespace hvsim::calls {

namespace F = fields::map_stats_page2_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kLocation = F::map_location.offset;
}

Outcome map_stats_page2(CallContext& ctx) {
    state::State& s = model(ctx);
    stats::Target t;
    if (auto o = stats::decode(ctx, t); !o.is_ok()) return o;
    const auto pfn = ctx.in<std::uint64_t>(kLocation);
    if (auto it = s.stats_pages.find(t.key); it != s.stats_pages.end()) {
        if (!it->second.overlay || it->second.pfn != pfn)
            return ctx.reject(RuleId::map_stats_page2_location_invalid, Site::input, kLocation, pfn);
        return Outcome::ok();
    }
    const bool taken = std::any_of(s.stats_pages.begin(), s.stats_pages.end(),
                                   [&](const auto& e) { return e.second.overlay && e.second.pfn == pfn; });
    if (!s.is_ram(pfn) || s.pfn_state(pfn).owner != PfnOwner::free || taken)
        return ctx.reject(RuleId::map_stats_page2_location_invalid, Site::input, kLocation, pfn);
    Page& page = ctx.memory().page(pfn * hvcall::kPageSize);
    std::fill(page.begin(), page.end(), std::byte{0});  // every counter starts at zero
    s.stats_pages.emplace(t.key, state::StatsPage{pfn, t.partition, true});
    return Outcome::ok();
}

}  // namespace hvsim::calls
