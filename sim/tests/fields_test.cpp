// The model's field table (fields.def) against the marshalling library's ABI structs, which
// were transcribed on their own from the same headers: two copies that must agree, and every
// field inside its block as the catalogue sizes it.
#include <catch2/catch_test_macros.hpp>

#include <cstddef>
#include <set>
#include <string>

#include "hvcall/types/memory.hpp"
#include "hvcall/types/partition.hpp"
#include "hvcall/types/system.hpp"
#include "hvsim/fields.hpp"

namespace f = hvsim::fields;

TEST_CASE("every field of the table lies inside its block", "[fields]") {
    REQUIRE(f::blocks().size() > 20);
    std::set<std::string> seen;
    for (const auto& b : f::blocks()) {
        const std::string key = std::string(b.linux_struct) + "/" + std::string(f::role_name(b.role));
        INFO(key);
        CHECK(seen.insert(key).second);  // one row per struct and role
        CHECK(b.catalogue_size() > 0);
        for (const auto& field : b.fields) {
            INFO(std::string(field.path));
            CHECK(field.size > 0);
            CHECK(field.offset + field.size <= b.catalogue_size());
        }
    }
}

TEST_CASE("the table agrees with hvcall's ABI structs", "[fields]") {
    CHECK(f::map_gpa_pages_in::target_gpa_base.offset == offsetof(hvcall::InputMapGpaPages, target_gpa_base));
    CHECK(f::map_gpa_pages_in::map_flags.offset == offsetof(hvcall::InputMapGpaPages, map_flags));
    CHECK(f::map_gpa_pages_in::padding.offset == offsetof(hvcall::InputMapGpaPages, padding));
    CHECK(f::unmap_gpa_pages_in::unmap_flags.offset == offsetof(hvcall::InputUnmapGpaPages, unmap_flags));
    CHECK(f::get_gpa_pages_access_states_in::hv_gpa_page_number.offset ==
          offsetof(hvcall::InputGetGpaPagesAccessStates, gpa_page_number));
    CHECK(f::withdraw_memory_in::proximity_flags.offset ==
          offsetof(hvcall::InputWithdrawMemory, proximity_domain_info) + offsetof(hvcall::ProximityDomainInfo, flags));
    CHECK(f::create_partition_in::padding.offset == offsetof(hvcall::InputCreatePartition, padding));
    CHECK(f::create_partition_in::isolation_properties.offset ==
          offsetof(hvcall::InputCreatePartition, isolation_properties));
    CHECK(f::add_logical_processor_in::proximity_flags.offset ==
          offsetof(hvcall::InputAddLogicalProcessor, proximity_domain_info) +
              offsetof(hvcall::ProximityDomainInfo, flags));
    CHECK(f::notify_partition_event_in::input.offset == offsetof(hvcall::InputNotifyPartitionEvent, input));
}
