// The id table (conformance/traces/src/ids.cpp) against hvcall's structs: every offset it
// names is where hvcall's layout puts that call's partition, port or connection id.
#include <catch2/catch_test_macros.hpp>

#include <cstddef>
#include <cstring>
#include <vector>

#include "hvcall/types/intercept.hpp"
#include "hvcall/types/interrupt.hpp"
#include "hvcall/types/memory.hpp"
#include "hvcall/types/partition.hpp"
#include "hvcall/types/port.hpp"
#include "hvcall/types/stats.hpp"
#include "hvcall/types/vp.hpp"
#include "hvsim/traces/ids.hpp"

using namespace hvsim::traces;
using hvcall::CallId;

namespace {

constexpr auto P = IdKind::partition;

struct FromStruct {
    CallId call;
    std::vector<IdField> fields;  // from offsetof on hvcall's input struct
};

std::vector<std::byte> zeros(CallId id) { return std::vector<std::byte>(hvcall::info(id).input_header_size); }

}  // namespace

TEST_CASE("id offsets are hvcall's struct offsets", "[ids]") {
    using namespace hvcall;
    const FromStruct table[] = {
        {CallId::get_partition_property, {{offsetof(InputGetPartitionProperty, partition_id), P}}},
        {CallId::set_partition_property, {{offsetof(InputSetPartitionProperty, partition_id), P}}},
        {CallId::get_partition_property_ex, {{offsetof(InputGetPartitionPropertyEx, partition_id), P}}},
        {CallId::deposit_memory, {{offsetof(InputDepositMemory, partition_id), P}}},
        {CallId::withdraw_memory, {{offsetof(InputWithdrawMemory, partition_id), P}}},
        {CallId::map_gpa_pages, {{offsetof(InputMapGpaPages, target_partition_id), P}}},
        {CallId::unmap_gpa_pages, {{offsetof(InputUnmapGpaPages, target_partition_id), P}}},
        {CallId::get_gpa_pages_access_states, {{offsetof(InputGetGpaPagesAccessStates, partition_id), P}}},
        {CallId::acquire_sparse_spa_page_host_access,
         {{offsetof(InputModifySparseSpaPageHostAccess, partition_id), P}}},
        {CallId::release_sparse_spa_page_host_access,
         {{offsetof(InputModifySparseSpaPageHostAccess, partition_id), P}}},
        {CallId::install_intercept, {{offsetof(InputInstallIntercept, partition_id), P}}},
        {CallId::register_intercept_result, {{offsetof(InputRegisterInterceptResult, partition_id), P}}},
        {CallId::assert_virtual_interrupt, {{offsetof(InputAssertVirtualInterrupt, partition_id), P}}},
        {CallId::clear_virtual_interrupt, {{offsetof(InputClearVirtualInterrupt, partition_id), P}}},
        {CallId::create_vp, {{offsetof(InputCreateVp, partition_id), P}}},
        {CallId::delete_vp, {{offsetof(InputDeleteVp, partition_id), P}}},
        {CallId::get_vp_registers, {{offsetof(InputVpRegisters, partition_id), P}}},
        {CallId::set_vp_registers, {{offsetof(InputVpRegisters, partition_id), P}}},
        {CallId::get_vp_state, {{offsetof(InputVpState, partition_id), P}}},
        {CallId::set_vp_state, {{offsetof(InputVpState, partition_id), P}}},
        {CallId::map_vp_state_page, {{offsetof(InputMapVpStatePage, partition_id), P}}},
        {CallId::unmap_vp_state_page, {{offsetof(InputUnmapVpStatePage, partition_id), P}}},
        {CallId::get_vp_cpuid_values, {{offsetof(InputGetVpCpuidValues, partition_id), P}}},
        {CallId::translate_virtual_address, {{offsetof(InputTranslateVirtualAddress, partition_id), P}}},
        {CallId::dispatch_vp, {{offsetof(InputDispatchVp, partition_id), P}}},
        {CallId::map_device_interrupt, {{offsetof(InputMapDeviceInterrupt, partition_id), P}}},
        {CallId::unmap_device_interrupt, {{offsetof(InputUnmapDeviceInterrupt, partition_id), P}}},
        {CallId::signal_event_direct, {{offsetof(InputSignalEventDirect, target_partition), P}}},
        {CallId::post_message_direct, {{offsetof(InputPostMessageDirect, partition_id), P}}},
        {CallId::create_port,
         {{offsetof(InputCreatePort, port_partition_id), P},
          {offsetof(InputCreatePort, port_id), IdKind::port},
          {offsetof(InputCreatePort, connection_partition_id), P}}},
        {CallId::delete_port,
         {{offsetof(InputDeletePort, port_partition_id), P}, {offsetof(InputDeletePort, port_id), IdKind::port}}},
        {CallId::connect_port,
         {{offsetof(InputConnectPort, connection_partition_id), P},
          {offsetof(InputConnectPort, connection_id), IdKind::connection},
          {offsetof(InputConnectPort, port_partition_id), P},
          {offsetof(InputConnectPort, port_id), IdKind::port}}},
        {CallId::disconnect_port,
         {{offsetof(InputDisconnectPort, connection_partition_id), P},
          {offsetof(InputDisconnectPort, connection_id), IdKind::connection}}},
    };
    for (const auto& row : table) {
        INFO(hvcall::info(row.call).name);
        CHECK(input_id_fields(hvcall::info(row.call), zeros(row.call)) == row.fields);
    }
}

TEST_CASE("stats pages: the identity's id is a partition id for partition and VP statistics", "[ids]") {
    using namespace hvcall;
    constexpr std::uint32_t at = offsetof(InputStatsPage, identity) + offsetof(StatsIdentity, id);
    for (const CallId call : {CallId::map_stats_page, CallId::unmap_stats_page}) {
        for (const std::uint32_t type : {stats_type::partition, stats_type::vp}) {
            InputStatsPage in{};
            in.type = type;
            std::vector<std::byte> bytes(sizeof in);
            std::memcpy(bytes.data(), &in, sizeof in);
            CHECK(input_id_fields(info(call), bytes) == std::vector<IdField>{{at, P}});
        }
        CHECK(input_id_fields(info(call), zeros(call)).empty());
    }
}

TEST_CASE("output ids: the new partition's id where hvcall's output struct has it", "[ids]") {
    CHECK(output_id_fields(hvcall::info(CallId::create_partition)) ==
          std::vector<IdField>{{offsetof(hvcall::OutputCreatePartition, partition_id), P}});
}
