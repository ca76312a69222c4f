// The driver suite's scenarios: each calls a tree's driver functions in the order mshv_root
// does (create, initialize, use, finalize, withdraw, delete) and checks what it gets back
// against the model. Values a VMM would pass are fixed, so every run of a scenario asks the
// same of the driver; the matrix in check.cpp varies only the schedule.
#include "scenarios.hpp"

#include <array>

#include "hvsim/hypervisor.hpp"

namespace hvsim::kernel {
namespace {

constexpr int kNoNode = -1;                                    // NUMA_NO_NODE
constexpr std::uint64_t kSelf = ~0ull;                         // HV_PARTITION_ID_SELF
constexpr std::uint64_t kAll = ~0ull;                          // withdraw: everything
constexpr std::uint64_t kSuperPages = 1ull << 4;               // creation flag GPA_SUPER_PAGES_ENABLED (HDK)
constexpr std::uint32_t kReadWrite = 0x3;                      // HV_MAP_GPA_READABLE | WRITABLE
constexpr std::uint32_t kExecutable = 0xC;                     // kernel + user executable
constexpr std::uint32_t kNoAccess = 0x10000;                   // HV_MAP_GPA_NO_ACCESS
constexpr std::uint32_t kLargePage = 0x80000000;               // HV_MAP_GPA_LARGE_PAGE
constexpr std::uint32_t kUnmapLargePage = 0x2;                 // HV_UNMAP_GPA_LARGE_PAGE
constexpr std::uint64_t kGfn = 0x100000;                       // 4 GiB in the guest: 2 MiB aligned
constexpr std::uint32_t kRip = 0x00020010, kRax = 0x00020000;  // HV_X64_REGISTER_RIP / RAX
constexpr std::uint32_t kStatsPartition = 0x00010001, kStatsVp = 0x00010002;  // HV_STATS_OBJECT_*
constexpr std::uint32_t kStatsSelf = 0;
constexpr std::uint32_t kPortMessage = 1;             // HV_PORT_TYPE_MESSAGE
constexpr std::uint32_t kVpStatePageRegisters = 0;    // HV_VP_STATE_PAGE_REGISTERS
constexpr std::uint32_t kVpStateSyntheticTimers = 4;  // HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS
constexpr std::size_t kSyntheticTimersBytes = 200;    // hv_output_get_vp_state
constexpr std::uint32_t kHostAccessNone = 0, kHostAccessReadWrite = 3;
constexpr std::uint32_t kMakeExclusive = 0x1, kMakeShared = 0x2;       // HV_MODIFY_SPA_PAGE_HOST_ACCESS_*
constexpr std::uint64_t kPropertyPrivilegeFlags = 0x00010000;          // HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS
constexpr std::uint64_t kPropertyUnimplementedMsrAction = 0x00050017;  // HDKMINI

// A child partition as mshv_root makes one: create, then initialize.
std::uint64_t new_partition(Run& r, std::uint64_t flags = 0) {
    std::uint64_t id = 0;
    if (r.step("hv_call_create_partition", true, [&] { return r.api.create_partition(flags, &id); }) != 0) return 0;
    r.step("hv_call_initialize_partition", true, [&] { return r.api.initialize_partition(id); });
    return id;
}

// mshv_partition_destroy's order: finalize, withdraw everything, delete.
void destroy_partition(Run& r, std::uint64_t id) {
    if (id == 0) return;
    r.step("hv_call_finalize_partition", false, [&] { return r.api.finalize_partition(id); });
    r.step("hv_call_withdraw_memory", false, [&] { return r.api.withdraw_memory(kAll, kNoNode, id); });
    r.step("hv_call_delete_partition", false, [&] { return r.api.delete_partition(id); });
}

void partition_lifecycle(Run& r) { destroy_partition(r, new_partition(r)); }

void deposit_withdraw(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_deposit_pages", false, [&] { return r.api.deposit_pages(kNoNode, id, 1200); });
    r.step("hv_call_withdraw_memory", false, [&] { return r.api.withdraw_memory(700, kNoNode, id); });
    destroy_partition(r, id);
}

// Access states the driver returned must be the model's, for every page it says it wrote.
void check_access_states(Run& r, std::uint64_t id, std::uint64_t gfn, std::uint32_t count) {
    std::vector<std::uint8_t> states(count, 0xA5);
    int written = -1;
    const int ret = r.step("hv_call_get_gpa_access_states", false,
                           [&] { return r.api.get_gpa_access_states(id, count, gfn, 0, &written, states.data()); });
    if (ret != 0) return;
    if (written != static_cast<int>(count))
        r.find(
            "output.count", "hv_call_get_gpa_access_states",
            "returned 0 but reported " + std::to_string(written) + " of " + std::to_string(count) + " states written");
    for (int i = 0; i < written && i < static_cast<int>(count); ++i) {
        const auto want = r.machine.hypervisor().page_access_state(id, gfn + static_cast<std::uint64_t>(i));
        if (states[static_cast<std::size_t>(i)] != want) {
            r.find("output.not_from_model", "hv_call_get_gpa_access_states",
                   "state of gfn " + std::to_string(gfn + static_cast<std::uint64_t>(i)) + " is " +
                       std::to_string(states[static_cast<std::size_t>(i)]) + ", the model's is " +
                       std::to_string(want) + " (read beyond what the call wrote?)");
            return;
        }
    }
}

void map_4k(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    constexpr std::uint32_t kPages = 1100;  // three batches of HV_MAP_GPA_BATCH_SIZE (509)
    const auto pfns = r.guest_pages(kPages);
    if (r.step("hv_call_map_gpa_pages", true,
               [&] { return r.api.map_gpa_pages(id, kGfn, kPages, kReadWrite | kExecutable, pfns.data()); }) == 0) {
        r.guest_access(id, kGfn + 7, 300, true);
        check_access_states(r, id, kGfn, kPages);
        r.step("hv_call_unmap_gpa_pages", false, [&] { return r.api.unmap_gpa_pages(id, kGfn, kPages, 0); });
    }
    destroy_partition(r, id);
}

void map_2m(Run& r) {
    const std::uint64_t id = new_partition(r, kSuperPages);
    if (id == 0) return;
    constexpr std::uint64_t kPages = 2 * 512;  // two 2 MiB pages, counted in 4 KiB pages
    const auto pfns = r.guest_pages(kPages, 512);
    if (r.step("hv_call_map_gpa_pages", true,
               [&] { return r.api.map_gpa_pages(id, kGfn, kPages, kReadWrite | kLargePage, pfns.data()); }) == 0)
        r.step("hv_call_unmap_gpa_pages", false,
               [&] { return r.api.unmap_gpa_pages(id, kGfn, kPages, kUnmapLargePage); });
    destroy_partition(r, id);
}

void map_no_access(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    constexpr std::uint64_t kPages = 600;
    if (r.step("hv_call_map_gpa_pages", true,
               [&] { return r.api.map_gpa_pages(id, kGfn, kPages, kNoAccess, nullptr); }) == 0)
        r.step("hv_call_unmap_gpa_pages", false, [&] { return r.api.unmap_gpa_pages(id, kGfn, kPages, 0); });
    destroy_partition(r, id);
}

void map_mmio(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    constexpr std::uint64_t kPages = 16;
    if (r.step("hv_call_map_mmio_pages", true, [&] { return r.api.map_mmio_pages(id, kGfn, r.mmio_pfn(), kPages); }) ==
        0)
        r.step("hv_call_unmap_gpa_pages", false, [&] { return r.api.unmap_gpa_pages(id, kGfn, kPages, 0); });
    destroy_partition(r, id);
}

void vps(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    for (std::uint32_t vp = 0; vp < 2; ++vp)
        r.step("hv_call_create_vp", true, [&] { return r.api.create_vp(kNoNode, id, vp, 0); });
    r.step("hv_call_assert_virtual_interrupt", false, [&] { return r.api.assert_virtual_interrupt(id, 0x30, 0, 0); });
    r.step("hv_call_delete_vp", false, [&] { return r.api.delete_vp(id, 1); });
    destroy_partition(r, id);
}

void vp_registers(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_create_vp", true, [&] { return r.api.create_vp(kNoNode, id, 0, 0); });
    const std::array<std::uint32_t, 2> names{kRip, kRax};
    const std::array<std::uint64_t, 4> set{0xFFF0, 0, 0x1234, 0};
    if (r.step("hv_call_set_vp_registers", false,
               [&] { return r.api.set_vp_registers(0, id, 2, names.data(), set.data()); }) == 0) {
        std::array<std::uint64_t, 4> got{};
        if (r.step("hv_call_get_vp_registers", false,
                   [&] { return r.api.get_vp_registers(0, id, 2, names.data(), got.data()); }) == 0 &&
            got != set)
            r.find("output.not_from_model", "hv_call_get_vp_registers",
                   "registers read back differ from those just set (rip " + std::to_string(got[0]) + ", rax " +
                       std::to_string(got[2]) + ")");
    }
    destroy_partition(r, id);
}

void ports(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_create_vp", true, [&] { return r.api.create_vp(kNoNode, id, 0, 0); });
    constexpr std::uint32_t kPort = 5, kConnection = 7, kSint = 2;
    if (r.step("hv_call_create_port", true, [&] { return r.api.create_port(id, kPort, id, kPortMessage, kSint, 0); }) ==
        0) {
        if (r.step("hv_call_connect_port", true, [&] { return r.api.connect_port(id, kPort, id, kConnection); }) == 0)
            r.step("hv_call_disconnect_port", false, [&] { return r.api.disconnect_port(id, kConnection); });
        r.step("hv_call_delete_port", false, [&] { return r.api.delete_port(id, kPort); });
    }
    destroy_partition(r, id);
}

void stats_pages(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_create_vp", true, [&] { return r.api.create_vp(kNoNode, id, 0, 0); });
    for (const std::uint32_t type : {kStatsPartition, kStatsVp}) {
        void* addr = nullptr;
        if (r.step("hv_map_stats_page", true, [&] { return r.api.map_stats_page(type, id, 0, kStatsSelf, &addr); }) ==
            0)
            r.step("hv_unmap_stats_page", false, [&] { return r.api.unmap_stats_page(type, id, 0, kStatsSelf, addr); });
    }
    destroy_partition(r, id);
}

void properties(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    std::uint64_t value = 0;
    if (r.step("hv_call_get_partition_property", false,
               [&] { return r.api.get_partition_property(id, kPropertyPrivilegeFlags, &value); }) == 0) {
        const auto model = r.machine.hypervisor().partition_property(id, kPropertyPrivilegeFlags);
        if (model && value != *model)
            r.find("output.not_from_model", "hv_call_get_partition_property",
                   "privilege flags read as " + std::to_string(value) + ", the model's are " + std::to_string(*model));
    }
    destroy_partition(r, id);
}

void set_property(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_set_partition_property", false,
           [&] { return r.api.set_partition_property(id, kPropertyUnimplementedMsrAction, 1); });
    destroy_partition(r, id);
}

// The synthetic timers state, which fits in the hypercall pages (no PFNs): read it, write it back.
void vp_state(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_create_vp", true, [&] { return r.api.create_vp(kNoNode, id, 0, 0); });
    std::array<std::uint8_t, kSyntheticTimersBytes> state{};
    if (r.step("hv_call_get_vp_state", false,
               [&] { return r.api.get_vp_state(0, id, kVpStateSyntheticTimers, state.data(), state.size()); }) == 0)
        r.step("hv_call_set_vp_state", false, [&] {
            return r.api.set_vp_state(0, id, kVpStateSyntheticTimers, state.data(),
                                      static_cast<std::uint32_t>(state.size()));
        });
    destroy_partition(r, id);
}

void vp_state_page(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_create_vp", true, [&] { return r.api.create_vp(kNoNode, id, 0, 0); });
    std::uint64_t pfn = 0;
    if (r.step("hv_map_vp_state_page", true,
               [&] { return r.api.map_vp_state_page(id, 0, kVpStatePageRegisters, &pfn); }) == 0)
        r.step("hv_unmap_vp_state_page", false,
               [&] { return r.api.unmap_vp_state_page(id, 0, kVpStatePageRegisters, pfn); });
    destroy_partition(r, id);
}

// The root gives up, then takes back, its access to guest pages (what an isolated guest's
// memory goes through).
void spa_host_access(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    constexpr std::uint64_t kPages = 16;
    const auto pfns = r.guest_pages(kPages);
    if (r.step("hv_call_map_gpa_pages", true,
               [&] { return r.api.map_gpa_pages(id, kGfn, kPages, kReadWrite, pfns.data()); }) != 0)
        return destroy_partition(r, id);
    // Not a rollback obligation of this function: mshv_root undoes a partial change at the
    // region level (mshv_region_share/unshare).
    if (r.step("hv_call_modify_spa_host_access", false, [&] {
            return r.api.modify_spa_host_access(id, pfns.data(), kPages, kHostAccessNone, kMakeExclusive, 0);
        }) == 0)
        r.step("hv_call_modify_spa_host_access", false, [&] {
            return r.api.modify_spa_host_access(id, pfns.data(), kPages, kHostAccessReadWrite, kMakeShared, 1);
        });
    destroy_partition(r, id);
}

void add_logical_processor(Run& r) {
    const std::uint32_t lp = r.machine.config().cpus - 1;  // a processor of the machine not yet started
    r.step("hv_call_add_logical_proc", true, [&] { return r.api.add_logical_proc(kNoNode, lp, lp); });
}

// The root's boot (A-PROC, hv_smp_prepare_cpus): is LP 1 up? If not, add it, tell the
// hypervisor every LP has started; LP 1 is then up exactly when adding it succeeded.
void root_boot(Run& r) {
    const std::uint32_t lp = r.machine.config().cpus - 1;
    auto check_exists = [&](bool want) {
        int exists = -1;
        if (r.step("hv_lp_exists", false, [&] { return r.api.lp_exists(lp, &exists); }) != 0) return;
        if (exists != static_cast<int>(want))
            r.find("output.not_from_model", "hv_lp_exists",
                   "LP " + std::to_string(lp) +
                       (want ? " is up, yet reported as absent" : " is not up, yet reported as existing"));
    };
    check_exists(false);
    const int added = r.step("hv_call_add_logical_proc", true, [&] { return r.api.add_logical_proc(kNoNode, lp, lp); });
    r.step("hv_call_notify_all_processors_started", false, [&] { return r.api.notify_all_processors_started(); });
    check_exists(added == 0);
}

void port_ring_empty(Run& r) {
    r.step("hv_call_notify_port_ring_empty", false, [&] { return r.api.notify_port_ring_empty(2); });
}

void property_ex(Run& r) {
    std::array<std::uint64_t, 4> value{};
    r.step("hv_call_get_partition_property_ex", false, [&] {
        return r.api.get_partition_property_ex(kSelf, 0x00090007 /* VMM capabilities */, 0, value.data(), sizeof value);
    });
}

void clear_interrupt(Run& r) {
    const std::uint64_t id = new_partition(r);
    if (id == 0) return;
    r.step("hv_call_clear_virtual_interrupt", false, [&] { return r.api.clear_virtual_interrupt(id); });
    destroy_partition(r, id);
}

}  // namespace

