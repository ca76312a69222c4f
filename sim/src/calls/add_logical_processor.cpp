// HvCallAddLogicalProcessor: LP index, APIC id, proximity domain info (A-HDKMINI, 16 bytes); out
// the LP startup status, seven qwords (56 bytes). The root's boot path adds every AP this way
// (A-PROC hv_call_add_logical_proc), depositing into itself on a needs-memory status: the LP's
// hypervisor structures cost Costs::logical_processor pages of the root's pool.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::add_logical_processor_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kLpIndex = F::lp_index.offset, kProximityFlags = F::proximity_flags.offset;
}  // namespace

Outcome add_logical_processor(CallContext& ctx) {
    state::State& s = model(ctx);
    auto& started = s.system.started_lps;
    const auto lp = ctx.in<std::uint32_t>(kLpIndex);
    if (auto o = check_proximity_flags(ctx, RuleId::lp_proximity_reserved, kProximityFlags)) return *o;
    if (lp >= started.size()) return ctx.reject(RuleId::lp_index_unknown, Site::input, kLpIndex, lp);
    if (started[lp]) return ctx.reject(RuleId::lp_already_started, Site::input, kLpIndex, lp);
    if (auto o = can_allocate(ctx, s.root(), s.costs().logical_processor, kLpIndex); !o.is_ok()) return o;
    s.root().fixed_used += s.costs().logical_processor;
    started[lp] = true;
    for (std::uint32_t off = 0; off < 56; off += 8) ctx.out<std::uint64_t>(off, 0);  // hv_status 0: started
    return Outcome::ok();
}

}  // namespace hvsim::calls
