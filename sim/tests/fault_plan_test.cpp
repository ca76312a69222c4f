#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <vector>

#include "test_machine.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Status;

namespace {

constexpr std::uint64_t kIn = kScratch;
constexpr std::uint64_t kOut = kScratch + hvcall::kPageSize;

// A fixed workload of rep calls, resumed as Linux does; returns every raw result word.
std::vector<std::uint64_t> run_workload(FaultPlan plan) {
    auto m = make_machine(false, true, std::move(plan));
    std::vector<std::uint64_t> results;
    for (std::uint32_t n = 1; n <= 40; ++n) {
        auto c = word(code_of(n % 2 ? CallId::get_vp_registers : CallId::map_gpa_pages), n * 7, 0);
        for (;;) {
            const auto r = m.call(0, c, kIn, kOut);
            results.push_back(r.raw());
            if (!r.ok() || r.reps_completed() == c.rep_count()) break;
            c = *c.with_rep_start(r.reps_completed());
        }
    }
    return results;
}

}  // namespace

TEST_CASE("the same seed gives the same result sequence; another seed another", "[faults]") {
    FaultPlan a;
    a.seed = 42;
    a.early_end_per_mille = 50;
    const auto first = run_workload(a);
    const auto second = run_workload(a);
    CHECK(first == second);
    CHECK(first.size() > 40);  // some calls were cut short and resumed

    FaultPlan b = a;
    b.seed = 43;
    CHECK(run_workload(b) != first);

    // Without faults every call completes at once.
    CHECK(run_workload({}).size() == 40);
}

TEST_CASE("an injected status hits only the n-th call of its code", "[faults]") {
    FaultPlan plan;
    plan.statuses.push_back({code_of(CallId::get_partition_id), 1, Status::ACCESS_DENIED});
    auto m = make_machine(false, true, plan);
    const auto c = word(code_of(CallId::get_partition_id));
    CHECK(m.call(0, c, 0, kOut).ok());
    const auto second = m.call(0, c, 0, kOut);
    CHECK(second.status() == Status::ACCESS_DENIED);
    REQUIRE(m.last_diagnostic());
    CHECK(m.last_diagnostic()->rule == RuleId::fault_injected_status);
    CHECK(m.call(0, c, 0, kOut).ok());
}

TEST_CASE("an injected status does not replace a generic-rule rejection", "[faults]") {
    FaultPlan plan;
    plan.statuses.push_back({code_of(CallId::get_partition_id), 0, Status::ACCESS_DENIED});
    auto m = make_machine(false, true, plan);
    // The first call breaks a rule: the rule answers, and the plan's counter does not move.
    CHECK(m.call(0, word(code_of(CallId::get_partition_id)), 0, kOut + 4).status() == Status::INVALID_ALIGNMENT);
    CHECK(m.call(0, word(code_of(CallId::get_partition_id)), 0, kOut).status() == Status::ACCESS_DENIED);
}

TEST_CASE("the n-th allocation fails with INSUFFICIENT_MEMORY", "[faults]") {
    FaultPlan plan;
    plan.failing_allocations = {1, 3};
    auto m = make_machine(false, true, plan);
    std::vector<Status> got;
    for (int i = 0; i < 5; ++i) got.push_back(m.call(0, word(code_of(CallId::set_vp_state)), kIn, kOut).status());
    CHECK(got == std::vector<Status>{Status::SUCCESS, Status::INSUFFICIENT_MEMORY, Status::SUCCESS,
                                     Status::INSUFFICIENT_MEMORY, Status::SUCCESS});
}

TEST_CASE("a rep end aimed at one call leaves the others whole", "[faults]") {
    FaultPlan plan;
    plan.rep_ends.push_back({1, 2});  // the second call the machine sees ends after 2 elements
    auto m = make_machine(false, true, plan);
    const auto c = word(code_of(CallId::map_gpa_pages), 5, 0);
    CHECK(m.call(0, c, kIn, kOut).reps_completed() == 5);
    CHECK(m.call(0, c, kIn, kOut).reps_completed() == 2);
    CHECK(m.call(0, c, kIn, kOut).reps_completed() == 5);
}

