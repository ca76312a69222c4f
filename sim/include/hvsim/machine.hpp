// A root partition's CPUs and memory as the hypervisor sees them: a hypercall arrives with
// its control word and GPAs (or registers), the generic rules judge it from the catalogue,
// then the rep engine runs the handler. Returns the result word exactly as hardware would.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvcall/control.hpp"
#include "hvcall/result.hpp"
#include "hvsim/config.hpp"
#include "hvsim/diagnostic.hpp"
#include "hvsim/fault_plan.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/journal.hpp"
#include "hvsim/memory.hpp"

namespace hvsim {

class Machine {
public:
    explicit Machine(MachineConfig config = {}, FaultPlan plan = {});

    // The three ways a CPU issues a hypercall. Never throw, never allocate in steady state.
    hvcall::HypercallResult call(std::uint32_t cpu, hvcall::Control control, std::uint64_t input_gpa,
                                 std::uint64_t output_gpa) noexcept;
    hvcall::HypercallResult call_fast(std::uint32_t cpu, hvcall::Control control, std::uint64_t rdx,
                                      std::uint64_t r8) noexcept;
    hvcall::HypercallResult call_fast_xmm(std::uint32_t cpu, hvcall::Control control,
                                          hvcall::XmmRegisters& regs) noexcept;

    // Per-CPU hypercall pages. In strict mode, taking the input page fills it with the
    // poison pattern first, as a real CPU's page holds the previous call's bytes.
    [[nodiscard]] std::uint64_t input_page_gpa(std::uint32_t cpu) const noexcept;
    [[nodiscard]] std::uint64_t output_page_gpa(std::uint32_t cpu) const noexcept;
    [[nodiscard]] std::span<std::byte, hvcall::kPageSize> input_page(std::uint32_t cpu) noexcept;
    [[nodiscard]] std::span<const std::byte, hvcall::kPageSize> output_page(std::uint32_t cpu) const noexcept;

    // What the last call was rejected for (nothing after a success), and the spec-only
    // violations it recorded on the way: each rule once, where the call first broke it.
    [[nodiscard]] const std::optional<Diagnostic>& last_diagnostic() const noexcept { return journal_.last; }
    [[nodiscard]] std::span<const Diagnostic> violations() const noexcept { return journal_.violations; }
    // How often each rule fired (rejection or violation) over the machine's life.
    [[nodiscard]] std::span<const std::uint64_t, kRuleCount> rule_hits() const noexcept { return journal_.rule_hits; }

    [[nodiscard]] const MachineConfig& config() const noexcept { return config_; }
    // Strict mode (MachineConfig::strict) for the calls that follow: a harness can turn it on
    // for one step of a run, the way it sets a fault plan for one step.
    void set_strict(bool strict) noexcept { config_.strict = strict; }
    [[nodiscard]] PhysicalMemory& memory() noexcept { return memory_; }
    [[nodiscard]] const PhysicalMemory& memory() const noexcept { return memory_; }
    [[nodiscard]] Hypervisor& hypervisor() noexcept { return hv_; }
    [[nodiscard]] const Hypervisor& hypervisor() const noexcept { return hv_; }
    [[nodiscard]] std::uint64_t calls() const noexcept { return calls_; }
    [[nodiscard]] std::uint64_t restarts() const noexcept { return restarts_; }
    // Allocations from deposited pools handlers asked for since the fault plan took effect (at
    // construction, reset() or set_fault_plan()): the index FaultPlan::failing_allocations gives
    // the next one.
    [[nodiscard]] std::uint64_t allocations() const noexcept { return journal_.allocations; }
    // The plan for the calls that follow. Its counts start afresh, as a new machine's would:
    // allocations() (failing_allocations) and the n-th call of each code (statuses); rep_ends
    // name calls by the machine's index, calls(), which goes on.
    void set_fault_plan(FaultPlan plan) {
        journal_.faults = FaultState(std::move(plan));
        journal_.allocations = 0;
    }
    // Back to the state of a new machine with the same configuration and this fault plan,
    // keeping the per-CPU pages' memory: fuzzers run millions of short inputs on one machine.
    void reset(FaultPlan plan = {});

private:
    struct Cpu {
        Page* input;
        Page* output;
    };
    struct Blocks;  // where this call's input and output bytes live (machine.cpp)

