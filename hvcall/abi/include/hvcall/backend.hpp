// What marshalling code talks to: one CPU's hypercall pages and its hypercall instruction.
// Implementations: sim::SimBackend (the model), the recording backend, the /dev/mshv backend.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hvcall/catalogue.hpp"
#include "hvcall/control.hpp"
#include "hvcall/result.hpp"

namespace hvcall {

// RDX, R8, then XMM0..XMM5 as low/high qword pairs: the extended fast-call register block.
using XmmRegisters = std::array<std::uint64_t, kFastXmmBytes / 8>;

// What Backend::hypercall_at did. Default-constructed: the answer of a backend that cannot
// place blocks at arbitrary GPAs, which writes nothing, issues nothing and returns the all-ones
// word, as for any call it cannot make (to_errno: -EOPNOTSUPP).
struct PlacedCall {
    bool supported = false;
    HypercallResult result = HypercallResult::from_raw(HypercallResult::kHypercallPageMissing);
    bool input_placed = false;  // `input` was written at the input GPA: the whole range is RAM
    bool output_read = false;   // `output` was filled from the output GPA: the whole range is RAM
};

class Backend {
public:
    virtual ~Backend() = default;

    // This CPU's input page. Fill it, then call hypercall(): the memory form passes the
    // page's GPA as the input GPA. Its contents before filling are undefined.
    [[nodiscard]] virtual std::span<std::byte, kPageSize> input_page() noexcept = 0;
    // This CPU's output page, passed as the output GPA; only the bytes the call defines
    // are meaningful after it returns.
    [[nodiscard]] virtual std::span<const std::byte, kPageSize> output_page() const noexcept = 0;

    // Memory form: input and output GPAs are the per-CPU pages.
    virtual HypercallResult hypercall(Control control) noexcept = 0;
    // Register fast form: up to 16 bytes of input in RDX and R8; the fast bit must be set.
    virtual HypercallResult hypercall_fast(Control control, std::uint64_t rdx, std::uint64_t r8) noexcept = 0;
    // XMM fast form: input from the front of `regs`, output written to the registers after it.
    virtual HypercallResult hypercall_fast_xmm(Control control, XmmRegisters& regs) noexcept = 0;
    // Memory form at other GPAs than the per-CPU pages' starts (misaligned, page-crossing,
    // elsewhere in RAM or outside it), as raw callers and replays of off-page records issue it:
    // writes `input` at input_gpa, issues the call with both GPAs, then fills `output` from
    // output_gpa; each copy only where its whole range is RAM, else that block is left alone.
    // What else lies at those GPAs is the caller's business, and judging them the hypervisor's.
    // The /dev/mshv backend cannot place blocks (the kernel copies input to a page of its own):
    // it returns PlacedCall{} (not supported).
    [[nodiscard]] virtual PlacedCall hypercall_at(Control control, std::uint64_t input_gpa,
                                                  std::span<const std::byte> input, std::uint64_t output_gpa,
                                                  std::span<std::byte> output) noexcept = 0;
};

}  // namespace hvcall
