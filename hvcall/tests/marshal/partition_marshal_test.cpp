// Partition lifecycle, properties, deposit and withdraw marshalled by hvcall, run on the model.
#include <catch2/catch_test_macros.hpp>

#include "fixture.hpp"

using namespace hvcall;
using namespace hvcall::test;

TEST_CASE("the whole lifecycle through hvcall, deposits and retries included", "[marshal][partition]") {
    Sim s;
    CHECK(s.self == s.machine.config().root_partition_id);
    std::uint64_t id = 0;
    // The root's pool starts empty: create answers INSUFFICIENT_MEMORY once, one page goes in.
    REQUIRE(create_partition(s.backend, s.pages, {}, s.self, id) == 0);
    CHECK(s.hv().partition(s.self)->pool_pages == 1);
    CHECK(s.hv().partition_state(id) == hvsim::PartitionState::uninitialized);
    CHECK(s.hv().partition(id)->creation_flags == creation_flags::always);

    REQUIRE(initialize_partition(s.backend, s.pages, id) == 0);
    CHECK(s.hv().partition_state(id) == hvsim::PartitionState::active);
    CHECK(s.hv().partition(id)->pool_pages == kInitializePartitionDepositPages);

    REQUIRE(finalize_partition(s.backend, id) == 0);
    CHECK(delete_partition(s.backend, id) == -EIO);  // pool not drained: OPERATION_DENIED
    const auto w = withdraw_memory(s.backend, s.pages, id, ~0ull);
    CHECK(w.ok());
    CHECK(w.done == kInitializePartitionDepositPages);
    CHECK(s.pages.returned() == kInitializePartitionDepositPages);
    REQUIRE(delete_partition(s.backend, id) == 0);
    CHECK_FALSE(s.hv().partition(id));
    CHECK(finalize_partition(s.backend, id) == -EINVAL);  // INVALID_PARTITION_ID
    s.check_clean();
}

TEST_CASE("initialize retries one page at a time past the 208-page deposit", "[marshal][partition]") {
    auto config = strict_config();
    config.costs.initialize_partition = 211;
    Sim s(config);
    const auto id = s.create();
    const auto calls = s.backend.calls;
    REQUIRE(initialize_partition(s.backend, s.pages, id) == 0);
    CHECK(s.hv().partition(id)->pool_pages == 211);
    // deposit 208, initialize, then three rounds of (deposit 1, initialize)
    CHECK(s.backend.calls - calls == 2 + 3 * 2);
    s.check_clean();
}

TEST_CASE("lifecycle errors map to errno", "[marshal][partition][errno]") {
    Sim s;
    const auto id = s.create();
    CHECK(finalize_partition(s.backend, id) == -EIO);                   // INVALID_PARTITION_STATE
    CHECK(initialize_partition(s.backend, s.pages, 0x999) == -EINVAL);  // its deposit: INVALID_PARTITION_ID
    CHECK(delete_partition(s.backend, s.self) == -EIO);                 // ACCESS_DENIED
    CreatePartitionArgs bad;
    bad.isolation_properties = 1ull << 8;  // rsvd_z
    std::uint64_t other = 0;
    const auto calls = s.backend.calls;
    CHECK(create_partition(s.backend, s.pages, bad, s.self, other) == -EINVAL);
    CHECK(s.backend.calls == calls);  // refused locally
    s.check_clean();
}

TEST_CASE("properties round-trip", "[marshal][partition][property]") {
    Sim s;
    const auto id = s.create();
    std::uint64_t v = 0;
    REQUIRE(get_partition_property(s.backend, id, property::processor_clock_frequency, v) == 0);
    CHECK(v == 2'000'000'000u);
    REQUIRE(set_partition_property(s.backend, id, property::gpa_page_access_tracking, 1) == 0);
    REQUIRE(get_partition_property(s.backend, id, property::gpa_page_access_tracking, v) == 0);
    CHECK(v == 1);
    CHECK(set_partition_property(s.backend, id, property::gpa_page_access_tracking, 2) == -EIO);
    CHECK(get_partition_property(s.backend, id, 0x4242, v) == -EIO);  // UNKNOWN_PROPERTY
    REQUIRE(get_partition_property(s.backend, kPartitionIdSelf, property::xsave_states, v) == 0);
    s.check_clean();
}

TEST_CASE("deposit: local limits, and a partial failure gives back only what was not taken", "[marshal][pool]") {
    Sim s;
    const auto id = s.create();
    CHECK(deposit_memory(s.backend, s.pages, id, 0) == 0);
    CHECK(deposit_memory(s.backend, s.pages, id, kDepositMax + 1) == -E2BIG);
    CHECK(s.pages.handed_out() == 1);  // only the root's page for create
    REQUIRE(deposit_memory(s.backend, s.pages, id, kDepositMax) == 0);
    CHECK(s.hv().partition(id)->pool_pages == kDepositMax);
    s.check_clean();
}

TEST_CASE("deposit into a finalized partition fails and every page comes back", "[marshal][pool]") {
    Sim s;
    const auto id = s.active();
    REQUIRE(finalize_partition(s.backend, id) == 0);
    const auto returned = s.pages.returned();
    CHECK(deposit_memory(s.backend, s.pages, id, 5) == -EIO);  // INVALID_PARTITION_STATE
    CHECK(s.pages.returned() - returned == 5);
    s.check_clean();
}

TEST_CASE("withdraw in batches of 512, stopping at NO_RESOURCES", "[marshal][pool]") {
    Sim s;
    const auto id = s.create();
    for (int i = 0; i < 3; ++i) REQUIRE(deposit_memory(s.backend, s.pages, id, 400) == 0);
    const auto calls = s.backend.calls;
    const auto w = withdraw_memory(s.backend, s.pages, id, 1000);
    CHECK(w.ok());
    CHECK(w.done == 1000);
    CHECK(s.backend.calls - calls == 2);  // 512 + 488
    const auto rest = withdraw_memory(s.backend, s.pages, id, ~0ull);
    CHECK(rest.ok());
    CHECK(rest.done == 200);
    CHECK(s.hv().partition(id)->pool_pages == 0);
    // Every withdrawn page is free RAM again, and the source holds it.
    for (auto pfn : s.pages.released()) CHECK(s.hv().pfn_state(pfn).owner == hvsim::PfnOwner::free);
    s.check_clean();
}
