#include "hvsim/machine.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hvsim {

using hvcall::CallInfo;
using hvcall::Control;
using hvcall::HypercallResult;
using hvcall::kPageSize;
using hvcall::Status;

struct Machine::Blocks {
    std::span<const std::byte> input;
    std::span<std::byte> output;
    // Fast calls: the register block as bytes (RDX, R8, XMM0..5); memory calls leave it unused.
    alignas(8) std::array<std::byte, hvcall::kFastXmmBytes> registers{};
    std::uint32_t fast_output_offset = 0;  // fast calls: where output starts in `registers`
};

namespace {

[[noreturn]] void precondition_failed(const char* what) {
    std::fprintf(stderr, "hvsim::Machine: precondition failed: %s\n", what);
    std::abort();
}

}  // namespace

Machine::Machine(MachineConfig config, FaultPlan plan) : config_(config), memory_(config.ram_bytes), hv_(config) {
    journal_.faults = FaultState(std::move(plan));
    if (config_.cpus == 0) precondition_failed("at least one CPU");
    if (config_.percpu_base % kPageSize != 0) precondition_failed("per-CPU pages are page aligned");
    if (!memory_.in_ram(config_.percpu_base, std::uint64_t{config_.cpus} * 2 * kPageSize))
        precondition_failed("per-CPU pages lie in RAM");
    cpus_.reserve(config_.cpus);
    for (std::uint32_t i = 0; i < config_.cpus; ++i)
        cpus_.push_back({&memory_.page(input_page_gpa(i)), &memory_.page(output_page_gpa(i))});
    journal_.violations.reserve(kRuleCount);  // each rule at most once per call: push_back never allocates
}

void Machine::reset(FaultPlan plan) {
    memory_.reset(input_page_gpa(0), std::uint64_t{config_.cpus} * 2 * kPageSize);  // cpus_ stays valid
    hv_.reset();
    journal_.faults = FaultState(std::move(plan));
    page_cache_ = {};  // it may point at pages the reset freed
    journal_.begin_call();
    journal_.rule_hits = {};
    journal_.allocations = 0;
    calls_ = 0;
    restarts_ = 0;
}

std::uint64_t Machine::input_page_gpa(std::uint32_t cpu) const noexcept {
    return config_.percpu_base + std::uint64_t{cpu} * 2 * kPageSize;
}
std::uint64_t Machine::output_page_gpa(std::uint32_t cpu) const noexcept { return input_page_gpa(cpu) + kPageSize; }

std::span<std::byte, kPageSize> Machine::input_page(std::uint32_t cpu) noexcept {
    if (cpu >= cpus_.size()) precondition_failed("cpu index below MachineConfig::cpus");
    if (config_.strict) poison(*cpus_[cpu].input);
    return *cpus_[cpu].input;
}
std::span<const std::byte, kPageSize> Machine::output_page(std::uint32_t cpu) const noexcept {
    if (cpu >= cpus_.size()) precondition_failed("cpu index below MachineConfig::cpus");
    return *cpus_[cpu].output;
}

HypercallResult Machine::call(std::uint32_t cpu, Control control, std::uint64_t input_gpa,
                              std::uint64_t output_gpa) noexcept {
    return issue(cpu, control, input_gpa, output_gpa, nullptr);
}
HypercallResult Machine::call_fast(std::uint32_t cpu, Control control, std::uint64_t rdx, std::uint64_t r8) noexcept {
    return issue(cpu, control, rdx, r8, nullptr);
}
HypercallResult Machine::call_fast_xmm(std::uint32_t cpu, Control control, hvcall::XmmRegisters& regs) noexcept {
    return issue(cpu, control, regs[0], regs[1], &regs);
}

