// HvCallUnmapStatsPage: the map input (HDKMINI). The page goes back to the root's pool.
#include "calls.hpp"
#include "stats_page.hpp"

namespace hvsim::calls {

Outcome unmap_stats_page(CallContext& ctx) {
    state::State& s = model(ctx);
    stats::Target t;
    if (auto o = stats::decode(ctx, t); !o.is_ok()) return o;
    auto it = s.stats_pages.find(t.key);
    if (it == s.stats_pages.end())
        return ctx.reject(RuleId::unmap_stats_page_not_mapped, Site::input, stats::kType, t.key[0]);
    s.release_stats_page(it->second);
    s.stats_pages.erase(it);
    return Outcome::ok();
}

}  // namespace hvsim::calls
