#include "hvsim/fault_plan.hpp"

#include <algorithm>

namespace hvsim {

FaultState::FaultState(FaultPlan plan) : plan_(std::move(plan)), active_(!plan_.empty()), rng_(plan_.seed) {}

std::optional<hvcall::Status> FaultState::begin_call(std::uint64_t /*call_index*/, std::uint16_t code) {
    if (plan_.statuses.empty()) return std::nullopt;
    const std::uint64_t nth = calls_per_code_[code]++;
    for (const auto& s : plan_.statuses)
        if (s.code == code && s.nth == nth) return s.status;
    return std::nullopt;
}

bool FaultState::planned_end(std::uint64_t call_index, std::uint32_t done_in_call) const noexcept {
    return std::any_of(plan_.rep_ends.begin(), plan_.rep_ends.end(), [&](const FaultPlan::RepEnd& e) {
        return (e.call == FaultPlan::kAnyCall || e.call == call_index) && e.after_elements == done_in_call;
    });
}

bool FaultState::end_rep_early(std::uint64_t call_index, std::uint32_t done_in_call) {
    if (loop_spent()) return false;  // no decision is taken, and no random number drawn
    const bool end = planned_end(call_index, done_in_call) ||
                     (plan_.early_end_per_mille != 0 && next_random() % 1000 < plan_.early_end_per_mille);
    if (end) ++ends_in_loop_;
    return end;
}

std::uint32_t FaultState::run_before_end(std::uint64_t call_index, std::uint32_t done_in_call,
                                         std::uint32_t remaining) const noexcept {
    if (loop_spent()) return remaining;
    // The planned ends first: the nearest one after done_in_call bounds the run.
    std::uint64_t bound = remaining;
    for (const auto& e : plan_.rep_ends)
        if ((e.call == FaultPlan::kAnyCall || e.call == call_index) && e.after_elements > done_in_call)
            bound = std::min<std::uint64_t>(bound, e.after_elements - done_in_call);
    if (plan_.early_end_per_mille == 0 || bound <= 1) return static_cast<std::uint32_t>(bound);
    // Then the random ones: the stream is a counter, so looking ahead needs no copy.
    std::uint64_t state = rng_;
    std::uint32_t run = 1;
    while (run < bound && mix(state += kGolden) % 1000 >= plan_.early_end_per_mille) ++run;
    return run;
}

void FaultState::skip_decisions(std::uint32_t n) noexcept {
    if (plan_.early_end_per_mille != 0 && !loop_spent()) rng_ += kGolden * n;
}

bool FaultState::allocation_fails(std::uint64_t index) const {
    return std::find(plan_.failing_allocations.begin(), plan_.failing_allocations.end(), index) !=
           plan_.failing_allocations.end();
}

// splitmix64: tiny, fast and the same on every platform, so a seed names one schedule.
std::uint64_t FaultState::mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace hvsim
