// The C shim: the architecture's hypercall instruction on top of sim::Machine. Pointers into
// the per-CPU pages or allocated pages become GPAs, the three register conventions become
// Machine calls, and the interrupt state is tracked so that what only the kernel side can get
// wrong is reported. The page allocator and kmalloc are in kmem.cpp, the log, WARN/BUG and
// hv_common.c's helpers in klog.cpp.
#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "hvsim/kshim_attach.hpp"
#include "kernel_abi.hpp"
#include "shim_state.hpp"

extern "C" {
// <asm-generic/mshyperv.h>: the per-CPU hypercall page pointers (one slot per CPU).
void** hyperv_pcpu_input_arg = nullptr;
void** hyperv_pcpu_output_arg = nullptr;
// hv_common.c: the root's partition id and (non-NULL once attached) the hypercall page.
u64 hv_current_partition_id = ~0ull;
void* hv_hypercall_pg = nullptr;
}

namespace hvsim {
namespace shim_detail {

constexpr unsigned long kIrqEnabledFlag = 1ul << 9;  // x86 RFLAGS.IF, what local_irq_save keeps
constexpr std::uint64_t kResultMask = 0xFFFF;
constexpr std::uint64_t kU64Max = ~0ull;

constexpr std::array kShimRules = {
#define KSHIM_RULE(ident, id, statement, source) ShimRuleInfo{ShimRule::ident, id, statement, source},
#include "hvsim/kshim_rules.def"
#undef KSHIM_RULE
};

Shim& shim() noexcept {
    static Shim s;
    return s;
}

CpuState& current_cpu() noexcept { return shim().cpus[shim().cpu]; }

namespace {

std::byte* cpu_pages() noexcept {
    Shim& s = shim();
    return s.machine ? s.pages[s.cpu].bytes.data() : s.detached_pages.bytes.data();
}

void check_cpu(const Machine& machine, std::uint32_t cpu) {
    if (cpu >= machine.config().cpus)
        throw std::invalid_argument("kshim: cpu " + std::to_string(cpu) + " is not below the machine's " +
                                    std::to_string(machine.config().cpus) + " CPUs");
}

// Points the per-CPU slots at each CPU's pages (or the detached pair).
void point_slots() {
    Shim& s = shim();
    for (std::size_t arg = 0; arg < kPageArgs; ++arg) {
        if (s.machine == nullptr) {
            s.detached_slots[arg] = s.detached_pages.bytes.data() + arg * hvcall::kPageSize;
            continue;
        }
        s.slots[arg].resize(s.pages.size());
        for (std::size_t cpu = 0; cpu < s.pages.size(); ++cpu)
            s.slots[arg][cpu] = s.pages[cpu].bytes.data() + arg * hvcall::kPageSize;
    }
    hyperv_pcpu_input_arg = s.machine ? s.slots[0].data() : &s.detached_slots[0];
    hyperv_pcpu_output_arg = s.machine ? s.slots[1].data() : &s.detached_slots[1];
}

std::span<std::byte, hvcall::kPageSize> machine_page(std::size_t arg) {
    Machine& m = *shim().machine;
    return m.memory().page(arg == 0 ? m.input_page_gpa(shim().cpu) : m.output_page_gpa(shim().cpu));
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

// "hv_do_hypercall(HVCALL_MAP_GPA_PAGES 0x004b)"; built only when there is something to report.
std::string call_name(std::uint64_t control) {
    const auto code = static_cast<std::uint16_t>(control & kResultMask);
    const hvcall::CallInfo* call = hvcall::find_call(code);
    const std::string name = call ? std::string(call->linux_name) + " " : std::string("call ");
    return "hv_do_hypercall(" + name + hex(code, 4) + ")";
}

// Where a pointer points: into this CPU's hypercall pages (`arg` says which), or into a page
// from the page allocator (no `arg`); and its GPA.
struct PagePointer {
    std::optional<std::size_t> arg;
    std::uint64_t gpa;
};

std::optional<PagePointer> locate(const volatile void* address) {
    // Compared as integers: pointers into different objects have no order in C++.
    const auto offset = reinterpret_cast<std::uintptr_t>(address) - reinterpret_cast<std::uintptr_t>(cpu_pages());
    if (offset < kPageArgs * hvcall::kPageSize)
        // The machine's output page follows its input page in GPA space too.
        return PagePointer{offset / hvcall::kPageSize, shim().machine->input_page_gpa(shim().cpu) + offset};
    if (const auto pfn = heap_pfn_of(address))
        return PagePointer{std::nullopt, *pfn * hvcall::kPageSize +
                                             (reinterpret_cast<std::uintptr_t>(address) & (hvcall::kPageSize - 1))};
    return std::nullopt;
}

std::string where(const volatile void* address) {
    return hex(reinterpret_cast<std::uintptr_t>(address)) + " is not in CPU " + std::to_string(shim().cpu) +
           "'s input or output page, nor in a page from the page allocator";
}

std::optional<PagePointer> call_pointer(std::uint64_t control, const char* role, void* pointer) {
    if (pointer == nullptr) return PagePointer{std::nullopt, 0};
    const auto ptr = locate(pointer);
    if (!ptr)
        report(ShimRule::pointer_outside_percpu_pages,
               call_name(control) + ": " + role + " pointer " + where(pointer) + "; the call was not issued (U64_MAX)");
    return ptr;
}

// Each per-CPU page the call uses must have been taken in the irq-off section still running;
// one diagnostic per call is enough to point at the bug.
void check_irqs_off(std::uint64_t control, const PagePointer& input, const PagePointer& output) {
    const CpuState& cpu = current_cpu();
    for (const auto& arg : {input.arg, output.arg}) {
        if (!arg) continue;
        const char* page = *arg == 0 ? "input" : "output";
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

std::string hex(std::uint64_t value, int digits) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(value));
    return buf;
}

void report(ShimRule rule, const std::string& what) {
    shim().diagnostics.push_back({rule, std::string(shim_rule_info(rule).id) + ": " + what});
}

// Taking a per-CPU hypercall page: strict mode poisons the input page here, as
// Machine::input_page does, and the irq-off section it was taken in is remembered.
void* take_hypercall_page(std::size_t arg) {
    Shim& s = shim();
    void** slot = s.machine ? &s.slots[arg][s.cpu] : &s.detached_slots[arg];
    if (s.machine == nullptr) return slot;
    if (arg == 0 && s.machine->config().strict) std::ranges::copy(s.machine->input_page(s.cpu), kernel_page(0).begin());
    auto& cpu = current_cpu();
    cpu.page_section[arg] = cpu.irqs_enabled ? 0 : cpu.section;
    return slot;
}

}  // namespace shim_detail

using shim_detail::shim;

const ShimRuleInfo& shim_rule_info(ShimRule rule) noexcept {
    return shim_detail::kShimRules[static_cast<std::size_t>(rule)];
}
std::span<const ShimRuleInfo> shim_rules() noexcept { return shim_detail::kShimRules; }

void shim_attach(Machine& machine, std::uint32_t cpu, KernelMemory memory) {
    shim_detail::check_cpu(machine, cpu);
    shim_detail::Shim& s = shim();
    s.machine = &machine;
    s.cpus.assign(machine.config().cpus, shim_detail::CpuState{});
    s.pages.assign(machine.config().cpus, shim_detail::PagePair{});
    s.diagnostics.clear();
    s.log.clear();
    s.calls.clear();
    s.bug_target = nullptr;
    shim_detail::heap_attach(machine, memory);
    for (s.cpu = 0; s.cpu < machine.config().cpus; ++s.cpu) shim_detail::sync_from_machine();
    s.cpu = cpu;
    shim_detail::point_slots();
    hv_current_partition_id = machine.config().root_partition_id;
    hv_hypercall_pg = s.pages.data();
}

void shim_detach() noexcept {
    shim().machine = nullptr;
    hv_hypercall_pg = nullptr;
    shim_detail::point_slots();
}

void shim_set_cpu(std::uint32_t cpu) {
    if (shim().machine == nullptr) throw std::logic_error("kshim: shim_set_cpu needs an attached machine");
    shim_detail::check_cpu(*shim().machine, cpu);
    shim().cpu = cpu;
}

std::span<const ShimDiagnostic> shim_diagnostics() noexcept { return shim().diagnostics; }
std::span<const ShimCall> shim_calls() noexcept { return shim().calls; }
void shim_observe_calls(ShimCallObserver observer, void* context) noexcept {
    shim().observer = observer;
    shim().observer_context = context;
}

namespace shim_detail {
u64 issued(ShimCall call) {
    Shim& s = shim();
    call.rejected = s.machine->last_diagnostic();
    const auto v = s.machine->violations();
    call.violations.assign(v.begin(), v.end());
    s.calls.push_back(call);
    if (s.observer != nullptr) s.observer(s.observer_context, call);
    return call.result;
}
}  // namespace shim_detail
void shim_clear_diagnostics() noexcept { shim().diagnostics.clear(); }

void shim_reset_irqs() noexcept {
    for (auto& cpu : shim().cpus) cpu = shim_detail::CpuState{};
}

KernelHoldings shim_holdings() noexcept {
    const auto& s = shim();
    KernelHoldings h{s.heap.pages_out, s.heap.blocks.size(), false, 0};
    if (s.machine != nullptr) {
        h.irqs_disabled = !s.cpus[s.cpu].irqs_enabled;
        h.irq_saves = s.cpus[s.cpu].saves;
    }
    return h;
}

}  // namespace hvsim

using hvsim::shim_detail::shim;

extern "C" {

u64 hv_do_hypercall(u64 control, void* input, void* output) {
    hvsim::Machine* machine = shim().machine;
    if (machine == nullptr) return hvsim::shim_detail::kU64Max;
    const auto in = hvsim::shim_detail::call_pointer(control, "input", input);
    const auto out = hvsim::shim_detail::call_pointer(control, "output", output);
    if (!in || !out) return hvsim::shim_detail::kU64Max;
    hvsim::shim_detail::check_irqs_off(control, *in, *out);
    hvsim::shim_detail::sync_to_machine();
    const auto result = machine->call(shim().cpu, hvcall::Control::from_raw(control), in->gpa, out->gpa);
    hvsim::shim_detail::sync_from_machine();
    return hvsim::shim_detail::issued({control, false, in->gpa, out->gpa, result.raw(), {}, {}});
}

u64 hv_do_fast_hypercall8(u16 code, u64 input) { return hv_do_fast_hypercall16(code, input, 0); }

u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2) {
    hvsim::Machine* machine = shim().machine;
    if (machine == nullptr) return hvsim::shim_detail::kU64Max;
    const auto control = hvcall::Control::fast_simple(code);
    const auto result = machine->call_fast(shim().cpu, control, input1, input2);
    return hvsim::shim_detail::issued({control.raw(), true, input1, input2, result.raw(), {}, {}});
}

void* hvsim_this_cpu_ptr(const void* base, std::size_t slot_size) {
    return hvsim_per_cpu_ptr(base, slot_size, static_cast<int>(shim().cpu));
}

// A per-CPU object is an array of one slot per CPU; the two hypercall page slots are watched.
void* hvsim_per_cpu_ptr(const void* base, std::size_t slot_size, int cpu) {
    auto& s = shim();
    for (std::size_t arg = 0; arg < hvsim::shim_detail::kPageArgs; ++arg) {
        void* const* slots = arg == 0 ? hyperv_pcpu_input_arg : hyperv_pcpu_output_arg;
        if (base != slots) continue;
        if (static_cast<std::uint32_t>(cpu) == s.cpu) return hvsim::shim_detail::take_hypercall_page(arg);
        return s.machine ? &s.slots[arg][static_cast<std::size_t>(cpu)] : &s.detached_slots[arg];
    }
    return const_cast<char*>(static_cast<const char*>(base)) + static_cast<std::size_t>(cpu) * slot_size;
}

int smp_processor_id(void) { return static_cast<int>(shim().cpu); }

phys_addr_t virt_to_phys(const volatile void* address) {
    if (shim().machine == nullptr) return hvsim::shim_detail::kU64Max;
    if (const auto ptr = hvsim::shim_detail::locate(address)) return ptr->gpa;
    hvsim::shim_detail::report(hvsim::ShimRule::pointer_outside_percpu_pages,
                               "virt_to_phys: " + hvsim::shim_detail::where(address) + "; returned U64_MAX");
    return hvsim::shim_detail::kU64Max;
}

unsigned long hvsim_local_irq_save(void) {
    if (shim().machine == nullptr) return hvsim::shim_detail::kIrqEnabledFlag;
    auto& cpu = hvsim::shim_detail::current_cpu();
    const unsigned long flags = cpu.irqs_enabled ? hvsim::shim_detail::kIrqEnabledFlag : 0;
    if (cpu.irqs_enabled) cpu.section = ++shim().sections;
    cpu.irqs_enabled = false;
    ++cpu.saves;
    return flags;
}

void hvsim_local_irq_restore(unsigned long flags) {
    if (shim().machine == nullptr) return;
    auto& cpu = hvsim::shim_detail::current_cpu();
    if (cpu.saves == 0) {
        hvsim::shim_detail::report(
            hvsim::ShimRule::irq_restore_unbalanced,
            "local_irq_restore on CPU " + std::to_string(shim().cpu) + " without a matching local_irq_save");
        return;
    }
    --cpu.saves;
    cpu.irqs_enabled = (flags & hvsim::shim_detail::kIrqEnabledFlag) != 0;
    if (cpu.irqs_enabled) cpu.section = 0;
}

void hvsim_local_irq_disable(void) {
    if (shim().machine == nullptr) return;
    auto& cpu = hvsim::shim_detail::current_cpu();
    if (cpu.irqs_enabled) cpu.section = ++shim().sections;
    cpu.irqs_enabled = false;
}

void hvsim_local_irq_enable(void) {
    if (shim().machine == nullptr) return;
    auto& cpu = hvsim::shim_detail::current_cpu();
    cpu.irqs_enabled = true;
    cpu.section = 0;
}

bool hvsim_irqs_disabled(void) { return shim().machine != nullptr && !hvsim::shim_detail::current_cpu().irqs_enabled; }

}  // extern "C"
