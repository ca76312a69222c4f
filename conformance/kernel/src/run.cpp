#include "run.hpp"

#include "functions.hpp"
#include "hvcall/needs_memory.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/kshim_attach.hpp"

namespace hvsim::kernel {
MachineConfig config_for(const Schedule& schedule) {
    MachineConfig c = suite_machine_config();
    c.strict = schedule.strict;
    c.hypervisor_restarts_reps = schedule.restarts;
    if (schedule.vp_root_memory) c.costs.vp_root = 1;
    c.costs.vp_contiguous = schedule.vp_contiguous;
    return c;
}

MachineConfig suite_machine_config() {
    MachineConfig c;
    c.cpus = 2;
    c.ram_bytes = Run::kRamBytes;
    return c;
}

Run::Run(const hvsim_kernel_api& a, const Schedule& s) : api(a), schedule(s), machine(config_for(s), s.plan) {
    shim_attach(machine, 0, kKernelMemory);
    shim_fail_allocation(s.failing_kernel_allocation);
}

Run::~Run() { shim_detach(); }

int Run::step(const char* function, bool creates, const std::function<int()>& call) {
    Step s;
    s.function = function;
    s.creates = creates;
    s.first_call = shim_calls().size();
    s.digest_before = machine.hypervisor().digest();
    s.ret = call();
    s.calls = shim_calls().size() - s.first_call;
    s.digest_after = machine.hypervisor().digest();
    after_step(s);
    steps_.push_back(std::move(s));
    return steps_.back().ret;
}

// What can be judged from one step alone: the kernel side's diagnostics, the interrupt state
// it returned with, spec-only violations of its calls, BUG.
void Run::after_step(Step& s) {
    const auto diags = shim_diagnostics();
    for (std::size_t i = diagnostics_seen_; i < diags.size(); ++i) {
        const auto& info = shim_rule_info(diags[i].rule);
        if (diags[i].rule == ShimRule::kernel_bug && schedule.injects_failure && bugs_on_failure(s.function)) continue;
        find(std::string(info.id), s.function, diags[i].message);
    }
    diagnostics_seen_ = diags.size();
    const KernelHoldings h = shim_holdings();
    if (h.irqs_disabled || h.irq_saves != 0) {
        find("kshim.irqs.left_disabled", s.function,
             s.function + " returned " + std::to_string(s.ret) + " with interrupts disabled (" +
                 std::to_string(h.irq_saves) + " local_irq_save without its restore)");
        shim_reset_irqs();
    }
    const auto calls = shim_calls();
    for (std::size_t i = s.first_call; i < s.first_call + s.calls; ++i) {
        for (const auto& v : calls[i].violations) find(std::string(v.info().id), s.function, describe(v));
        // Every scenario asks for what a correct driver gets done: a rule that rejected one of
        // its calls and made it fail is a finding, except memory shortfalls (the driver
        // deposits) and faults the schedule injected. A rejection the driver expects and
        // handles (withdraw's empty pool ends its loop) leaves the step successful.
        const auto& r = calls[i].rejected;
        if (r && s.ret != 0 && !schedule.injects_failure && !hvcall::needs_memory(r->status) &&
            !r->info().id.starts_with("fault."))
            find(std::string(r->info().id), s.function, "rejected: " + describe(*r));
    }
}

std::vector<std::uint64_t> Run::guest_pages(std::uint64_t count, std::uint64_t align) {
    next_guest_pfn_ = (next_guest_pfn_ + align - 1) / align * align;
    std::vector<std::uint64_t> pfns(count);
    for (auto& p : pfns) p = next_guest_pfn_++;
    return pfns;
}

std::uint64_t Run::guest_access(std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write) {
    const std::uint64_t marked = machine.hypervisor().guest_access(id, gfn, count, write);
    if (on_guest_access) on_guest_access(id, gfn, count, write, marked);
    return marked;
}

std::uint64_t Run::mmio_pfn() const { return machine.config().mmio_ranges().front().first; }

void Run::find(std::string id, std::string function, std::string evidence) {
    findings_.push_back({std::move(id), std::move(function), scenario_name, schedule.name, std::move(evidence), 1});
}

}  // namespace hvsim::kernel
