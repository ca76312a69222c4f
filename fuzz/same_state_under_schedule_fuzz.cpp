// Property (the fuzzers' main oracle): a bounded sequence of typed hvcall calls reaches the
// same final model state, with the same errno per call, under a fuzzed fault plan (early rep
// ends, failing allocations, the hypervisor restarting reps) as without faults.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "schedule_ops.hpp"

namespace {

using hvsim::fuzz::ScheduleRun;

// One machine per configuration for the whole process, reset for each run, as
// raw_dispatch_fuzz does: reset() gives a new machine's state and keeps its memory. The
// configurations decode_schedule makes differ only in hypervisor_restarts_reps.
hvsim::Machine& machine_for(const hvsim::MachineConfig& config, hvsim::FaultPlan plan) {
    static std::optional<hvsim::Machine> machines[2];
    auto& m = machines[config.hypervisor_restarts_reps ? 1 : 0];
    if (m)
        m->reset(std::move(plan));
    else
        m.emplace(config, std::move(plan));
    return *m;
}

ScheduleRun run(const std::vector<hvsim::fuzz::Op>& ops, const hvsim::MachineConfig& config, hvsim::FaultPlan plan) {
    hvsim::Machine& m = machine_for(config, std::move(plan));
    hvsim::SimBackend backend(m);
    return hvsim::fuzz::run_schedule(m, backend, ops);
}

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
    std::fprintf(stderr, "same_state_under_schedule: %s\n--- without faults\n%s\n--- with the fault plan\n%s\n", what,
                 a.c_str(), b.c_str());
    std::abort();
}

std::string errnos_text(const std::vector<int>& e) {
    std::string s;
    for (int v : e) s += std::to_string(v) + " ";
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hvsim::fuzz::Bytes in(data, size);
    const auto input = hvsim::fuzz::decode_schedule(in);
    const ScheduleRun base = run(input.ops, input.config, {});
    const ScheduleRun got = run(input.ops, input.faulty, input.plan);
    if (!base.broken.empty()) fail("model invariant broken without faults", base.broken, "");
    if (!got.broken.empty()) fail("model invariant broken under the fault plan", "", got.broken);
    if (base.errnos != got.errnos) fail("different errno sequence", errnos_text(base.errnos), errnos_text(got.errnos));
    if (base.digest != got.digest) fail("different final state", base.digest, got.digest);
    return 0;
}
