#include "hvcall/calls/system.hpp"

#include "hvcall/errno.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

namespace {

int notify_partition_event(Backend& backend, std::uint32_t event, std::uint32_t input) noexcept {
    detail::put_header(backend.input_page(), InputNotifyPartitionEvent{event, input});
    return to_errno(backend.hypercall(Control::simple(code(CallId::notify_partition_event))));
}

}  // namespace

int get_system_property(Backend& backend, std::uint32_t property, std::uint32_t arg, std::uint64_t& value) noexcept {
    detail::put_header(backend.input_page(), InputGetSystemProperty{property, arg});
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::get_system_property)));
    if (r.ok()) value = detail::read_output<OutputGetSystemProperty>(backend).value;
    return to_errno(r);
}

int scheduler_type(Backend& backend, std::uint32_t& type) noexcept {
    detail::put_header(backend.input_page(), InputGetSystemProperty{system_property::scheduler_type, 0});
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::get_system_property)));
    if (r.ok()) type = detail::read_output<std::uint32_t>(backend);  // the union's scheduler_type member
    return to_errno(r);
}

int lp_exists(Backend& backend, std::uint32_t lp_index, bool& exists) noexcept {
    detail::put_header(backend.input_page(), InputGetLogicalProcessorRunTime{lp_index});
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::get_logical_processor_run_time)));
    if (!r.ok() && r.status() != Status::INVALID_LP_INDEX) return -EIO;  // where A-PROC BUG()s
    exists = r.ok();
    return 0;
}

int add_logical_processor(Backend& backend, HostPages& pages, std::uint64_t self_id, std::uint32_t lp_index,
                          std::uint32_t apic_id) noexcept {
    return detail::retry_with_deposit(backend, pages, self_id, [&] {
        InputAddLogicalProcessor in{};  // proximity 0: no NUMA preference
        in.lp_index = lp_index;
        in.apic_id = apic_id;
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::add_logical_processor)));
    });
}

int notify_all_processors_started(Backend& backend) noexcept {
    return notify_partition_event(backend, partition_event::all_logical_processors_started, 0);
}

int set_sleep_state(Backend& backend, std::uint32_t state, std::uint8_t pm1a, std::uint8_t pm1b) noexcept {
    InputSetSystemProperty in{};  // value-initialised: all 72 bytes zero before the members are set
    in.property_id = system_property::sleep_state;
    in.u.sleep.sleep_state = state;
    in.u.sleep.pm1a_slp_typ = pm1a;
    in.u.sleep.pm1b_slp_typ = pm1b;
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::set_system_property))));
}

int enter_sleep_state(Backend& backend, std::uint32_t state) noexcept {
    detail::put_header(backend.input_page(), InputEnterSleepState{state});
    return to_errno(backend.hypercall(Control::simple(code(CallId::enter_sleep_state))));
}

int notify_crashdump(Backend& backend, std::uint32_t action) noexcept {
    return notify_partition_event(backend, partition_event::root_crashdump, action);
}

int disable_hypervisor(Backend& backend, std::uint64_t rip, std::uint64_t arg) noexcept {
    detail::put_header(backend.input_page(), InputDisableHypEx{rip, arg});
    return to_errno(backend.hypercall(Control::simple(code(CallId::disable_hyp_ex))));
}

}  // namespace hvcall
