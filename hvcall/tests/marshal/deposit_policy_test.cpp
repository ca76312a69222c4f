// The 7.0 deposit policy, seen from the hypervisor's side: for each "needs memory" status the
// model answers (injected by the fault plan), which partition the next deposit names and how
// many pages it carries. Expected values are transcribed from the sources (A-GDK's statuses,
// A-PROC hv_deposit_memory_node and A-HVCALL hv_do_map_gpa_hcall), not from the code.
#include <catch2/catch_test_macros.hpp>

#include "capture.hpp"
#include "fixture.hpp"
#include "hvcall/calls/stats.hpp"
#include "hvcall/needs_memory.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

struct Expected {
    Status status;
    std::uint32_t pages;
    bool into_self;
};
// Transcribed from A-PROC hv_deposit_memory_node (statuses: A-GDK).
constexpr Expected kTable[] = {
    {Status::INSUFFICIENT_MEMORY, 1, false},
    {Status::INSUFFICIENT_CONTIGUOUS_MEMORY, 8, false},
    {Status::INSUFFICIENT_ROOT_MEMORY, 1, true},
    {Status::INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, 8, true},
};

hvsim::FaultPlan inject_once(CallId call, Status status) {
    hvsim::FaultPlan plan;
    plan.statuses.push_back({info(call).code, 0, status});
    return plan;
}

}  // namespace

TEST_CASE("a needs-memory status on create VP deposits what the status asks for, where it asks", "[marshal][deposit]") {
    for (const Expected& e : kTable) {
        INFO(status_name(e.status));
        Sim s(strict_config(), inject_once(CallId::create_vp, e.status));
        const auto id = s.active();
        CapturingBackend cap(s.backend);
        REQUIRE(create_vp(cap, s.pages, id, 0, s.self) == 0);
        // The 90-page pre-deposit, the refused call, one deposit, the call again.
        REQUIRE(cap.count(CallId::deposit_memory) == 2);
        REQUIRE(cap.count(CallId::create_vp) == 2);
        const auto& deposit = cap.last(CallId::deposit_memory);
        CHECK(deposit.control.rep_count() == e.pages);
        CHECK(deposit.at<std::uint64_t>(0) == (e.into_self ? kPartitionIdSelf : id));
        CHECK(s.hv().vp_indices(id) == std::vector<std::uint32_t>{0});
        s.check_clean();
    }
}

TEST_CASE("the same policy pays the root for create partition and map stats page", "[marshal][deposit]") {
    for (const Expected& e : kTable) {
        INFO(status_name(e.status));
        Sim s(strict_config(), inject_once(CallId::map_stats_page, e.status));
        const auto id = s.active_with_vps({0});
        CapturingBackend cap(s.backend);
        std::uint64_t pfn = 0;
        REQUIRE(map_stats_page(cap, s.pages, vp_stats(id, 0, stats_area::self), s.self, pfn) == 0);
        REQUIRE(cap.count(CallId::deposit_memory) == 1);
        const auto& deposit = cap.last(CallId::deposit_memory);
        CHECK(deposit.control.rep_count() == e.pages);
        // hv_current_partition_id for the two pool statuses, SELF for the root ones.
        CHECK(deposit.at<std::uint64_t>(0) == (e.into_self ? kPartitionIdSelf : s.self));
    }
}

TEST_CASE("map GPA pages deposits a fixed 256 pages into the child for every needs-memory status",
          "[marshal][deposit]") {
    for (const Expected& e : kTable) {
        INFO(status_name(e.status));
        Sim s(strict_config(), inject_once(CallId::map_gpa_pages, e.status));
        const auto id = s.active();
        CapturingBackend cap(s.backend);
        const auto pfns = s.ram(16);
        const auto p = map_gpa_pages(cap, s.pages, id, 0x100, 16, map_flags::readable | map_flags::writable, pfns);
        REQUIRE(p.error == 0);
        CHECK(p.done == 16);
        REQUIRE(cap.count(CallId::deposit_memory) == 1);
        const auto& deposit = cap.last(CallId::deposit_memory);
        CHECK(deposit.control.rep_count() == kMapGpaDepositPages);
        CHECK(deposit.at<std::uint64_t>(0) == id);
        s.check_clean();
    }
}

TEST_CASE("a status outside the family is not retried and keeps its errno", "[marshal][deposit]") {
    Sim s(strict_config(), inject_once(CallId::create_vp, Status::OPERATION_FAILED));
    const auto id = s.active();
    CapturingBackend cap(s.backend);
    CHECK(create_vp(cap, s.pages, id, 0, s.self) == -EIO);
    CHECK(cap.count(CallId::create_vp) == 1);
    CHECK(cap.count(CallId::deposit_memory) == 1);  // the pre-deposit only
    // And the policy itself: nothing to deposit for a status outside the four.
    CHECK_FALSE(deposit_plan(Status::OPERATION_FAILED).has_value());
    CHECK(deposit_for_status(s.backend, s.pages, id, Status::INVALID_PARAMETER) == -ENOMEM);
    for (const Expected& e : kTable) CHECK(needs_memory(e.status));
    CHECK_FALSE(needs_memory(Status::NO_RESOURCES));
}
