// What one machine records about its calls: the last rejection, the spec-only violations of
// the current call, how often each rule fired, the fault plan being played and the allocations
// it counts. Machine owns one; each call's CallContext writes to it through a reference.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "hvsim/diagnostic.hpp"
#include "hvsim/fault_plan.hpp"

namespace hvsim {

struct CallJournal {
    std::optional<Diagnostic> last;      // what the last call was rejected for
    std::vector<Diagnostic> violations;  // this call's, each rule once (capacity: every rule)
    std::array<std::uint64_t, kRuleCount> rule_hits{};
    FaultState faults;
    std::uint64_t allocations = 0;  // since the plan took effect: failing_allocations' index

    // The one place a broken rule is judged, by its strength in the catalogue: an enforced
    // rule, or a spec-only one when `reject_spec_only`, ends the call (true; `d` is the last
    // diagnostic); any other is recorded as a violation and the call goes on.
    bool breach(const Diagnostic& d, bool reject_spec_only) noexcept;
    // Counts an allocation from deposited memory; true when the fault plan makes it fail.
    [[nodiscard]] bool allocation_fails() noexcept {
        const std::uint64_t index = allocations++;
        return faults.active() && faults.allocation_fails(index);
    }
    // Whether the next allocation would fail, without counting it (a bulk step stops there).
    [[nodiscard]] bool next_allocation_fails() const noexcept {
        return faults.active() && faults.allocation_fails(allocations);
    }
    // A new call: no diagnostic, no violations yet.
    void begin_call() noexcept {
        last.reset();
        violations.clear();
    }
};

}  // namespace hvsim
