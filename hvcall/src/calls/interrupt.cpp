#include "hvcall/calls/interrupt.hpp"

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

}  // namespace hvcall
