#include "functions.hpp"

#include <array>

namespace hvsim::kernel {

namespace {
constexpr std::string_view kProc = "drivers/hv/hv_proc.c";
constexpr std::string_view kHvCall = "drivers/hv/mshv_root_hv_call.c";
constexpr std::string_view kCommon = "drivers/hv/mshv_common.c";

constexpr std::array kKnown = {
    KnownFunction{"hv_call_deposit_pages", kProc},
    KnownFunction{"hv_call_create_vp", kProc},
    KnownFunction{"hv_call_add_logical_proc", kProc},
    KnownFunction{"hv_call_notify_all_processors_started", kProc},
    KnownFunction{"hv_lp_exists", kProc, true},
    KnownFunction{"hv_call_create_partition", kHvCall},
    KnownFunction{"hv_call_initialize_partition", kHvCall},
    KnownFunction{"hv_call_finalize_partition", kHvCall},
    KnownFunction{"hv_call_delete_partition", kHvCall},
    KnownFunction{"hv_call_withdraw_memory", kHvCall},
    KnownFunction{"hv_call_map_gpa_pages", kHvCall},
    KnownFunction{"hv_call_map_mmio_pages", kHvCall},
    KnownFunction{"hv_call_unmap_gpa_pages", kHvCall},
    KnownFunction{"hv_call_get_gpa_access_states", kHvCall},
    KnownFunction{"hv_call_modify_spa_host_access", kHvCall},
    KnownFunction{"hv_call_delete_vp", kHvCall},
    KnownFunction{"hv_call_get_vp_state", kHvCall},
    KnownFunction{"hv_call_set_vp_state", kHvCall},
    KnownFunction{"hv_map_vp_state_page", kHvCall},
    KnownFunction{"hv_unmap_vp_state_page", kHvCall},
    KnownFunction{"hv_call_assert_virtual_interrupt", kHvCall},
    KnownFunction{"hv_call_clear_virtual_interrupt", kHvCall},
    KnownFunction{"hv_call_create_port", kHvCall},
    KnownFunction{"hv_call_delete_port", kHvCall},
    KnownFunction{"hv_call_connect_port", kHvCall},
    KnownFunction{"hv_call_disconnect_port", kHvCall},
    KnownFunction{"hv_call_notify_port_ring_empty", kHvCall},
    KnownFunction{"hv_call_get_partition_property_ex", kHvCall},
    KnownFunction{"hv_map_stats_page", kHvCall},
    KnownFunction{"hv_unmap_stats_page", kHvCall},
    KnownFunction{"hv_call_map_stat_page", kHvCall},  // the 6.19 revision of hv_map_stats_page
    KnownFunction{"hv_call_unmap_stat_page", kHvCall},
    KnownFunction{"hv_call_get_vp_registers", kCommon},
    KnownFunction{"hv_call_set_vp_registers", kCommon},
    KnownFunction{"hv_call_get_partition_property", kCommon},
    KnownFunction{"hv_call_set_partition_property", kCommon},
};
}  // namespace

std::span<const KnownFunction> known_functions() noexcept { return kKnown; }

bool bugs_on_failure(std::string_view function) noexcept {
    for (const auto& f : kKnown)
        if (f.name == function) return f.bugs_on_failure;
    return false;
}

std::vector<std::string> known_function_names() {
    std::vector<std::string> names;
    for (const auto& f : kKnown) names.emplace_back(f.name);
    return names;
}

}  // namespace hvsim::kernel