// One hypercall instruction, plus the hypervisor's own re-execution after a time-slice end
// when MachineConfig::hypervisor_restarts_reps asks for the TLFS continuation.
HypercallResult Machine::issue(std::uint32_t cpu, Control control, std::uint64_t rdx, std::uint64_t r8,
                               hvcall::XmmRegisters* regs) noexcept {
    if (cpu >= cpus_.size()) precondition_failed("cpu index below MachineConfig::cpus");
    journal_.begin_call();
    for (;;) {
        const HypercallResult r = dispatch(cpu, control, rdx, r8, regs);
        ++calls_;
        const bool cut_short = r.ok() && r.reps_completed() < control.rep_count();
        if (!config_.hypervisor_restarts_reps || !cut_short) return r;
        control = *control.with_rep_start(r.reps_completed());  // reps completed <= 4095 by construction
        ++restarts_;
    }
}

HypercallResult Machine::dispatch(std::uint32_t cpu, Control control, std::uint64_t rdx, std::uint64_t r8,
                                  hvcall::XmmRegisters* regs) noexcept {
    // Error ordering: the control word itself, then the call's shape, then its parameter
    // blocks (input before output), then the handler. The TLFS leaves the order open.
    if (auto r = check_control(control)) return *r;
    const CallInfo* call = nullptr;
    const Handler* handler = nullptr;
    if (auto r = find_handler(control, call, handler)) return *r;
    if (auto r = check_shape(*call, control)) return *r;
    Blocks blocks;
    if (auto r = control.fast() ? fast_block(*call, control, rdx, r8, regs, blocks)
                                : memory_blocks(*call, control, rdx, r8, blocks))
        return *r;
    if (auto r = poison_and_inject(*call, control, blocks)) return *r;

    const HypercallResult result = run(*call, *handler, control, cpu, blocks);
    if (control.fast() && regs != nullptr && !blocks.output.empty())
        std::memcpy(reinterpret_cast<std::byte*>(regs->data()) + blocks.fast_output_offset, blocks.output.data(),
                    blocks.output.size());
    return result;
}

// The control word alone: reserved bits, then the nested bit.
Machine::Step Machine::check_control(Control control) noexcept {
    if (const std::uint64_t bits = control.reserved_bits())
        return reject(RuleId::control_reserved_bits, Site::control, control.raw(), bits);
    if (control.nested()) return violation(RuleId::control_nested, Site::control, control.raw(), Control::kNestedBit);
    return std::nullopt;
}

// The catalogue entry of the call code and the model's handler for it.
Machine::Step Machine::find_handler(Control control, const CallInfo*& call, const Handler*& handler) noexcept {
    call = hvcall::find_call(control.code());
    if (call == nullptr) return reject(RuleId::call_unknown_code, Site::control, control.code(), Control::kCodeMask);
    handler = &hv_.handler(call->id);
    if (!*handler) return reject(RuleId::call_unimplemented, Site::control, control.code(), Control::kCodeMask);
    return std::nullopt;
}

// The control fields against the call's shape: rep count and start for its kind, then the
// variable header.
Machine::Step Machine::check_shape(const CallInfo& call, Control control) noexcept {
    const std::uint32_t reps = control.rep_count();
    const std::uint32_t start = control.rep_start();
    if (call.is_rep()) {
        if (reps == 0) return reject(RuleId::control_rep_count_zero, Site::control, 0, Control::kRepCountMask);
        if (start >= reps)
            return reject(RuleId::control_rep_start_not_below_count, Site::control, start, Control::kRepStartMask);
    } else {
        if (reps != 0) return reject(RuleId::control_simple_rep_count, Site::control, reps, Control::kRepCountMask);
        if (start != 0) return reject(RuleId::control_simple_rep_start, Site::control, start, Control::kRepStartMask);
    }
    if (control.varhead_qwords() != 0 && !call.allows_variable_header())
        return reject(RuleId::control_varhead_not_allowed, Site::control, control.varhead_qwords(),
                      Control::kVarheadMask);
    return std::nullopt;
}

