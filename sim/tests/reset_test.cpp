#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <vector>

#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvsim/host_pages.hpp"
#include "state/state.hpp"
#include "test_machine.hpp"

using namespace hvsim;
using namespace hvsim::test;

namespace {

// A partition with a mapped page, then a rejected call and a raw write: state of every kind a
// reset must forget. Returns the errno of each step and the final digest.
std::vector<std::string> workload(Machine& m) {
    SimBackend b(m);
    HostPageSource pages(m);
    std::vector<std::string> seen;
    std::uint64_t self = 0, id = 0;
    seen.push_back(std::to_string(hvcall::get_partition_id(b, self)));
    seen.push_back(std::to_string(hvcall::create_partition(b, pages, {}, self, id)));
    seen.push_back(std::to_string(hvcall::initialize_partition(b, pages, id)));
    const std::vector<std::uint64_t> pfn = {0x1000, 0x1001, 0x1002, 0x1003};
    const std::uint32_t rw = hvcall::map_flags::readable | hvcall::map_flags::writable;
    seen.push_back(std::to_string(hvcall::map_gpa_pages(b, pages, id, 0x10, 4, rw, pfn).error));
    seen.push_back(std::to_string(m.call(0, word(0xFFFF), kScratch, kScratch + hvcall::kPageSize).raw()));
    m.memory().write(kScratch, std::vector<std::byte>(8, std::byte{0x5A}));
    seen.push_back(m.hypervisor().digest());
    return seen;
}

}  // namespace

TEST_CASE("a reset machine answers as a new one and keeps its per-CPU pages", "[reset]") {
    const MachineConfig config = test_config(true);
    Machine used(config);
    const auto first = workload(used);
    const auto input_page = used.input_page(0).data();
    REQUIRE(used.last_diagnostic());
    REQUIRE(used.memory().find_page(kScratch) != nullptr);

    used.reset();
    Machine fresh(config);
    CHECK(used.hypervisor().digest() == fresh.hypervisor().digest());
    CHECK(used.hypervisor().partition_ids().empty());
    CHECK(used.calls() == 0);
    CHECK(used.allocations() == 0);
    CHECK(!used.last_diagnostic());
    CHECK(std::ranges::all_of(used.rule_hits(), [](std::uint64_t n) { return n == 0; }));
    CHECK(used.memory().find_page(kScratch) == nullptr);
    CHECK(used.memory().pages_touched() == fresh.memory().pages_touched());
    CHECK(used.input_page(0).data() == input_page);
    CHECK(std::ranges::all_of(used.output_page(0), [](std::byte b) { return b == std::byte{0}; }));

    CHECK(workload(used) == first);
    CHECK(workload(fresh) == first);
}

TEST_CASE("reset puts a new fault plan in force", "[reset]") {
    FaultPlan plan;
    plan.rep_ends.push_back({FaultPlan::kAnyCall, 1});
    Machine m(test_config());
    (void)workload(m);
    m.reset(plan);
    Machine planned(test_config(), plan), unplanned(test_config());
    CHECK(workload(m) == workload(planned));
    (void)workload(unplanned);
    CHECK(m.calls() == planned.calls());
    CHECK(m.calls() > unplanned.calls());  // the plan cut the map short; hvcall resumed it
}

TEST_CASE("a reset hypervisor forgets pools, replaced handlers and used ids", "[reset]") {
    Machine used(test_config()), fresh(test_config());
    (void)workload(used);
    used.hypervisor().set_handler(hvcall::CallId::get_partition_id, Handler{});
    const std::uint64_t root = used.hypervisor().root_partition_id();
    REQUIRE(used.hypervisor().partition(root)->pool_pages != 0);

    used.reset();
    CHECK(used.hypervisor().implements(hvcall::CallId::get_partition_id));
    CHECK(used.hypervisor().partition(root)->pool_pages == fresh.hypervisor().partition(root)->pool_pages);
    CHECK(used.hypervisor().partition(root)->pool_used == fresh.hypervisor().partition(root)->pool_used);
    CHECK(used.hypervisor().check_invariants().empty());
    CHECK(workload(used) == workload(fresh));  // the partition ids in the digests match too
}

TEST_CASE("check_invariants sees every change made after its last answer", "[invariants]") {
    Machine m(test_config());
    (void)workload(m);
    REQUIRE(m.hypervisor().check_invariants().empty());
    m.hypervisor().state().root().fixed_used += 1u << 30;  // more than any pool holds
    CHECK(m.hypervisor().check_invariants().find("uses more pool pages") != std::string::npos);
    m.hypervisor().state().root().fixed_used -= 1u << 30;
    CHECK(m.hypervisor().check_invariants().empty());

    // A handler's change counts too: a stub that forgets the root's pool during a call.
    m.hypervisor().set_handler(hvcall::CallId::get_partition_id, {.simple = [](CallContext& ctx) -> Outcome {
                                   ctx.state().root().pool.clear();
                                   return Outcome::ok();
                               }});
    std::uint64_t self = 0;
    SimBackend b(m);
    REQUIRE(hvcall::get_partition_id(b, self) == 0);
    CHECK(!m.hypervisor().check_invariants().empty());
    m.reset();
    CHECK(m.hypervisor().check_invariants().empty());
}
