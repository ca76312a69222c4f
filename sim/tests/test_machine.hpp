// A machine with stub handlers for catalogued calls of every shape, so the generic rules
// can be exercised before the real handlers exist. The stubs read nothing and succeed.
#pragma once

#include "hvsim/machine.hpp"

namespace hvsim::test {

using hvcall::CallId;

inline constexpr std::uint64_t kRam = 64ull << 20;   // 64 MiB of root RAM
inline constexpr std::uint64_t kScratch = 0x200000;  // a free page-aligned GPA for raw blocks

inline Outcome stub_simple(CallContext&) { return Outcome::ok(); }
inline Outcome stub_element(CallContext&, const RepHeader&, std::uint32_t) { return Outcome::ok(); }
// Writes each element's index into its output slot, so tests can see which elements ran.
inline Outcome stub_element_with_output(CallContext& ctx, const RepHeader&, std::uint32_t i) {
    ctx.out<std::uint64_t>(ctx.rep_output_offset(i), 0x1000u + i);
    ctx.out<std::uint64_t>(ctx.rep_output_offset(i) + 8, 0);
    return Outcome::ok();
}
// Fails element 7 with a spec-only reserved-field rule, to test the engine's error path.
inline Outcome stub_element_failing_at_7(CallContext& ctx, const RepHeader&, std::uint32_t i) {
    if (i == 7)
        if (auto o = ctx.violation(RuleId::control_nested, Site::input, 0, 7)) return *o;
    return Outcome::ok();
}
inline Outcome stub_allocating(CallContext& ctx) {
    if (ctx.allocation_fails()) return ctx.reject(RuleId::fault_allocation_failed);
    return Outcome::ok();
}

inline MachineConfig test_config(bool strict = false, bool reject_spec_only = true) {
    MachineConfig c;
    c.ram_bytes = kRam;
    c.strict = strict;
    c.reject_spec_only = reject_spec_only;
    return c;
}

inline void install_stubs(Machine& m) {
    auto& hv = m.hypervisor();
    hv.set_handler(CallId::map_gpa_pages, {.element = stub_element});                 // rep, memory only
    hv.set_handler(CallId::get_vp_registers, {.element = stub_element_with_output});  // rep + output, XMM
    hv.set_handler(CallId::set_vp_registers, {.element = stub_element});              // rep, XMM
    hv.set_handler(CallId::flush_virtual_address_list, {.element = stub_element});    // rep, XMM
    hv.set_handler(CallId::initialize_partition, {.simple = stub_simple});            // simple, fast regs
    hv.set_handler(CallId::flush_virtual_address_space_ex, {.simple = stub_simple});  // simple, varhead, XMM
    hv.set_handler(CallId::get_vp_state, {.simple = stub_simple});                    // simple, varhead, memory
    hv.set_handler(CallId::set_vp_state, {.simple = stub_allocating});                // allocates
    hv.set_handler(CallId::withdraw_memory, {.element = stub_element_failing_at_7});  // rep, fails
}

inline Machine make_machine(bool strict = false, bool reject_spec_only = true, FaultPlan plan = {}) {
    Machine m(test_config(strict, reject_spec_only), std::move(plan));
    install_stubs(m);
    return m;
}

inline hvcall::Control word(std::uint16_t code, std::uint32_t reps = 0, std::uint32_t start = 0,
                            std::uint32_t varhead = 0, bool fast = false) {
    return *hvcall::Control::make(
        {.code = code, .fast = fast, .varhead_qwords = varhead, .rep_count = reps, .rep_start = start});
}
inline std::uint16_t code_of(CallId id) { return hvcall::info(id).code; }

}  // namespace hvsim::test
