// The deposit-and-retry oracle for the interrupt, intercept, port and stats calls: with
// INSUFFICIENT_MEMORY injected at any allocation, and with time-slice ends cutting the rep
// calls around them, hvcall reaches the same final model state as without faults.
#include <catch2/catch_test_macros.hpp>

#include <array>

#include "fixture.hpp"
#include "hvcall/calls/intercept.hpp"
#include "hvcall/calls/interrupt.hpp"
#include "hvcall/calls/port.hpp"
#include "hvcall/calls/stats.hpp"
#include "hvcall/calls/vp.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

struct Outcome {
    std::string digest;
    std::uint64_t allocations = 0;
    std::string broken;
};

// Every call of this family, plus register batches on either side of them.
Outcome run_workload(hvsim::FaultPlan plan) {
    auto config = strict_config();
    config.costs.port = 3;
    Sim s(config, std::move(plan));
    const auto id = s.active_with_vps({0, 1});
    std::vector<RegisterAssoc> assocs(200);
    for (std::uint32_t i = 0; i < assocs.size(); ++i) assocs[i] = {i % 2 ? reg::rbx : reg::rax, 0, 0, {i, 0}};
    REQUIRE(set_vp_registers(s.backend, id, 1, assocs).ok());

    REQUIRE(create_port(s.backend, s.pages, s.self, 1, id, doorbell_port(5, kAnyVp)) == 0);
    REQUIRE(connect_port(s.backend, s.pages, id, 1, s.self, 1, doorbell_connection(0x1000, 0, 0)) == 0);
    REQUIRE(create_port(s.backend, s.pages, id, 2, s.self, event_port(3, 1, 0, 64)) == 0);
    REQUIRE(connect_port(s.backend, s.pages, s.self, 2, id, 2, connection_to(port_type::event)) == 0);
    REQUIRE(disconnect_port(s.backend, id, 1) == 0);
    REQUIRE(notify_port_ring_empty(s.backend, 5) == 0);
    bool newly = false;
    REQUIRE(signal_event_direct(s.backend, id, 1, 3, 9, newly) == 0);
    const std::array<std::byte, 4> payload{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    REQUIRE(post_message_direct(s.backend, id, 0, 2, 0x80000001, payload) == 0);

    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x50, 1,
                                     {interrupt_type::fixed, interrupt_flags::level_triggered}) == 0);
    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x51, 0, {interrupt_type::fixed, 0}) == 0);
    REQUIRE(clear_virtual_interrupt(s.backend, id) == 0);
    REQUIRE(install_intercept(s.backend, id, intercept_access::read, intercept_type::x64_cpuid, 0x1) == 0);
    CpuidInterceptResult cpuid{};
    cpuid.eax = 0x1;
    cpuid.result_ecx = 0x1;
    cpuid.ecx_mask = 0x1;
    REQUIRE(register_cpuid_intercept_result(s.backend, id, 1, cpuid) == 0);

    std::uint64_t pfn = 0;
    REQUIRE(map_stats_page(s.backend, s.pages, vp_stats(id, 1, stats_area::self), s.self, pfn) == 0);
    REQUIRE(map_stats_page(s.backend, s.pages, partition_stats(id, stats_area::parent), s.self, pfn) == 0);
    REQUIRE(unmap_stats_page(s.backend, partition_stats(id, stats_area::parent)) == 0);

    std::vector<std::uint32_t> names(300, reg::rbx);
    std::vector<RegisterValue> values(300);
    REQUIRE(get_vp_registers(s.backend, id, 1, names, values).ok());
    CHECK(values.back() == RegisterValue{199, 0});
    s.check_clean();
    return {s.hv().digest() + (newly ? "newly signaled" : "already signaled"), s.machine.allocations(),
            s.backend.first_broken};
}

}  // namespace

TEST_CASE("ports, interrupts, intercepts and stats: same final state with any allocation failing",
          "[property][allocation][port]") {
    const Outcome base = run_workload({});
    REQUIRE(base.broken == "");
    REQUIRE(base.allocations > 0);
    for (const char* part :
         {"port ", "connection ", "stats ", "intercept ", "message sint 2", "events sint 3", "pending"})
        CHECK(base.digest.find(part) != std::string::npos);
    for (std::uint64_t n = 0; n < base.allocations; ++n) {
        INFO("allocation " << n << " of " << base.allocations << " fails");
        hvsim::FaultPlan plan;
        plan.failing_allocations = {n};
        const Outcome o = run_workload(plan);
        CHECK(o.broken == "");
        CHECK(o.digest == base.digest);
    }
}

TEST_CASE("ports, interrupts, intercepts and stats: same final state under time-slice ends",
          "[property][schedule][port]") {
    const Outcome base = run_workload({});
    for (std::uint32_t k : {1u, 3u, 64u}) {
        INFO("time-slice end after every " << k << " elements, every other allocation failing");
        hvsim::FaultPlan plan;
        plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, k});
        for (std::uint64_t n = 0; n < 2 * base.allocations; n += 2) plan.failing_allocations.push_back(n);
        const Outcome o = run_workload(plan);
        CHECK(o.broken == "");
        CHECK(o.digest == base.digest);
    }
}
