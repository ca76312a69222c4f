// HvCallDisableHypervisorEx: the RIP to continue at with the hypervisor off, and an argument
// for it (A-HDKMINI hv_input_disable_hyp_ex, 16 bytes). The root's crash NMI handler issues it
// to jump into its crash kernel (T-CRASH crash_nmi_callback); on success it does not return.
// The model answers success and records that the hypervisor is disabled.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "system.hpp"

namespace hvsim::calls {

namespace F = fields::disable_hyp_ex_in;  // offsets: sim/include/hvsim/fields.def

Outcome disable_hyp_ex(CallContext& ctx) {
    auto& system = sys::system(ctx);
    system.hypervisor_disabled = true;
    system.disable_rip = ctx.in<std::uint64_t>(F::rip.offset);
    return Outcome::ok();
}

}  // namespace hvsim::calls
