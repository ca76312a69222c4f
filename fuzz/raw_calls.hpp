// How raw_dispatch_fuzz reads its bytes: machine switches, a fault plan, then hypercalls as a
// CPU issues them (any control word, registers, input bytes and GPAs). Shared with
// `hvsim fuzz-input-to-trace`, so a finding converts to the calls the fuzzer ran.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "domains.hpp"
#include "hvsim/machine.hpp"

namespace hvsim::fuzz {

// Budget: calls per input keep one execution in microseconds; 16 reach any state a short
// create/initialize/deposit/map sequence can.
inline constexpr int kMaxRawCalls = 16;
// Small RAM: per-input state stays small, and random output GPAs often land in it.
inline constexpr std::uint64_t kRawRamBytes = 16ull << 20;

struct RawSetup {
    MachineConfig config;
    FaultPlan plan;  // seeded early rep ends, or none
};
// The first bytes: strict mode, spec-only handling, rep restarts, and an optional fault plan.
[[nodiscard]] RawSetup decode_raw_setup(Bytes& in);

struct RawCall {
    hvcall::Control control;
    // Register form (a fast control word, or a slow one issued through the register path, whose
    // RDX/R8 then hold the input and output GPAs): regs, on CPU `cpu`.
    bool registers = false;
    std::uint32_t cpu = 0;
    hvcall::XmmRegisters regs{};
    // Memory form: `input` lands at `input_offset` in CPU 0's input page, which is where the
    // call reads it; the output GPA is output_gpa, or an offset into CPU 0's output page.
    std::uint32_t input_offset = 0;
    std::span<const std::uint8_t> input;
    bool output_in_page = false;
    std::uint64_t output = 0;
};
// The next call, or nothing once the bytes ran out.
[[nodiscard]] std::optional<RawCall> next_raw_call(Bytes& in, const MachineConfig& config);

// Where a memory-form call's blocks are (register path: RDX and R8).
struct RawGpas {
    std::uint64_t input = 0, output = 0;
};
[[nodiscard]] RawGpas raw_call_gpas(const Machine& m, const RawCall& call) noexcept;

// Issues the call exactly as decoded, input bytes and GPAs included; call.regs then hold the
// registers as the hypervisor left them.
hvcall::HypercallResult issue_raw_call(Machine& m, RawCall& call) noexcept;

}  // namespace hvsim::fuzz