std::optional<std::string> name_in_tree(const std::string& requirement, const Tree& tree) {
    std::size_t start = 0;
    for (;;) {
        const std::size_t bar = requirement.find('|', start);
        const std::string name = requirement.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        if (tree.functions.contains(name)) return name;
        if (bar == std::string::npos) return std::nullopt;
        start = bar + 1;
    }
}

std::vector<Scenario> scenarios() {
    return {
        {"partition",
         {"hv_call_create_partition", "hv_call_initialize_partition", "hv_call_finalize_partition",
          "hv_call_withdraw_memory", "hv_call_delete_partition"},
         partition_lifecycle},
        {"deposit_withdraw", {"hv_call_deposit_pages", "hv_call_withdraw_memory"}, deposit_withdraw},
        {"map_4k", {"hv_call_map_gpa_pages", "hv_call_get_gpa_access_states", "hv_call_unmap_gpa_pages"}, map_4k},
        {"map_2m", {"hv_call_map_gpa_pages", "hv_call_unmap_gpa_pages"}, map_2m},
        {"map_no_access", {"hv_call_map_gpa_pages", "hv_call_unmap_gpa_pages"}, map_no_access},
        {"map_mmio", {"hv_call_map_mmio_pages", "hv_call_unmap_gpa_pages"}, map_mmio},
        {"vps", {"hv_call_create_vp", "hv_call_assert_virtual_interrupt", "hv_call_delete_vp"}, vps},
        {"vp_registers", {"hv_call_create_vp", "hv_call_set_vp_registers", "hv_call_get_vp_registers"}, vp_registers},
        {"ports",
         {"hv_call_create_vp", "hv_call_create_port", "hv_call_connect_port", "hv_call_disconnect_port",
          "hv_call_delete_port"},
         ports},
        {"stats_pages",
         {"hv_call_create_vp", "hv_map_stats_page|hv_call_map_stat_page",
          "hv_unmap_stats_page|hv_call_unmap_stat_page"},
         stats_pages},
        {"properties", {"hv_call_get_partition_property"}, properties},
        {"set_property", {"hv_call_set_partition_property"}, set_property},
        {"vp_state", {"hv_call_create_vp", "hv_call_get_vp_state", "hv_call_set_vp_state"}, vp_state},
        {"property_ex", {"hv_call_get_partition_property_ex"}, property_ex},
        {"vp_state_page", {"hv_call_create_vp", "hv_map_vp_state_page", "hv_unmap_vp_state_page"}, vp_state_page},
        {"spa_host_access", {"hv_call_map_gpa_pages", "hv_call_modify_spa_host_access"}, spa_host_access},
        {"add_logical_processor", {"hv_call_add_logical_proc"}, add_logical_processor},
        {"root_boot", {"hv_lp_exists", "hv_call_add_logical_proc", "hv_call_notify_all_processors_started"}, root_boot},
        {"port_ring_empty", {"hv_call_notify_port_ring_empty"}, port_ring_empty},
        {"clear_interrupt", {"hv_call_clear_virtual_interrupt"}, clear_interrupt},
    };
}

}  // namespace hvsim::kernel
