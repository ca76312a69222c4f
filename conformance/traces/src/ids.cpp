// The id table: offsets from the hv_input_* layouts (HDK, HDKMINI, HDK-2B, HDK-3B); ids_test.cpp
// checks each against hvcall's structs.
#include "hvsim/traces/ids.hpp"

#include <cstring>

#include "hvcall/types/stats.hpp"

namespace hvsim::traces {

namespace {

using hvcall::CallId;

std::uint32_t u32_at(std::span<const std::byte> in, std::size_t off) {
    std::uint32_t v = 0;
    if (off + 4 <= in.size()) std::memcpy(&v, in.data() + off, 4);
    return v;
}

}  // namespace

std::vector<IdField> input_id_fields(const hvcall::CallInfo& call, std::span<const std::byte> input) {
    constexpr auto P = IdKind::partition;
    switch (call.id) {
        // Calls whose input starts with the target partition's id (the MSHV_ROOT_HVCALL rule).
        case CallId::initialize_partition:
        case CallId::finalize_partition:
        case CallId::delete_partition:
        case CallId::get_partition_property:
        case CallId::set_partition_property:
        case CallId::get_partition_property_ex:
        case CallId::deposit_memory:
        case CallId::withdraw_memory:
        case CallId::map_gpa_pages:
        case CallId::unmap_gpa_pages:
        case CallId::get_gpa_pages_access_states:
        case CallId::modify_sparse_gpa_page_host_visibility:
        case CallId::install_intercept:
        case CallId::create_vp:
        case CallId::delete_vp:
        case CallId::get_vp_registers:
        case CallId::set_vp_registers:
        case CallId::translate_virtual_address:
        case CallId::read_gpa:
        case CallId::write_gpa:
        case CallId::clear_virtual_interrupt:
        case CallId::register_intercept_result:
        case CallId::assert_virtual_interrupt:
        case CallId::signal_event_direct:
        case CallId::post_message_direct:
        case CallId::dispatch_vp:
        case CallId::map_vp_state_page:
        case CallId::unmap_vp_state_page:
        case CallId::get_vp_state:
        case CallId::set_vp_state:
        case CallId::get_vp_cpuid_values:
        case CallId::get_vp_index_from_apic_id:
        case CallId::map_device_interrupt:
        case CallId::unmap_device_interrupt:
            return {{0, P}};
        // host access flags first, then the partition (only meaningful with make_exclusive)
        case CallId::acquire_sparse_spa_page_host_access:
        case CallId::release_sparse_spa_page_host_access:
            return {{8, P}};
        case CallId::map_stats_page:
        case CallId::unmap_stats_page: {
            const std::uint32_t type = u32_at(input, 0);
            if (type == hvcall::stats_type::partition || type == hvcall::stats_type::vp) return {{8, P}};
            return {};
        }
        case CallId::create_port:
            return {{0, P}, {8, IdKind::port}, {16, P}};
        case CallId::delete_port:
            return {{0, P}, {8, IdKind::port}};
        case CallId::connect_port:
            return {{0, P}, {8, IdKind::connection}, {16, P}, {24, IdKind::port}};
        case CallId::disconnect_port:
            return {{0, P}, {8, IdKind::connection}};
        // the root's own connection (TLFS HvCallPostMessage / HvCallSignalEvent)
        case CallId::post_message:
        case CallId::signal_event:
            return {{0, IdKind::connection}};
        default:
            return {};
    }
}

std::vector<IdField> output_id_fields(const hvcall::CallInfo& call) {
    switch (call.id) {
        case CallId::create_partition:  // hv_output_create_partition
        case CallId::get_partition_id:
            return {{0, IdKind::partition}};
        default:
            return {};
    }
}

}  // namespace hvsim::traces
