// The fuzzers' main oracle, as a property: a correct caller reaches the same final model state
// under every fault schedule — time-slice ends after every k elements, seeded random ends, the
// hypervisor restarting reps itself, and INSUFFICIENT_MEMORY injected at each allocation — as
// without faults. The workload drives every rep call of this family through hvcall.
#include <catch2/catch_test_macros.hpp>

#include "fixture.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

constexpr std::uint32_t kRW = map_flags::readable | map_flags::writable;

struct Outcome {
    std::string digest;
    std::uint64_t allocations = 0;
    std::string broken;
};

// Every rep call: deposit, withdraw, map (4 KiB, 2 MiB, MMIO), unmap, access states, release
// and acquire host access; plus the lifecycle around them.
Outcome run_workload(hvsim::MachineConfig config, hvsim::FaultPlan plan) {
    Sim s(std::move(config), std::move(plan));
    const auto keep = s.active();
    const auto gone = s.active();

    const auto pfns = s.ram(1300);
    REQUIRE(map_gpa_pages(s.backend, s.pages, keep, 0x100, 1300, kRW, pfns).ok());
    const auto heads = s.large_heads(3);
    REQUIRE(map_gpa_pages(s.backend, s.pages, keep, 0x10000, 3 * 512, kRW | map_flags::large_page, heads).ok());
    REQUIRE(map_mmio_pages(s.backend, s.pages, keep, 0x80000, s.machine.config().mmio_ranges()[0].first, 40).ok());
    REQUIRE(set_partition_property(s.backend, keep, property::gpa_page_access_tracking, 1) == 0);

    s.hv().guest_access(keep, 0x100, 700, /*write=*/true);
    s.hv().guest_access(keep, 0x10000, 600, false);
    std::vector<std::uint8_t> states(1400);
    REQUIRE(get_gpa_pages_access_states(s.backend, keep, 0xC0, 1400, access_flags::clear_dirty, states).ok());
    std::vector<std::uint8_t> large_states(600);
    REQUIRE(get_gpa_pages_access_states(s.backend, keep, 0x10000, 600, access_flags::set_dirty, large_states).ok());

    REQUIRE(release_sparse_spa_page_host_access(s.backend, keep, std::span(pfns).subspan(100, 600), 600, 0,
                                                host_access::make_exclusive)
                .ok());
    REQUIRE(acquire_sparse_spa_page_host_access(s.backend, keep, std::span(pfns).subspan(150, 20), 20,
                                                host_access::readable | host_access::writable, host_access::make_shared)
                .ok());
    REQUIRE(unmap_gpa_pages(s.backend, keep, 0x300, 530, 0).ok());
    REQUIRE(unmap_gpa_pages(s.backend, keep, 0x10200, 512, kUnmapLargePage).ok());

    REQUIRE(map_gpa_pages(s.backend, s.pages, gone, 0, 600, kRW, s.ram(600)).ok());
    REQUIRE(finalize_partition(s.backend, gone) == 0);
    REQUIRE(withdraw_memory(s.backend, s.pages, gone, ~0ull).ok());
    REQUIRE(delete_partition(s.backend, gone) == 0);

    // The digest leaves pool sizes out (retries deposit more); states the caller saw are in.
    std::string seen;
    for (auto b : states) seen += static_cast<char>('0' + b);
    for (auto b : large_states) seen += static_cast<char>('0' + b);
    return {s.hv().digest() + seen, s.machine.allocations(), s.backend.first_broken};
}

}  // namespace

TEST_CASE("same final state for every time-slice schedule", "[property][schedule]") {
    const Outcome base = run_workload(strict_config(), {});
    REQUIRE(base.broken == "");
    REQUIRE(base.allocations > 0);
    // The digest covers what the workload built: mappings, access bits, host access.
    for (const char* part : {" gpa ", " bits ", "host ", " mapped to ", "property "})
        CHECK(base.digest.find(part) != std::string::npos);
    for (std::uint32_t k : {1u, 2u, 3u, 5u, 8u, 64u, 255u, 508u}) {
        INFO("time-slice end after every " << k << " elements");
        hvsim::FaultPlan plan;
        plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, k});
        const Outcome o = run_workload(strict_config(), plan);
        CHECK(o.broken == "");
        CHECK(o.digest == base.digest);
    }
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        INFO("seeded early ends, seed " << seed);
        hvsim::FaultPlan plan;
        plan.seed = seed;
        plan.early_end_per_mille = 20;
        const Outcome o = run_workload(strict_config(), plan);
        CHECK(o.broken == "");
        CHECK(o.digest == base.digest);
    }
    auto restarting = strict_config();
    restarting.hypervisor_restarts_reps = true;
    hvsim::FaultPlan every;
    every.early_end_per_mille = 1000;
    CHECK(run_workload(restarting, every).digest == base.digest);
}

TEST_CASE("same final state with INSUFFICIENT_MEMORY injected at each allocation", "[property][allocation]") {
    const Outcome base = run_workload(strict_config(), {});
    for (std::uint64_t n = 0; n < base.allocations; ++n) {
        INFO("allocation " << n << " of " << base.allocations << " fails");
        hvsim::FaultPlan plan;
        plan.failing_allocations = {n};
        const Outcome o = run_workload(strict_config(), plan);
        CHECK(o.broken == "");
        CHECK(o.digest == base.digest);
    }
    // Every other allocation failing, together with time-slice ends.
    hvsim::FaultPlan plan;
    for (std::uint64_t n = 0; n < 4 * base.allocations; n += 2) plan.failing_allocations.push_back(n);
    plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, 7});
    const Outcome o = run_workload(strict_config(), plan);
    CHECK(o.broken == "");
    CHECK(o.digest == base.digest);
}
