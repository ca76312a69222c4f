// The C++ side of the C shim (kshim.h): which Machine kernel-style C code talks to, on which
// CPU, and what the shim saw that the hypervisor cannot (interrupts on around a hypercall
// page, unbalanced irq restores, pointers it cannot map). One shim per process, used from
// one thread at a time, as one CPU runs one piece of kernel code at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

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

// Kernel-style C code issues its hypercalls on `machine`, as CPU `cpu`, from now on; every
// CPU starts with interrupts enabled and the diagnostics are cleared. Throws
// std::invalid_argument for a CPU the machine does not have.
void shim_attach(Machine& machine, std::uint32_t cpu = 0);
// No machine: hv_do_hypercall returns U64_MAX, as Linux does without a hypercall page.
void shim_detach() noexcept;
// What smp_processor_id() answers and whose hypercall pages the code gets (a migration).
void shim_set_cpu(std::uint32_t cpu);

[[nodiscard]] std::span<const ShimDiagnostic> shim_diagnostics() noexcept;
void shim_clear_diagnostics() noexcept;

}  // namespace hvsim
