// hvcall's struct layouts and the model's byte offsets are two readings of the spec: marshal
// distinctive values with hvcall, let the model decode them, and check what the model saw.
#include <catch2/catch_test_macros.hpp>

#include <cstring>

#include "fixture.hpp"

using namespace hvcall;
using namespace hvcall::test;

TEST_CASE("create_partition: flags and isolation land where the model reads them", "[agreement]") {
    Sim s;
    CreatePartitionArgs args;
    args.flags = creation_flags::always | creation_flags::lapic_enabled | creation_flags::x2apic_capable;
    args.isolation_properties = isolation::type_snp | (std::uint64_t{0x1234} << 12);  // SNP, shared GPA boundary
    args.creation_properties.disabled_processor_features[0] = 0x8000070000000000ull & ~(1ull << 63);
    args.creation_properties.disabled_processor_features[1] = 0x3FFFFF;
    args.creation_properties.disabled_processor_xsave_features = 0x3FFFFFFFFFull;
    std::uint64_t id = 0;
    REQUIRE(create_partition(s.backend, s.pages, args, s.self, id) == 0);
    const auto info = s.hv().partition(id);
    CHECK(info->creation_flags == args.flags);
    CHECK(info->isolation == args.isolation_properties);
    CHECK(info->disabled_features ==
          std::array<std::uint64_t, 3>{args.creation_properties.disabled_processor_features[0],
                                       args.creation_properties.disabled_processor_features[1],
                                       args.creation_properties.disabled_processor_xsave_features});
    s.check_clean();  // every reserved bank bit clear where the model looks
}

TEST_CASE("property input: id, code and value at the model's offsets", "[agreement]") {
    Sim s;
    const auto id = s.create();
    REQUIRE(set_partition_property(s.backend, id, property::synthetic_proc_features, 0x1FF) == 0);
    CHECK(s.hv().partition_property(id, property::synthetic_proc_features) == 0x1FFu);
    s.check_clean();
}

TEST_CASE("map/unmap: partition, GFN base, flags and each PFN as the model decoded them", "[agreement]") {
    Sim s;
    const auto id = s.active();
    const std::uint32_t flags = map_flags::readable | map_flags::user_executable | map_flags::adjustable;
    const auto pfns = s.ram(3);
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0x123456, 3, flags, pfns).ok());
    for (std::uint64_t i = 0; i < 3; ++i)
        CHECK(s.hv().gpa_mapping(id, 0x123456 + i) == hvsim::GpaMapping{pfns[i], flags, hvsim::GpaKind::ram, false});
    REQUIRE(unmap_gpa_pages(s.backend, id, 0x123457, 1, 0).ok());
    CHECK_FALSE(s.hv().gpa_mapping(id, 0x123457));
    CHECK(s.hv().gpa_mapping(id, 0x123458));
    s.check_clean();
}

TEST_CASE("access states: flags and base GFN as the model decoded them", "[agreement]") {
    Sim s;
    const auto id = s.active();
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0x777, 4, map_flags::readable, s.ram(4)).ok());
    std::vector<std::uint8_t> states(2);
    REQUIRE(get_gpa_pages_access_states(s.backend, id, 0x778, 2, access_flags::set_dirty, states).ok());
    CHECK(s.hv().page_access_state(id, 0x777) == 0);
    CHECK(s.hv().page_access_state(id, 0x778) == hvsim::kPageDirty);
    CHECK(s.hv().page_access_state(id, 0x779) == hvsim::kPageDirty);
    CHECK(s.hv().page_access_state(id, 0x77A) == 0);
    s.check_clean();
}

TEST_CASE("host access: access bits, flags and partition id as the model decoded them", "[agreement]") {
    Sim s;
    const auto id = s.active();
    const auto pfns = s.ram(2);
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0, 2, map_flags::readable, pfns).ok());
    REQUIRE(
        release_sparse_spa_page_host_access(s.backend, id, pfns, 2, host_access::readable, host_access::make_exclusive)
            .ok());
    CHECK(s.hv().host_access(pfns[1]) == hvsim::HostAccess{host_access::readable, id});
    s.check_clean();
}

TEST_CASE("deposit and withdraw: the model pools exactly the PFNs sent and returns them", "[agreement]") {
    Sim s;
    const auto id = s.create();
    REQUIRE(deposit_memory(s.backend, s.pages, id, 3) == 0);
    const auto info = s.hv().partition(id);
    CHECK(info->pool_pages == 3);
    const auto before = s.pages.returned();
    REQUIRE(withdraw_memory(s.backend, s.pages, id, 3).ok());
    CHECK(s.pages.returned() - before == 3);
    for (auto pfn : s.pages.released()) CHECK(s.hv().pfn_state(pfn).owner == hvsim::PfnOwner::free);
    s.check_clean();
}

TEST_CASE("every header hvcall writes is its struct's size, and the catalogue agrees", "[agreement]") {
    CHECK(sizeof(InputCreatePartition) == info(CallId::create_partition).input_header_size);
    CHECK(sizeof(InputGetPartitionProperty) == info(CallId::get_partition_property).input_header_size);
    CHECK(sizeof(InputSetPartitionProperty) == info(CallId::set_partition_property).input_header_size);
    CHECK(sizeof(InputDepositMemory) == info(CallId::deposit_memory).input_header_size);
    CHECK(sizeof(InputWithdrawMemory) == info(CallId::withdraw_memory).input_header_size);
    CHECK(sizeof(InputMapGpaPages) == info(CallId::map_gpa_pages).input_header_size);
    CHECK(sizeof(InputUnmapGpaPages) == info(CallId::unmap_gpa_pages).input_header_size);
    CHECK(sizeof(InputGetGpaPagesAccessStates) == info(CallId::get_gpa_pages_access_states).input_header_size);
    CHECK(sizeof(InputModifySparseSpaPageHostAccess) ==
          info(CallId::acquire_sparse_spa_page_host_access).input_header_size);
    CHECK(sizeof(InputModifySparseSpaPageHostAccess) ==
          info(CallId::release_sparse_spa_page_host_access).input_header_size);
    CHECK(sizeof(OutputCreatePartition) == info(CallId::create_partition).output_size);
}
