// Partition lifecycle, properties, deposit and withdraw through the real handlers.
#include <catch2/catch_test_macros.hpp>

#include "model_setup.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Status;

TEST_CASE("lifecycle: create, initialize, finalize, withdraw, delete", "[partition][lifecycle]") {
    Model md;
    const auto id = md.create(kSuperPages | 0x2000);
    REQUIRE(md.hv().partition_state(id) == PartitionState::uninitialized);
    CHECK(md.hv().partition(id)->creation_flags == (kSuperPages | 0x2000));
    CHECK(md.hv().partition(kSelf)->pool_used == 1);  // the root's pool paid for the partition

    SECTION("initialize needs its pool: 200 pages by default") {
        md.deposit(id, 199);
        CHECK(md.fast(CallId::initialize_partition, id).status() == Status::INSUFFICIENT_MEMORY);
        CHECK(md.rule() == RuleId::pool_exhausted);
        CHECK(md.hv().partition_state(id) == PartitionState::uninitialized);
        md.deposit(id, 1);
        CHECK(md.fast(CallId::initialize_partition, id).ok());
        CHECK(md.hv().partition(id)->pool_used == 200);
    }
    SECTION("the whole life, each transition checked") {
        md.deposit(id, 256);
        REQUIRE(md.fast(CallId::initialize_partition, id).ok());
        CHECK(md.hv().partition_state(id) == PartitionState::active);
        CHECK(md.fast(CallId::delete_partition, id).status() == Status::INVALID_PARTITION_STATE);

        REQUIRE(md.fast(CallId::finalize_partition, id).ok());
        CHECK(md.hv().partition_state(id) == PartitionState::finalized);
        CHECK(md.hv().partition(id)->pool_used == 0);  // finalization frees everything into the pool
        CHECK(md.fast(CallId::finalize_partition, id).status() == Status::INVALID_PARTITION_STATE);
        CHECK(md.fast(CallId::initialize_partition, id).status() == Status::INVALID_PARTITION_STATE);

        CHECK(md.fast(CallId::delete_partition, id).status() == Status::OPERATION_DENIED);
        auto r = md.raw(CallId::withdraw_memory, Bytes{}.at(0, id), 512);
        CHECK(r.status() == Status::NO_RESOURCES);  // 256 pages, then nothing left
        CHECK(r.reps_completed() == 256);
        CHECK(md.hv().partition(id)->pool_pages == 0);

        REQUIRE(md.fast(CallId::delete_partition, id).ok());
        CHECK_FALSE(md.hv().partition(id).has_value());
        CHECK(md.hv().partition(kSelf)->pool_used == 0);
        CHECK(md.fast(CallId::finalize_partition, id).status() == Status::INVALID_PARTITION_ID);
    }
    SECTION("an uninitialized partition can be deleted once drained") {
        md.deposit(id, 3);
        CHECK(md.fast(CallId::delete_partition, id).status() == Status::OPERATION_DENIED);
        CHECK(md.raw(CallId::withdraw_memory, Bytes{}.at(0, id), 3).ok());
        CHECK(md.fast(CallId::delete_partition, id).ok());
    }
    md.check();
}

TEST_CASE("partition ids are fresh and never 0, the root or SELF", "[partition]") {
    Model md;
    const auto a = md.create();
    const auto b = md.create();
    CHECK(a != b);
    for (auto id : {a, b}) {
        CHECK(id != 0);
        CHECK(id != kSelf);
        CHECK(id != md.hv().root_partition_id());
    }
    CHECK(md.hv().partition_ids() == std::vector<std::uint64_t>{a, b});
}

TEST_CASE("properties: get, set within range, read-only, SELF", "[partition][property]") {
    Model md;
    const auto id = md.create();
    auto get = [&](std::uint64_t pid, std::uint32_t code) {
        const auto r = md.raw(CallId::get_partition_property, Bytes{}.at(0, pid).at(8, code));
        return r.ok() ? std::optional<std::uint64_t>{md.out_qword()} : std::nullopt;
    };
    auto set = [&](std::uint64_t pid, std::uint32_t code, std::uint64_t value) {
        return md.raw(CallId::set_partition_property, Bytes{}.at(0, pid).at(8, code).at(16, value)).status();
    };
    CHECK(get(id, 0x00060009) == 2'000'000'000u);
    CHECK(get(id, 0x00050005) == 0u);
    CHECK(set(id, 0x00050005, 1) == Status::SUCCESS);
    CHECK(get(id, 0x00050005) == 1u);
    CHECK(md.hv().partition_property(id, 0x00050005) == 1u);
    CHECK(set(id, 0x00010001, 1ull << 12) == Status::PROPERTY_VALUE_OUT_OF_RANGE);  // a reserved feature bit
    CHECK(set(id, 0x00010001, 0x3) == Status::SUCCESS);
    CHECK(get(kSelf, 0x00060009) == 2'000'000'000u);
    CHECK(set(id, 0x00060009, 5) == Status::ACCESS_DENIED);
}

TEST_CASE("deposit: pages become the pool's; withdraw returns them zeroed, highest first", "[partition][pool]") {
    Model md;
    const auto id = md.create();
    const auto pfns = md.take_pages(4);
    md.m.memory().write(pfns[3] * hvcall::kPageSize, std::vector<std::byte>(8, std::byte{0xAB}));
    REQUIRE(md.deposit_pfns(id, pfns).ok());
    CHECK(md.hv().pfn_state(pfns[0]) == PfnState{PfnOwner::deposited, id, 0});
    CHECK(md.hv().partition(id)->pool_pages == 4);

    SECTION("a page cannot be deposited twice, even into another partition") {
        const auto other = md.create();
        const auto r = md.deposit_pfns(other, {md.take_pages(1)[0], pfns[1]});
        CHECK(r.status() == Status::OPERATION_DENIED);
        CHECK(r.reps_completed() == 1);
        CHECK(md.rule() == RuleId::deposit_memory_pfn_in_use);
        CHECK(md.hv().partition(other)->pool_pages == 1);  // the element before it stays deposited
    }
    SECTION("withdraw") {
        const auto r = md.raw(CallId::withdraw_memory, Bytes{}.at(0, id), 2);
        REQUIRE(r.ok());
        CHECK(md.out_qword(0) == pfns[3]);
        CHECK(md.out_qword(8) == pfns[2]);
        CHECK(md.hv().pfn_state(pfns[3]).owner == PfnOwner::free);
        std::array<std::byte, 8> b{};
        md.m.memory().read(pfns[3] * hvcall::kPageSize, b);
        CHECK(b[0] == std::byte{0});
    }
    md.check();
}

TEST_CASE("a contiguous deposit is one pool extent", "[partition][pool][extent]") {
    Model md;
    const auto id = md.create();
    md.deposit(id, 1500);
    CHECK(md.hv().partition(id)->pool_pages == 1500);
    CHECK(md.hv().model_bytes() < 4096);
    md.check();
}

TEST_CASE("the fault plan fails an allocation with INSUFFICIENT_MEMORY and nothing changes", "[partition][faults]") {
    FaultPlan plan;
    plan.failing_allocations = {2};  // 0: create with the root pool empty, 1: create again, 2: initialize
    Model md(false, true, plan);
    const auto id = md.create();
    md.deposit(id, 256);
    const auto before = md.hv().digest();
    CHECK(md.fast(CallId::initialize_partition, id).status() == Status::INSUFFICIENT_MEMORY);
    CHECK(md.rule() == RuleId::fault_allocation_failed);
    CHECK(md.hv().digest() == before);
    CHECK(md.fast(CallId::initialize_partition, id).ok());
}
