#include "raw_calls.hpp"

namespace hvsim::fuzz {

RawSetup decode_raw_setup(Bytes& in) {
    RawSetup s;
    s.config.ram_bytes = kRawRamBytes;
    const std::uint8_t flags = in.take<std::uint8_t>();
    s.config.strict = (flags & 1) != 0;
    s.config.reject_spec_only = (flags & 2) == 0;
    s.config.hypervisor_restarts_reps = (flags & 4) != 0;
    if ((flags & 8) != 0) {
        s.plan.seed = in.take<std::uint8_t>();
        s.plan.early_end_per_mille = in.below(1001);
    }
    return s;
}

std::optional<RawCall> next_raw_call(Bytes& in, const MachineConfig& config) {
    if (in.empty()) return std::nullopt;
    RawCall call;
    call.control = hvcall::Control::from_raw(in.take<std::uint64_t>());
    const std::uint8_t form = in.take<std::uint8_t>();
    if (call.control.fast() || (form & 1) != 0) {
        call.registers = true;
        call.cpu = form >> 7;  // the default machine has two CPUs
        for (auto& q : call.regs) q = in.take<std::uint64_t>();
        return call;
    }
    // Input bytes at an offset into the page; the output GPA anywhere near RAM's end.
    call.input_offset = in.below(hvcall::kPageSize);
    call.input = in.chunk(in.below(hvcall::kPageSize - call.input_offset + 1));
    call.output_in_page = (form & 2) != 0;
    call.output =
        call.output_in_page ? in.below(hvcall::kPageSize) : in.take<std::uint64_t>() % (config.ram_bytes + 0x10000);
    return call;
}

RawGpas raw_call_gpas(const Machine& m, const RawCall& call) noexcept {
    if (call.registers) return {call.regs[0], call.regs[1]};
    return {m.input_page_gpa(0) + call.input_offset,
            call.output_in_page ? m.output_page_gpa(0) + call.output : call.output};
}

hvcall::HypercallResult issue_raw_call(Machine& m, RawCall& call) noexcept {
    if (call.registers) return SimBackend(m, call.cpu).hypercall_fast_xmm(call.control, call.regs);
    SimBackend cpu0(m);
    (void)cpu0.input_page();  // poisoned first in strict mode; the input then lands in it
    const RawGpas at = raw_call_gpas(m, call);
    return cpu0.hypercall_at(call.control, at.input, std::as_bytes(call.input), at.output, {}).result;
}

}  // namespace hvsim::fuzz
