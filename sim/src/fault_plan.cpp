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

bool FaultState::end_rep_early(std::uint64_t call_index, std::uint32_t done_in_call) {
    for (const auto& e : plan_.rep_ends)
        if ((e.call == FaultPlan::kAnyCall || e.call == call_index) && e.after_elements == done_in_call) return true;
    if (plan_.early_end_per_mille == 0) return false;
    return next_random() % 1000 < plan_.early_end_per_mille;
}

bool FaultState::allocation_fails(std::uint64_t index) const {
    return std::find(plan_.failing_allocations.begin(), plan_.failing_allocations.end(), index) !=
           plan_.failing_allocations.end();
}

// splitmix64: tiny, fast and the same on every platform, so a seed names one schedule.
std::uint64_t FaultState::next_random() {
    std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace hvsim
