// Property: any control word, registers and input bytes give a well-formed result word
// (reserved bits zero, reps completed within the rep count), every non-success names a
// catalogued rule with that status, and the model's invariants hold after every call.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>

#include "raw_calls.hpp"

namespace {

using hvcall::Control;
using hvcall::HypercallResult;

[[noreturn]] void fail(const char* what, std::uint64_t control, std::uint64_t result, const std::string& more = {}) {
    std::fprintf(stderr, "raw_dispatch: %s (control 0x%016llx, result 0x%016llx) %s\n", what,
                 static_cast<unsigned long long>(control), static_cast<unsigned long long>(result), more.c_str());
    std::abort();
}

void check(const hvsim::Machine& m, Control c, HypercallResult r) {
    if (r.reserved_bits() != 0) fail("reserved result bits set", c.raw(), r.raw());
    if (r.reps_completed() > c.rep_count()) fail("reps completed above the rep count", c.raw(), r.raw());
    if (!r.ok()) {
        const auto& d = m.last_diagnostic();
        if (!d) fail("failure without a diagnostic", c.raw(), r.raw());
        if (d->status != r.status()) fail("diagnostic status differs from the result", c.raw(), r.raw());
        if (d->rule != hvsim::RuleId::fault_injected_status && hvsim::rule_info(d->rule).status != r.status())
            fail("rule status differs from the result", c.raw(), r.raw(), std::string(d->info().id));
    } else if (m.last_diagnostic()) {
        fail("success with a rejection diagnostic", c.raw(), r.raw());
    }
}

// One machine per configuration the first byte can pick, reset between inputs: building a
// machine allocates its pages and maps, which cost more than the calls themselves.
hvsim::Machine& machine_for(const hvsim::fuzz::RawSetup& setup) {
    static std::map<std::tuple<bool, bool, bool>, hvsim::Machine> machines;
    const auto& c = setup.config;
    const auto key = std::tuple(c.strict, c.reject_spec_only, c.hypervisor_restarts_reps);
    hvsim::Machine& m = machines.try_emplace(key, c).first->second;
    m.reset(setup.plan);
    return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hvsim::fuzz::Bytes in(data, size);
    const auto setup = hvsim::fuzz::decode_raw_setup(in);
    hvsim::Machine& m = machine_for(setup);
    for (int n = 0; n < hvsim::fuzz::kMaxRawCalls; ++n) {
        auto call = hvsim::fuzz::next_raw_call(in, setup.config);
        if (!call) break;
        const HypercallResult r = hvsim::fuzz::issue_raw_call(m, *call);
        check(m, call->control, r);
        if (const std::string broken = m.hypervisor().check_invariants(); !broken.empty())
            fail("model invariant broken", call->control.raw(), r.raw(), broken);
    }
    return 0;
}
