// Deterministic faults: early rep ends (time-slice expiry), failed allocations, injected
// statuses. Correct callers reach the same final state under every plan.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "hvcall/status.hpp"

namespace hvsim {

struct FaultPlan {
    static constexpr std::uint64_t kAnyCall = ~0ull;

    // End a rep call early, with success, after `after_elements` elements of that call
    // (at least one element always runs, as the TLFS promises).
    struct RepEnd {
        std::uint64_t call = kAnyCall;  // 0-based index among all calls the machine saw
        std::uint32_t after_elements = 1;
    };
    // Return `status` from the `nth` (0-based, from the plan's start) call of `code` that passes
    // the generic rules.
    struct InjectedStatus {
        std::uint16_t code = 0;
        std::uint64_t nth = 0;
        hvcall::Status status = hvcall::Status::OPERATION_FAILED;
    };

    std::vector<RepEnd> rep_ends;
    std::vector<std::uint64_t> failing_allocations;  // 0-based indices, from the plan's start, of
                                                     // allocations that fail (Machine::allocations())
    std::vector<InjectedStatus> statuses;

    // Seeded random early ends: after each element but the last, end the call with this
    // probability (per mille). The same seed gives the same schedule.
    std::uint64_t seed = 0;
    std::uint32_t early_end_per_mille = 0;

    // At most this many early ends (planned or random) per rep loop, 0 for no bound. A loop
    // starts with a rep call at rep start 0 and goes on through the calls that resume it.
    // A schedule fuzzer bounds its restarts this way: the first restarts of every loop are
    // where resume bugs show, and a thousand more of the same loop only cost time.
    std::uint32_t max_ends_per_loop = 0;

    [[nodiscard]] bool empty() const noexcept {
        return rep_ends.empty() && failing_allocations.empty() && statuses.empty() && early_end_per_mille == 0;
        // max_ends_per_loop alone changes nothing: it only bounds the other early ends.
    }
};

// A plan being played: counters and the random stream.
class FaultState {
public:
    FaultState() = default;
    explicit FaultState(FaultPlan plan);

    [[nodiscard]] bool active() const noexcept { return active_; }
    // Called once per call that reaches its handler; returns a status to inject, if any.
    std::optional<hvcall::Status> begin_call(std::uint64_t call_index, std::uint16_t code);
    // A rep call reached its handler; one at rep start 0 begins a loop (max_ends_per_loop).
    void begin_rep_call(std::uint32_t rep_start) noexcept {
        if (rep_start == 0) ends_in_loop_ = 0;
    }
    // After `done_in_call` elements of this call ran and more remain: end it now?
    bool end_rep_early(std::uint64_t call_index, std::uint32_t done_in_call);
    // For a bulk run of elements after end_rep_early(call_index, done_in_call) said no: how
    // many of the next `remaining` may run in a row, that is 1 plus the number of the
    // decisions after them that would say no. Changes nothing; skip_decisions() then takes
    // the decisions the run went past.
    [[nodiscard]] std::uint32_t run_before_end(std::uint64_t call_index, std::uint32_t done_in_call,
                                               std::uint32_t remaining) const noexcept;
    // Takes `n` decisions that said no, as end_rep_early would have.
    void skip_decisions(std::uint32_t n) noexcept;
    // Called for every allocation from deposited memory with its index (Machine::allocations()
    // before it); true means it fails.
    [[nodiscard]] bool allocation_fails(std::uint64_t index) const;

    [[nodiscard]] const FaultPlan& plan() const noexcept { return plan_; }

private:
    std::uint64_t next_random() noexcept { return mix(rng_ += kGolden); }
    static constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;
    [[nodiscard]] static std::uint64_t mix(std::uint64_t z) noexcept;
    [[nodiscard]] bool planned_end(std::uint64_t call_index, std::uint32_t done_in_call) const noexcept;
    [[nodiscard]] bool loop_spent() const noexcept {
        return plan_.max_ends_per_loop != 0 && ends_in_loop_ >= plan_.max_ends_per_loop;
    }

    FaultPlan plan_;
    bool active_ = false;
    std::uint64_t rng_ = 0;
    std::uint32_t ends_in_loop_ = 0;
    std::unordered_map<std::uint16_t, std::uint64_t> calls_per_code_;
};

}  // namespace hvsim
