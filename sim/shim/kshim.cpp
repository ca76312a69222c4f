// The C shim: kshim.h's kernel-style hypercall API on top of sim::Machine. Pointers into the
// per-CPU pages become GPAs, the three register conventions become Machine calls, and the
// interrupt state is tracked so that what only the kernel side can get wrong is reported.
#include "hvsim/kshim.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "hvsim/kshim_attach.hpp"

namespace hvsim {
namespace {

constexpr std::array kShimRules = {
#define KSHIM_RULE(ident, id, statement, source) ShimRuleInfo{ShimRule::ident, id, statement, source},
#include "hvsim/kshim_rules.def"
#undef KSHIM_RULE
};

constexpr unsigned long kIrqEnabledFlag = 1ul << 9;  // x86 RFLAGS.IF, what local_irq_save keeps
constexpr std::size_t kPageArgs = 2;                 // input page, then output page

// What kernel code writes to: a CPU's input page with its output page directly after it, one
// 8 KiB block as Linux allocates them for a root partition (HVCOMMON). A batch one element
// too long runs into the output page, as in the kernel, instead of off a heap object. The
// block is copied to the machine's per-CPU pages (also adjacent, in GPA space) around a call.
struct alignas(hvcall::kPageSize) PagePair {
    std::array<std::byte, kPageArgs * hvcall::kPageSize> bytes{};
};

// An irq-off section is one stretch with interrupts disabled; a page is safe to use only in
// the section it was taken in (0: taken with interrupts on, safe in none).
struct CpuState {
    bool irqs_enabled = true;
    std::uint32_t saves = 0;  // local_irq_save calls not yet restored
    std::uint64_t section = 0;
    std::array<std::uint64_t, kPageArgs> page_section{};
};

struct Shim {
    Machine* machine = nullptr;
    std::uint32_t cpu = 0;
    std::vector<CpuState> cpus;
    std::vector<PagePair> pages;  // per CPU
    std::uint64_t sections = 0;
    std::array<void*, kPageArgs> slots{};  // what this_cpu_ptr points at: the page pointers
    std::vector<ShimDiagnostic> diagnostics;
    // Without a machine, kernel code still gets pages to fill (Linux always has them); the
    // call then returns U64_MAX.
    PagePair detached_pages;
};

Shim& shim() noexcept {
    static Shim s;
    return s;
}

CpuState& current_cpu() noexcept { return shim().cpus[shim().cpu]; }
std::byte* cpu_pages() noexcept {
    Shim& s = shim();
    return s.machine ? s.pages[s.cpu].bytes.data() : s.detached_pages.bytes.data();
}

void check_cpu(const Machine& machine, std::uint32_t cpu) {
    if (cpu >= machine.config().cpus)
        throw std::invalid_argument("kshim: cpu " + std::to_string(cpu) + " is not below the machine's " +
                                    std::to_string(machine.config().cpus) + " CPUs");
}

std::span<std::byte, hvcall::kPageSize> machine_page(std::size_t arg) {
    Machine& m = *shim().machine;
    return m.memory().page(arg == HVSIM_PCPU_INPUT_ARG ? m.input_page_gpa(shim().cpu) : m.output_page_gpa(shim().cpu));
}

std::span<std::byte, hvcall::kPageSize> kernel_page(std::size_t arg) {
    return std::span<std::byte, hvcall::kPageSize>(cpu_pages() + arg * hvcall::kPageSize, hvcall::kPageSize);
}

// The hypervisor reads what the kernel wrote, and the kernel then reads what it wrote back.
void sync_to_machine() {
    for (std::size_t arg = 0; arg < kPageArgs; ++arg) std::ranges::copy(kernel_page(arg), machine_page(arg).begin());
}
void sync_from_machine() {
    for (std::size_t arg = 0; arg < kPageArgs; ++arg) std::ranges::copy(machine_page(arg), kernel_page(arg).begin());
}

std::string hex(std::uint64_t value, int digits = 1) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(value));
    return buf;
}