    // rdx/r8 are the input/output GPAs of a memory call, or the first 16 input bytes of a fast one.
    hvcall::HypercallResult issue(std::uint32_t cpu, hvcall::Control control, std::uint64_t rdx, std::uint64_t r8,
                                  hvcall::XmmRegisters* regs) noexcept;
    hvcall::HypercallResult dispatch(std::uint32_t cpu, hvcall::Control control, std::uint64_t rdx, std::uint64_t r8,
                                     hvcall::XmmRegisters* regs) noexcept;
    hvcall::HypercallResult run(const hvcall::CallInfo& call, const Handler& handler, hvcall::Control control,
                                std::uint32_t cpu, Blocks& blocks) noexcept;
    // dispatch's steps, in its error order; each returns the call's end, or nothing to go on.
    using Step = std::optional<hvcall::HypercallResult>;
    Step check_control(hvcall::Control control) noexcept;
    Step find_handler(hvcall::Control control, const hvcall::CallInfo*& call, const Handler*& handler) noexcept;
    Step check_shape(const hvcall::CallInfo& call, hvcall::Control control) noexcept;
    Step fast_block(const hvcall::CallInfo& call, hvcall::Control control, std::uint64_t rdx, std::uint64_t r8,
                    const hvcall::XmmRegisters* regs, Blocks& blocks) noexcept;
    Step memory_blocks(const hvcall::CallInfo& call, hvcall::Control control, std::uint64_t in_gpa,
                       std::uint64_t out_gpa, Blocks& blocks) noexcept;
    Step poison_and_inject(const hvcall::CallInfo& call, hvcall::Control control, Blocks& blocks) noexcept;
    // The generic rules' ends, as CallContext's: an enforced rule rejects; a rule broken where
    // the call could go on returns the rejection breach() decides on, or nothing (proceed).
    hvcall::HypercallResult reject(EnforcedRule rule, Site site, std::uint64_t value, std::uint64_t bits = 0,
                                   std::uint32_t size = 0) noexcept;
    std::optional<hvcall::HypercallResult> violation(RuleId rule, Site site, std::uint64_t value,
                                                     std::uint64_t bits = 0, std::uint32_t size = 0) noexcept;
    // A broken rule, judged by the journal (CallJournal::breach) under this machine's config.
    bool breach(const Diagnostic& d) noexcept { return journal_.breach(d, config_.reject_spec_only); }
    std::byte* block(std::uint64_t gpa) noexcept;
    void poison(std::span<std::byte> bytes) const noexcept;

    MachineConfig config_;
    PhysicalMemory memory_;
    Hypervisor hv_;
    CallJournal journal_;  // what calls record; each call's CallContext writes to it
    std::vector<Cpu> cpus_;
    struct CachedPage {
        std::uint64_t pfn = 0;
        Page* page = nullptr;
    };
    std::array<CachedPage, 4> page_cache_{};  // parameter blocks rarely leave a few pages
    // The input block of a call whose output overlaps it (a spec-only violation the machine
    // may let through): handlers read this copy, so writing an element's output cannot change
    // what a later element reads.
    std::vector<std::byte> overlapped_input_;
    std::uint64_t calls_ = 0;
    std::uint64_t restarts_ = 0;
};

// The model as a Backend for one CPU: what hvcall's marshalling functions run against.
class SimBackend final : public hvcall::Backend {
public:
    SimBackend(Machine& machine, std::uint32_t cpu = 0) noexcept : machine_(machine), cpu_(cpu) {}

    [[nodiscard]] std::span<std::byte, hvcall::kPageSize> input_page() noexcept override {
        return machine_.input_page(cpu_);
    }
    [[nodiscard]] std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override {
        return machine_.output_page(cpu_);
    }
    hvcall::HypercallResult hypercall(hvcall::Control control) noexcept override {
        return machine_.call(cpu_, control, machine_.input_page_gpa(cpu_), machine_.output_page_gpa(cpu_));
    }
    hvcall::HypercallResult hypercall_fast(hvcall::Control control, std::uint64_t rdx,
                                           std::uint64_t r8) noexcept override {
        return machine_.call_fast(cpu_, control, rdx, r8);
    }
    hvcall::HypercallResult hypercall_fast_xmm(hvcall::Control control, hvcall::XmmRegisters& regs) noexcept override {
        return machine_.call_fast_xmm(cpu_, control, regs);
    }
    // The blocks go through the machine's memory. Taking the input page stays the caller's
    // step, as before hypercall(): strict mode poisons it then, not here.
    [[nodiscard]] hvcall::PlacedCall hypercall_at(hvcall::Control control, std::uint64_t input_gpa,
                                                  std::span<const std::byte> input, std::uint64_t output_gpa,
                                                  std::span<std::byte> output) noexcept override {
        PhysicalMemory& memory = machine_.memory();
        hvcall::PlacedCall placed{.supported = true};
        placed.input_placed = !input.empty() && memory.in_ram(input_gpa, input.size());
        if (placed.input_placed) memory.write(input_gpa, input);
        placed.result = machine_.call(cpu_, control, input_gpa, output_gpa);
        placed.output_read = !output.empty() && memory.in_ram(output_gpa, output.size());
        if (placed.output_read) memory.read(output_gpa, output);
        return placed;
    }

    [[nodiscard]] Machine& machine() noexcept { return machine_; }
    [[nodiscard]] std::uint32_t cpu() const noexcept { return cpu_; }

private:
    Machine& machine_;
    std::uint32_t cpu_;
};

}  // namespace hvsim
