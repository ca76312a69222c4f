// HvCallGetLogicalProcessorRunTime: u32 LP index in; global time, local run time, a reserved
// qword and hypervisor time out (A-HDKMINI, 4 / 32 bytes). Upstream uses it only to ask whether
// an LP exists (A-PROC hv_lp_exists): INVALID_LP_INDEX for one not started, success otherwise.
// The model keeps no clock: every time reads 0, which is what a just-booted LP may report.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::get_logical_processor_run_time_in;  // offsets: sim/include/hvsim/fields.def

Outcome get_logical_processor_run_time(CallContext& ctx) {
    const auto lp = ctx.in<std::uint32_t>(F::lp_index.offset);
    const auto& started = sys::system(ctx).started_lps;
    if (lp >= started.size() || !started[lp]) return ctx.reject(RuleId::lp_index_unknown, Site::input, 0, lp);
    for (std::uint32_t off = 0; off < 32; off += 8) ctx.out<std::uint64_t>(off, 0);
    return Outcome::ok();
}

}  // namespace hvsim::calls