// A fast call: its input and output must fit the register block, which `blocks` then holds.
Machine::Step Machine::fast_block(const CallInfo& call, Control control, std::uint64_t rdx, std::uint64_t r8,
                                  const hvcall::XmmRegisters* regs, Blocks& blocks) noexcept {
    const std::uint32_t in_size = call.input_size(control.varhead_qwords(), control.rep_count());
    const std::uint32_t out_size = call.output_bytes(control.rep_count());
    if (!call.allows_fast())
        if (auto r = violation(RuleId::control_fast_not_allowed, Site::control, control.raw(), Control::kFastBit))
            return r;
    if (in_size > hvcall::kFastRegsBytes && !call.allows_xmm())
        if (auto r = violation(RuleId::fast_xmm_not_allowed, Site::control, in_size)) return r;
    if (in_size > hvcall::kFastXmmBytes) return reject(RuleId::fast_input_too_large, Site::control, in_size);
    const std::uint32_t out_offset = call.fast_output_offset(control.varhead_qwords(), control.rep_count());
    const std::uint32_t room = call.allows_xmm() ? hvcall::kFastXmmBytes - out_offset : 0;
    if (out_size > room) return reject(RuleId::fast_output_too_large, Site::control, out_size);

    std::memcpy(blocks.registers.data(), &rdx, 8);
    std::memcpy(blocks.registers.data() + 8, &r8, 8);
    if (regs != nullptr) std::memcpy(blocks.registers.data() + 16, regs->data() + 2, hvcall::kFastXmmBytes - 16);
    blocks.input = std::span(blocks.registers).first(in_size);
    blocks.output = std::span(blocks.registers).subspan(out_offset, out_size);
    blocks.fast_output_offset = out_offset;
    return std::nullopt;
}

// A memory call: each block aligned, within a page and in RAM (input before output), then
// whether they overlap; `blocks` then points at them.
Machine::Step Machine::memory_blocks(const CallInfo& call, Control control, std::uint64_t in_gpa, std::uint64_t out_gpa,
                                     Blocks& blocks) noexcept {
    const std::uint32_t in_size = call.input_size(control.varhead_qwords(), control.rep_count());
    const std::uint32_t out_size = call.output_bytes(control.rep_count());
    auto check = [this](std::uint64_t gpa, std::uint32_t size, Site site, EnforcedRule unaligned,
                        EnforcedRule crosses_page, EnforcedRule outside_ram) -> Step {
        if (size == 0) return std::nullopt;
        if (gpa % 8 != 0) return reject(unaligned, site, gpa, 0, size);
        if ((gpa % kPageSize) + size > kPageSize) return reject(crosses_page, site, gpa, 0, size);
        if (!memory_.in_ram(gpa, size)) return reject(outside_ram, site, gpa, 0, size);
        return std::nullopt;
    };
    if (auto r = check(in_gpa, in_size, Site::input_gpa, RuleId::gpa_input_unaligned, RuleId::gpa_input_crosses_page,
                       RuleId::gpa_input_outside_ram))
        return r;
    if (auto r = check(out_gpa, out_size, Site::output_gpa, RuleId::gpa_output_unaligned,
                       RuleId::gpa_output_crosses_page, RuleId::gpa_output_outside_ram))
        return r;
    const bool overlap = in_size != 0 && out_size != 0 && in_gpa < out_gpa + out_size && out_gpa < in_gpa + in_size;
    if (overlap)
        if (auto r = violation(RuleId::gpa_input_output_overlap, Site::output_gpa, out_gpa, 0, out_size)) return r;
    if (in_size != 0) blocks.input = {block(in_gpa), in_size};
    if (overlap) {
        // The hypervisor reads its input before it writes output; handlers read elements
        // lazily, so they get a copy taken now.
        overlapped_input_.assign(blocks.input.begin(), blocks.input.end());
        blocks.input = overlapped_input_;
    }
    if (out_size != 0) blocks.output = {block(out_gpa), out_size};
    return std::nullopt;
}

