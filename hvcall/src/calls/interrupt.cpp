#include "hvcall/calls/interrupt.hpp"

#include <cstring>

#include "hvcall/errno.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

int assert_virtual_interrupt(Backend& backend, std::uint64_t id, std::uint32_t vector, std::uint64_t dest_addr,
                             InterruptControl control) noexcept {
    if ((control.flags & interrupt_flags::reserved_mask) != 0 || control.interrupt_type >= interrupt_type::maximum)
        return -EINVAL;
    InputAssertVirtualInterrupt in{};  // target VTL 0 and the reserved bytes zero, as HVCALL
    in.partition_id = id;
    in.control = control;
    in.dest_addr = dest_addr;
    in.vector = vector;
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::assert_virtual_interrupt))));
}

int clear_virtual_interrupt(Backend& backend, std::uint64_t id) noexcept {
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::clear_virtual_interrupt)), id, 0));
}

int clear_virtual_interrupt_memory(Backend& backend, std::uint64_t id) noexcept {
    detail::put_header(backend.input_page(), InputClearVirtualInterrupt{id});
    return to_errno(backend.hypercall(Control::simple(code(CallId::clear_virtual_interrupt))));
}

int map_device_interrupt(Backend& backend, std::uint64_t partition, std::uint64_t device_id, std::uint32_t vector,
                         std::uint32_t cpu, bool level, InterruptEntry& entry) noexcept {
    const std::uint32_t bank = cpu / 64;
    if (bank >= kVpSetMaxBanks) return -EINVAL;
    const std::uint32_t banks = bank + 1;  // cpumask_to_vpset: every bank up to the CPU's
    InputMapDeviceInterrupt in{};
    in.partition_id = partition;
    in.device_id = device_id;
    in.interrupt_type = interrupt_type::fixed;
    in.trigger_mode = level ? trigger_mode::level : trigger_mode::edge;
    in.vector_count = 1;
    in.target_vector = vector;
    in.target_flags = device_target::processor_set;
    in.vp_mask_or_format = kGenericSetSparse4k;
    auto page = backend.input_page();
    detail::put_header(page, in);
    // The variable header: the valid bank mask, then one qword per bank, only the CPU's bit set.
    const std::uint64_t mask = banks == 64 ? ~0ull : (1ull << banks) - 1;
    detail::put_qwords(page, sizeof in, std::span(&mask, 1));
    std::memset(page.data() + sizeof in + 8, 0, std::size_t{banks} * 8);
    const std::uint64_t bit = 1ull << (cpu % 64);
    detail::put_qwords(page, sizeof in + 8 + std::size_t{bank} * 8, std::span(&bit, 1));
    // Simple, sent as T-IRQDOM does through the rep wrapper: rep count 0, variable header banks + 1.
    const HypercallResult r =
        backend.hypercall(*Control::make({.code = code(CallId::map_device_interrupt), .varhead_qwords = banks + 1}));
    if (r.ok()) entry = detail::read_output<OutputMapDeviceInterrupt>(backend).interrupt_entry;
    return to_errno(r);
}

int unmap_device_interrupt(Backend& backend, std::uint64_t partition, std::uint64_t device_id,
                           const InterruptEntry& entry) noexcept {
    InputUnmapDeviceInterrupt in{};
    in.partition_id = partition;
    in.device_id = device_id;
    in.interrupt_entry = entry;
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::unmap_device_interrupt))));
}

}  // namespace hvcall