// "hv_do_hypercall(HVCALL_MAP_GPA_PAGES 0x004b)"; built only when there is something to report.
std::string call_name(std::uint64_t control) {
    const auto code = static_cast<std::uint16_t>(control & HV_HYPERCALL_RESULT_MASK);
    const hvcall::CallInfo* call = hvcall::find_call(code);
    const std::string name = call ? std::string(call->linux_name) + " " : std::string("call ");
    return "hv_do_hypercall(" + name + hex(code, 4) + ")";
}

void report(ShimRule rule, const std::string& what) {
    shim().diagnostics.push_back({rule, std::string(shim_rule_info(rule).id) + ": " + what});
}

// A pointer into this CPU's hypercall pages: which page and its GPA.
struct PagePointer {
    std::size_t arg;
    std::uint64_t gpa;
};

std::optional<PagePointer> locate(const volatile void* address) {
    // Compared as integers: pointers into different objects have no order in C++.
    const auto offset = reinterpret_cast<std::uintptr_t>(address) - reinterpret_cast<std::uintptr_t>(cpu_pages());
    if (offset >= kPageArgs * hvcall::kPageSize) return std::nullopt;
    // The machine's output page follows its input page in GPA space too.
    return PagePointer{offset / hvcall::kPageSize, shim().machine->input_page_gpa(shim().cpu) + offset};
}

std::string where(const volatile void* address) {
    return hex(reinterpret_cast<std::uintptr_t>(address)) + " is not in CPU " + std::to_string(shim().cpu) +
           "'s input or output page";
}

// What a memory-form call passes for one pointer: its GPA (0 for NULL) and the page it is in.
struct CallPointer {
    std::uint64_t gpa = 0;
    std::optional<std::size_t> arg;
};

std::optional<CallPointer> call_pointer(std::uint64_t control, const char* role, void* pointer) {
    if (pointer == nullptr) return CallPointer{};
    const auto ptr = locate(pointer);
    if (!ptr) {
        report(ShimRule::pointer_outside_percpu_pages,
               call_name(control) + ": " + role + " pointer " + where(pointer) + "; the call was not issued (U64_MAX)");
        return std::nullopt;
    }
    return CallPointer{ptr->gpa, ptr->arg};
}

// Each page the call uses must have been taken in the irq-off section still running; one
// diagnostic per call is enough to point at the bug.
void check_irqs_off(std::uint64_t control, const CallPointer& input, const CallPointer& output) {
    const CpuState& cpu = current_cpu();
    for (const auto& arg : {input.arg, output.arg}) {
        if (!arg) continue;
        const char* page = *arg == HVSIM_PCPU_INPUT_ARG ? "input" : "output";
        if (cpu.irqs_enabled) {
            report(ShimRule::percpu_page_irqs_enabled, call_name(control) + ": interrupts are enabled on CPU " +
                                                           std::to_string(shim().cpu) + " while its " + page +
                                                           " page is in use (take and use it under local_irq_save)");
            return;
        }
        if (cpu.page_section[*arg] != cpu.section) {
            report(ShimRule::percpu_page_irqs_enabled,
                   call_name(control) + ": the " + page +
                       " page was taken before interrupts were last disabled (take it after local_irq_save)");
            return;
        }
    }
}

}  // namespace

const ShimRuleInfo& shim_rule_info(ShimRule rule) noexcept { return kShimRules[static_cast<std::size_t>(rule)]; }
std::span<const ShimRuleInfo> shim_rules() noexcept { return kShimRules; }

void shim_attach(Machine& machine, std::uint32_t cpu) {
    check_cpu(machine, cpu);
    Shim& s = shim();
    s.machine = &machine;
    s.cpus.assign(machine.config().cpus, CpuState{});
    s.pages.assign(machine.config().cpus, PagePair{});
    s.diagnostics.clear();
    for (s.cpu = 0; s.cpu < machine.config().cpus; ++s.cpu) sync_from_machine();
    s.cpu = cpu;
}