TEST_CASE("failing allocation indices count from the plan's start, as Machine::allocations() does", "[faults]") {
    const auto c = word(code_of(CallId::set_vp_state));  // the stub allocates once per call
    auto m = make_machine();
    CHECK(m.call(0, c, kIn, kOut).ok());
    CHECK(m.call(0, c, kIn, kOut).ok());
    CHECK(m.allocations() == 2);

    FaultPlan plan;
    plan.failing_allocations = {1};
    m.set_fault_plan(plan);
    CHECK(m.allocations() == 0);  // allocation 1 of the plan is the next call but one
    CHECK(m.call(0, c, kIn, kOut).ok());
    CHECK(m.allocations() == 1);
    CHECK(m.call(0, c, kIn, kOut).status() == Status::INSUFFICIENT_MEMORY);
    CHECK(m.allocations() == 2);
    CHECK(m.call(0, c, kIn, kOut).ok());

    // allocations() counts with no plan in force too; a new plan starts it afresh.
    m.set_fault_plan({});
    CHECK(m.call(0, c, kIn, kOut).ok());
    CHECK(m.allocations() == 1);
    m.set_fault_plan(plan);
    CHECK(m.call(0, c, kIn, kOut).ok());
    CHECK(m.call(0, c, kIn, kOut).status() == Status::INSUFFICIENT_MEMORY);
}

TEST_CASE("a bulk run bounded by run_before_end ends where asking after every element ends", "[faults][bulk]") {
    // Where each call of a workload ends, asked after every element, or with runs of elements
    // in between that take a varying part of what run_before_end allowed.
    auto ends = [](const FaultPlan& plan, bool bulk) {
        FaultState f(plan);
        std::vector<std::uint32_t> out;
        for (std::uint32_t call = 0; call < 200; ++call) {
            const std::uint32_t reps = 1 + (call * 37) % 90;
            std::uint32_t done = 1;
            while (done < reps && !f.end_rep_early(call, done)) {
                std::uint32_t step = 1;
                if (bulk) {
                    const std::uint32_t room = f.run_before_end(call, done, reps - done);
                    REQUIRE(room >= 1);
                    REQUIRE(room <= reps - done);
                    step = 1 + (call + done) % room;
                    f.skip_decisions(step - 1);
                }
                done += step;
            }
            out.push_back(done);
        }
        return out;
    };
    for (const std::uint32_t per_mille : {0u, 1u, 40u, 500u, 1000u})
        for (const std::uint64_t seed : {1ull, 7ull, 1234ull}) {
            FaultPlan plan;
            plan.seed = seed;
            plan.early_end_per_mille = per_mille;
            plan.rep_ends = {{FaultPlan::kAnyCall, 17}, {5, 3}};
            INFO("per mille " << per_mille << ", seed " << seed);
            const auto one_by_one = ends(plan, false);
            CHECK(ends(plan, true) == one_by_one);
            if (per_mille <= 40)  // the planned end is reached, not only random ones
                CHECK(std::count(one_by_one.begin(), one_by_one.end(), 17u) > 0);
        }
}

TEST_CASE("max_ends_per_loop bounds the early ends of each rep loop, counted afresh at rep start 0", "[faults]") {
    FaultPlan plan;
    plan.rep_ends.push_back({FaultPlan::kAnyCall, 1});  // every call would end after one element
    plan.max_ends_per_loop = 3;
    auto m = make_machine(false, true, plan);
    for (int loop = 0; loop < 2; ++loop) {
        auto c = word(code_of(CallId::get_vp_registers), 10, 0);
        std::vector<std::uint32_t> completed;
        for (;;) {
            const auto r = m.call(0, c, kIn, kOut);
            REQUIRE(r.ok());
            completed.push_back(r.reps_completed());
            if (r.reps_completed() == 10) break;
            c = *c.with_rep_start(r.reps_completed());
        }
        CHECK(completed == std::vector<std::uint32_t>{1, 2, 3, 10});  // three ends, then the rest at once
    }
    // The bound applies to random ends too, and without one they go on.
    FaultPlan random;
    random.early_end_per_mille = 1000;
    random.max_ends_per_loop = 2;
    auto r = make_machine(false, true, random);
    CHECK(r.call(0, word(code_of(CallId::get_vp_registers), 10, 0), kIn, kOut).reps_completed() == 1);
    CHECK(r.call(0, word(code_of(CallId::get_vp_registers), 10, 1), kIn, kOut).reps_completed() == 2);
    CHECK(r.call(0, word(code_of(CallId::get_vp_registers), 10, 2), kIn, kOut).reps_completed() == 10);
}
