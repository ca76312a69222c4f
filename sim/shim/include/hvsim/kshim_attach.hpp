// The C++ side of the C shim (kshim.h): which Machine kernel-style C code talks to, on which
// CPU, and what the shim saw that the hypervisor cannot (interrupts on around a hypercall
// page, unbalanced irq restores, pointers it cannot map). One shim per process, used from
// one thread at a time, as one CPU runs one piece of kernel code at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hvsim/machine.hpp"

namespace hvsim {

enum class ShimRule : std::uint8_t {
#define KSHIM_RULE(ident, id, statement, source) ident,
#include "hvsim/kshim_rules.def"
#undef KSHIM_RULE
};

struct ShimRuleInfo {
    ShimRule rule;
    std::string_view id;         // "kshim.percpu_page.irqs_enabled"
    std::string_view statement;  // what must hold
    std::string_view source;     // who says so
};

[[nodiscard]] const ShimRuleInfo& shim_rule_info(ShimRule rule) noexcept;
[[nodiscard]] std::span<const ShimRuleInfo> shim_rules() noexcept;

struct ShimDiagnostic {
    ShimRule rule;
    // One line naming the rule and the call: "kshim.percpu_page.irqs_enabled:
    // hv_do_hypercall(HVCALL_MAP_GPA_PAGES 0x004b): interrupts are enabled on CPU 0 ...".
    std::string message;
};

// Where the kernel's page allocator (alloc_pages, __get_free_page) takes pages from: a run of
// the root's RAM pages, by default [16 MiB, 256 MiB) capped at RAM. Pages outside it are left
// to the caller (guest memory a VMM pinned, set-up pages of tests).
struct KernelMemory {
    std::uint64_t first_pfn = 0x1000;
    std::uint64_t pages = 0xF000;
};

// Kernel-style C code issues its hypercalls on `machine`, as CPU `cpu`, from now on; every
// CPU starts with interrupts enabled, the page allocator is empty and the diagnostics and
// the log are cleared. Throws std::invalid_argument for a CPU the machine does not have or a
// kernel memory run outside its RAM.
void shim_attach(Machine& machine, std::uint32_t cpu = 0, KernelMemory memory = {});
// No machine: hv_do_hypercall returns U64_MAX, as Linux does without a hypercall page.
void shim_detach() noexcept;
// What smp_processor_id() answers and whose hypercall pages the code gets (a migration).
void shim_set_cpu(std::uint32_t cpu);

[[nodiscard]] std::span<const ShimDiagnostic> shim_diagnostics() noexcept;
void shim_clear_diagnostics() noexcept;

// Every hypercall the kernel code issued since attach, in order: what the machine was
// given and what it answered (input bytes are the per-CPU input page as the call saw it).
struct ShimCall {
    std::uint64_t control = 0;
    bool fast = false;
    std::uint64_t input = 0;             // GPA, or the first fast register
    std::uint64_t output = 0;            // GPA, or the second fast register
    std::uint64_t result = 0;            // the result word
    std::optional<Diagnostic> rejected;  // the rule that rejected it, if one did
    std::vector<Diagnostic> violations;  // spec-only rules it broke and hardware lets through
};
[[nodiscard]] std::span<const ShimCall> shim_calls() noexcept;
// Called after every hypercall the kernel code issues (nothing: no observer); the trace
// recorder of `hvsim kernel check --record` uses it.
using ShimCallObserver = void (*)(void* context, const ShimCall& call);
void shim_observe_calls(ShimCallObserver observer, void* context) noexcept;

// The kernel log (printk), one entry per line without its level prefix.
struct LogLine {
    int level;  // 0 (KERN_EMERG) .. 7 (KERN_DEBUG)
    std::string text;
};
[[nodiscard]] std::span<const LogLine> shim_log() noexcept;

// What the kernel side holds: pages from alloc_pages not yet freed, kmalloc blocks not yet
// kfreed, and whether this CPU has interrupts disabled or local_irq_save calls outstanding.
struct KernelHoldings {
    std::uint64_t pages = 0;
    std::uint64_t kmalloc_blocks = 0;
    bool irqs_disabled = false;
    std::uint32_t irq_saves = 0;
};
[[nodiscard]] KernelHoldings shim_holdings() noexcept;
// Interrupts on and no save outstanding on every CPU: after a driver function returned with
// them off (a finding), so that the next one starts clean.
void shim_reset_irqs() noexcept;
// Is `pfn` a page of the kernel allocator's run that is allocated now?
[[nodiscard]] bool shim_page_allocated(std::uint64_t pfn) noexcept;

// Fail the kernel allocation (alloc_pages or kmalloc) with this 0-based index, counted from
// attach; nothing: none fail. The count so far is shim_allocations().
void shim_fail_allocation(std::optional<std::uint64_t> index) noexcept;
[[nodiscard]] std::uint64_t shim_allocations() noexcept;

}  // namespace hvsim