void shim_detach() noexcept { shim().machine = nullptr; }

void shim_set_cpu(std::uint32_t cpu) {
    if (shim().machine == nullptr) throw std::logic_error("kshim: shim_set_cpu needs an attached machine");
    check_cpu(*shim().machine, cpu);
    shim().cpu = cpu;
}

std::span<const ShimDiagnostic> shim_diagnostics() noexcept { return shim().diagnostics; }
void shim_clear_diagnostics() noexcept { shim().diagnostics.clear(); }

}  // namespace hvsim

using hvsim::shim;

extern "C" {

u64 hv_do_hypercall(u64 control, void* input, void* output) {
    hvsim::Machine* machine = shim().machine;
    if (machine == nullptr) return U64_MAX;
    const auto in = hvsim::call_pointer(control, "input", input);
    const auto out = hvsim::call_pointer(control, "output", output);
    if (!in || !out) return U64_MAX;
    hvsim::check_irqs_off(control, *in, *out);
    hvsim::sync_to_machine();
    const auto result = machine->call(shim().cpu, hvcall::Control::from_raw(control), in->gpa, out->gpa);
    hvsim::sync_from_machine();
    return result.raw();
}

u64 hv_do_fast_hypercall8(u16 code, u64 input) { return hv_do_fast_hypercall16(code, input, 0); }

u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2) {
    hvsim::Machine* machine = shim().machine;
    if (machine == nullptr) return U64_MAX;
    return machine->call_fast(shim().cpu, hvcall::Control::fast_simple(code), input1, input2).raw();
}

void** hvsim_this_cpu_arg(enum hvsim_pcpu_arg arg) {
    auto& s = shim();
    const auto i = static_cast<std::size_t>(arg);
    s.slots[i] = hvsim::kernel_page(i).data();
    if (s.machine == nullptr) return &s.slots[i];
    // Strict mode: Machine::input_page poisons the page, and taking it is where the kernel
    // code sees the stale bytes. Otherwise the page keeps what the code last wrote.
    if (arg == HVSIM_PCPU_INPUT_ARG && s.machine->config().strict)
        std::ranges::copy(s.machine->input_page(s.cpu), hvsim::kernel_page(i).begin());
    auto& cpu = hvsim::current_cpu();
    cpu.page_section[i] = cpu.irqs_enabled ? 0 : cpu.section;
    return &s.slots[i];
}

int smp_processor_id(void) { return static_cast<int>(shim().cpu); }

phys_addr_t virt_to_phys(const volatile void* address) {
    if (shim().machine == nullptr) return U64_MAX;
    if (const auto ptr = hvsim::locate(address)) return ptr->gpa;
    hvsim::report(hvsim::ShimRule::pointer_outside_percpu_pages,
                  "virt_to_phys: " + hvsim::where(address) + "; returned U64_MAX");
    return U64_MAX;
}

unsigned long hvsim_local_irq_save(void) {
    if (shim().machine == nullptr) return hvsim::kIrqEnabledFlag;
    auto& cpu = hvsim::current_cpu();
    const unsigned long flags = cpu.irqs_enabled ? hvsim::kIrqEnabledFlag : 0;
    if (cpu.irqs_enabled) cpu.section = ++shim().sections;
    cpu.irqs_enabled = false;
    ++cpu.saves;
    return flags;
}

void hvsim_local_irq_restore(unsigned long flags) {
    if (shim().machine == nullptr) return;
    auto& cpu = hvsim::current_cpu();
    if (cpu.saves == 0) {
        hvsim::report(hvsim::ShimRule::irq_restore_unbalanced,
                      "local_irq_restore on CPU " + std::to_string(shim().cpu) + " without a matching local_irq_save");
        return;
    }
    --cpu.saves;
    cpu.irqs_enabled = (flags & hvsim::kIrqEnabledFlag) != 0;
    if (cpu.irqs_enabled) cpu.section = 0;
}

}  // extern "C"