// Just before the handler: strict mode poisons the output this call may define, then the
// fault plan may end the call with an injected status.
Machine::Step Machine::poison_and_inject(const CallInfo& call, Control control, Blocks& blocks) noexcept {
    const std::uint32_t start = control.rep_start();
    if (config_.strict && !blocks.output.empty()) {
        // Only bytes this call may define are poisoned: elements before rep start were
        // written by an earlier call of the same loop and stay as they are.
        poison(blocks.output.first(call.output_size));
        poison(blocks.output.subspan(call.output_size + std::size_t{start} * call.rep_output_size));
    }
    if (journal_.faults.active())
        if (const auto injected = journal_.faults.begin_call(calls_, control.code())) {
            Diagnostic d{RuleId::fault_injected_status, *injected, Site::control};
            d.value = static_cast<std::uint16_t>(*injected);
            (void)breach(d);  // an enforced rule: always the end of the call
            return HypercallResult::make(*injected, call.is_rep() ? start : 0);
        }
    return std::nullopt;
}

// The rep engine: elements from rep start, reps completed absolute, a failing element
// reports its own index, a time-slice end returns success with fewer reps completed.
HypercallResult Machine::run(const CallInfo& call, const Handler& handler, Control control, std::uint32_t cpu,
                             Blocks& blocks) noexcept {
    const std::uint32_t reps = control.rep_count();
    const std::uint32_t start = control.rep_start();
    const auto [state, generation] = hv_.state_for_call();
    CallContext ctx(call, control, cpu, blocks.input, blocks.output, {state, generation, memory_, config_, journal_});
    if (!call.is_rep()) return HypercallResult::make(handler.simple(ctx).status());

    RepHeader header;
    if (handler.header != nullptr)
        if (const Outcome o = handler.header(ctx, header); !o.is_ok()) return HypercallResult::make(o.status(), start);
    FaultState& faults = journal_.faults;
    faults.begin_rep_call(start);
    for (std::uint32_t i = start; i < reps;) {
        if (const Outcome o = handler.element(ctx, header, i); !o.is_ok()) return HypercallResult::make(o.status(), i);
        // Element i ran alone; the bulk form, where there is one, takes what it can of the
        // rest, up to where the fault plan would end the call.
        for (++i; i < reps;) {
            if (faults.active() && faults.end_rep_early(calls_, i - start))
                return HypercallResult::make(Status::SUCCESS, i);
            if (handler.batch == nullptr) break;
            const std::uint32_t room = faults.active() ? faults.run_before_end(calls_, i - start, reps - i) : reps - i;
            const std::uint32_t ran = handler.batch(ctx, header, i, room);
            if (ran == 0) break;
            faults.skip_decisions(ran - 1);
            i += ran;
        }
    }
    return HypercallResult::make(Status::SUCCESS, reps);
}

HypercallResult Machine::reject(EnforcedRule rule, Site site, std::uint64_t value, std::uint64_t bits,
                                std::uint32_t size) noexcept {
    const auto r = violation(rule.rule(), site, value, bits, size);
    return r ? *r : HypercallResult::make(rule_info(rule.rule()).status);  // enforced: r always holds
}

std::optional<HypercallResult> Machine::violation(RuleId rule, Site site, std::uint64_t value, std::uint64_t bits,
                                                  std::uint32_t size) noexcept {
    Diagnostic d{rule, rule_info(rule).status, site};
    d.value = value;
    d.bits = bits;
    d.size = size;
    if (!breach(d)) return std::nullopt;
    return HypercallResult::make(d.status);
}

std::byte* Machine::block(std::uint64_t gpa) noexcept {
    const std::uint64_t pfn = gpa / kPageSize;
    auto& slot = page_cache_[pfn % page_cache_.size()];
    if (slot.page == nullptr || slot.pfn != pfn) slot = {pfn, &memory_.page(gpa)};
    return slot.page->data() + gpa % kPageSize;
}

void Machine::poison(std::span<std::byte> bytes) const noexcept {
    // Byte i gets byte i % 8 of the pattern. Strict mode poisons a page per call, so the
    // pattern is laid once and then doubled by copies instead of a byte loop.
    const std::size_t n = bytes.size();
    std::memcpy(bytes.data(), &config_.poison, std::min<std::size_t>(n, 8));
    for (std::size_t done = 8; done < n; done *= 2)
        std::memcpy(bytes.data() + done, bytes.data(), std::min(done, n - done));
}

}  // namespace hvsim
