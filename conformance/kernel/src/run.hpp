// One run of one scenario: a fresh machine under one schedule, the shim attached, and each
// driver function the scenario calls recorded as a step with what it returned, the
// hypercalls it issued and what the model looked like before and after.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hvsim/kernel/check.hpp"
#include "hvsim/kernel_api.h"
#include "hvsim/machine.hpp"

namespace hvsim::kernel {

[[nodiscard]] MachineConfig config_for(const struct Schedule& schedule);

// How a run differs from the plain one.
struct Schedule {
    std::string name = "none";
    FaultPlan plan;
    bool strict = false;
    bool restarts = false;
    bool vp_root_memory = false;  // each VP also takes a page of the root's pool (0x73 when short)
    bool vp_contiguous = false;   // a VP's pages must be one contiguous run (0x75 when short)
    std::optional<std::uint64_t> failing_kernel_allocation;
    // A hard failure is injected: later calls may fail for it, so rejections are not findings.
    bool injects_failure = false;
};

struct Step {
    std::string function;
    int ret = 0;
    bool creates = false;        // a failure must leave nothing behind (rollback)
    std::size_t first_call = 0;  // index into shim_calls()
    std::size_t calls = 0;
    std::string digest_before, digest_after;
};

// What a scenario body gets: the tree's API, the machine, guest pages, and `step`.
class Run {
public:
    Run(const hvsim_kernel_api& api, const Schedule& schedule);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    const hvsim_kernel_api& api;
    const Schedule& schedule;
    Machine machine;

    // Calls a driver function as one step. `creates`: if it fails, the model must look as it
    // did before (checked by the rollback property).
    int step(const char* function, bool creates, const std::function<int()>& call);

    // Guest memory a VMM would have pinned: `count` RAM pages, aligned to `align` pages,
    // outside the kernel allocator's run.
    std::vector<std::uint64_t> guest_pages(std::uint64_t count, std::uint64_t align = 1);
    [[nodiscard]] std::uint64_t mmio_pfn() const;
    // The guest touches pages (Hypervisor::guest_access), recorded when the run is.
    std::uint64_t guest_access(std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write);
    std::function<void(std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write, std::uint64_t marked)>
        on_guest_access;

    // A finding of this run, for the property checks inside a scenario (e.g. a value the
    // driver returned that the model never gave).
    void find(std::string id, std::string function, std::string evidence);

    [[nodiscard]] const std::vector<Step>& steps() const noexcept { return steps_; }
    [[nodiscard]] std::vector<Finding>& findings() noexcept { return findings_; }
    std::string scenario_name;

    static constexpr std::uint64_t kRamBytes = 4ull << 30;
    static constexpr KernelMemory kKernelMemory{0x1000, 0x20000};  // [16 MiB, 528 MiB)
    static constexpr std::uint64_t kGuestFirstPfn = 0x40000;       // 1 GiB

private:
    void after_step(Step& s);
    std::vector<Step> steps_;
    std::vector<Finding> findings_;
    std::uint64_t next_guest_pfn_ = kGuestFirstPfn;
    std::size_t diagnostics_seen_ = 0;
};

}  // namespace hvsim::kernel
