// The built-in workloads. Results are ignored on purpose: a rejection is recorded like a
// success, and a replay must reproduce it.
#include "hvsim/traces/workload.hpp"

#include <array>
#include <charconv>
#include <cstring>

#include "hvcall/calls/intercept.hpp"
#include "hvcall/calls/interrupt.hpp"
#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/port.hpp"
#include "hvcall/calls/vp.hpp"

namespace hvsim::traces {

namespace {

using namespace hvcall;

std::uint64_t make_partition(WorkloadEnv& e) {
    std::uint64_t id = 0;
    (void)create_partition(e.backend, e.pages, CreatePartitionArgs{}, e.root_id, id);
    (void)initialize_partition(e.backend, e.pages, id);
    return id;
}

void vp_calls(WorkloadEnv& e, std::uint64_t id, std::uint32_t vp) {
    const std::array<std::uint32_t, 4> names{reg::rax, reg::rip, reg::cr0, reg::efer};
    std::array<RegisterValue, 4> values{};
    (void)get_vp_registers(e.backend, id, vp, names, values);
    std::array<RegisterAssoc, 2> set{};
    set[0].name = reg::rax;
    set[0].value = {0x1234, 0};
    set[1].name = reg::rip;
    set[1].value = {0xFFF0, 0};
    (void)set_vp_registers(e.backend, id, vp, set);
    (void)get_vp_registers(e.backend, id, vp, names, values);
    const std::array<CpuidLeafInfo, 2> leaves{CpuidLeafInfo{0, 0, 0, 0}, CpuidLeafInfo{1, 0, 0, 0}};
    std::array<CpuidValues, 2> cpuid{};
    (void)get_vp_cpuid_values(e.backend, id, vp, 0, leaves, cpuid);
    OutputTranslateVirtualAddress tr{};
    (void)translate_virtual_address(e.backend, id, vp, translate_flags::validate_read, 0x10, tr);
}

void property_calls(WorkloadEnv& e, std::uint64_t id) {
    std::uint64_t v = 0;
    (void)get_partition_property(e.backend, id, property::privilege_flags, v);
    (void)get_partition_property(e.backend, id, property::unimplemented_msr_action, v);
    (void)set_partition_property(e.backend, id, property::unimplemented_msr_action, 1);
    (void)get_partition_property(e.backend, id, property::unimplemented_msr_action, v);
    (void)get_partition_property(e.backend, id, 0xDEAD, v);  // unknown property: rejected
}

// HvCallGetPartitionPropertyEx, issued raw (hvcall has no function for it yet): partition id,
// property code, padding, then the 8-byte argument (the catalogue's 24-byte input).
void get_partition_property_ex_raw(WorkloadEnv& e, std::uint64_t id, std::uint32_t code) {
    struct {
        std::uint64_t partition_id;
        std::uint32_t property_code;
        std::uint32_t padding;
        std::uint64_t arg;
    } in{id, code, 0, 0};
    static_assert(sizeof in == 24);
    std::memcpy(e.backend.input_page().data(), &in, sizeof in);
    (void)e.backend.hypercall(Control::simple(info(CallId::get_partition_property_ex).code));
}

// Intercepts, interrupts and SynIC delivery on VP `vp`: the rest of the passthrough allow-list.
void intercept_and_interrupt_calls(WorkloadEnv& e, std::uint64_t id, std::uint32_t vp) {
    (void)install_intercept(e.backend, id, intercept_access::read, intercept_type::x64_cpuid, 0x40000000);
    CpuidInterceptResult cpuid{};
    cpuid.eax = 0x40000000;
    cpuid.result_eax = 0x12345678;
    cpuid.eax_mask = ~0u;
    (void)register_cpuid_intercept_result(e.backend, id, vp, cpuid);
    (void)assert_virtual_interrupt(e.backend, id, 0x30, vp, InterruptControl{interrupt_type::fixed, 0});
    (void)clear_virtual_interrupt_memory(e.backend, id);
    bool newly = false;
    (void)signal_event_direct(e.backend, id, vp, 2, 5, newly);
    const std::array<std::byte, 16> payload{std::byte{0x11}, std::byte{0x22}};
    (void)post_message_direct(e.backend, id, vp, 1, 0x1234, payload);
}

void lifecycle(WorkloadEnv& e) {
    std::uint64_t root = 0;
    (void)get_partition_id(e.backend, root);
    const std::uint64_t a = make_partition(e);
    const std::uint64_t b = make_partition(e);
    property_calls(e, a);
    (void)create_vp(e.backend, e.pages, a, 0, e.root_id);
    (void)create_vp(e.backend, e.pages, a, 1, e.root_id);
    vp_calls(e, a, 0);
    vp_calls(e, a, 7);  // no such VP: rejected
    std::array<std::uint64_t, 8> pfns{};
    const std::size_t got = e.pages.allocate(pfns);
    (void)map_gpa_pages(e.backend, e.pages, a, 0x100, got, map_flags::readable | map_flags::writable,
                        std::span(pfns).first(got));
    std::array<std::uint8_t, 8> states{};
    (void)get_gpa_pages_access_states(e.backend, a, 0x100, got, access_flags::clear_accessed, states);
    (void)unmap_gpa_pages(e.backend, a, 0x100, got, 0);
    e.pages.release(std::span(pfns).first(got));
    // Raw rejections: reserved control bits, an unknown code, a bogus partition.
    (void)e.backend.hypercall(Control::from_raw(0x46 | (1ull << 27)));
    (void)e.backend.hypercall(Control::simple(0x1FF));
    std::uint64_t v = 0;
    (void)get_partition_property(e.backend, 0x7777, property::privilege_flags, v);
    (void)delete_vp(e.backend, a, 1);
    (void)finalize_partition(e.backend, b);
    (void)withdraw_memory(e.backend, e.pages, b, ~0ull);
    (void)delete_partition(e.backend, b);
    (void)delete_vp(e.backend, a, 0);
    (void)finalize_partition(e.backend, a);
    (void)withdraw_memory(e.backend, e.pages, a, ~0ull);
    (void)delete_partition(e.backend, a);
}

void passthrough(WorkloadEnv& e) {
    const std::uint64_t a = make_partition(e);
    (void)create_vp(e.backend, e.pages, a, 0, e.root_id);
    property_calls(e, a);
    vp_calls(e, a, 0);
    vp_calls(e, a, 3);  // no such VP: the rejection must come back the same way
    intercept_and_interrupt_calls(e, a, 0);
    intercept_and_interrupt_calls(e, a, 3);
    std::array<std::uint8_t, 4> states{};
    (void)get_gpa_pages_access_states(e.backend, a, 0x0, 4, access_flags::set_accessed, states);
    get_partition_property_ex_raw(e, a, property::vmm_capabilities);
    // The root's own: /dev/mshv passes these two through with the id forced to HV_PARTITION_ID_SELF.
    std::uint64_t v = 0;
    (void)get_partition_property(e.backend, kPartitionIdSelf, property::privilege_flags, v);
    get_partition_property_ex_raw(e, kPartitionIdSelf, property::vmm_capabilities);
}

void scale(WorkloadEnv& e, std::uint64_t rounds) {
    const std::uint64_t a = make_partition(e);
    (void)create_vp(e.backend, e.pages, a, 0, e.root_id);
    const std::array<std::uint32_t, 2> names{reg::rax, reg::rip};
    std::array<RegisterValue, 2> values{};
    for (std::uint64_t i = 0; i < rounds; ++i) {
        std::uint64_t v = 0;
        (void)get_partition_id(e.backend, v);
        (void)get_partition_property(e.backend, a, property::privilege_flags, v);
        (void)get_vp_registers(e.backend, a, 0, names, values);
        (void)get_partition_property(e.backend, 0x7777, property::privilege_flags, v);
    }
}

}  // namespace

std::vector<std::string> workload_names() { return {"lifecycle", "passthrough", "scale:N"}; }

bool run_workload(std::string_view name, WorkloadEnv& env) {
    if (name == "lifecycle") return lifecycle(env), true;
    if (name == "passthrough") return passthrough(env), true;
    if (name.starts_with("scale:")) {
        std::uint64_t n = 0;
        const auto digits = name.substr(6);
        const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec != std::errc{} || p != digits.data() + digits.size() || n == 0) return false;
        scale(env, n);
        return true;
    }
    return false;
}

}  // namespace hvsim::traces
