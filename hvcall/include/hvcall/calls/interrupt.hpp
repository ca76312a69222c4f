// Virtual interrupts, marshalled as the reference driver does (HVCALL:
// hv_call_assert_virtual_interrupt, hv_call_clear_virtual_interrupt) and as passthrough users
// send them (MAIN). 0 or a negative errno; never throws, never allocates.
#pragma once

#include <cstdint>

#include "hvcall/backend.hpp"
#include "hvcall/types/interrupt.hpp"

namespace hvcall {

// HvCallAssertVirtualInterrupt to `dest_addr` (an APIC id, or a logical destination with
// interrupt_flags::logical_dest_mode), target VTL 0. Local -EINVAL, before any call, when the
// control's flags carry reserved bits or the type is not below interrupt_type::maximum: the
// hypervisor reads those bits from a u64 that callers build by hand (the review's bug class).
[[nodiscard]] int assert_virtual_interrupt(Backend& backend, std::uint64_t id, std::uint32_t vector,
                                           std::uint64_t dest_addr, InterruptControl control) noexcept;

// HvCallClearVirtualInterrupt, fast-8 with the partition id, as HVCALL issues it.
[[nodiscard]] int clear_virtual_interrupt(Backend& backend, std::uint64_t id) noexcept;
// The same call in the memory form: an 8-byte input page, as MSHV_ROOT_HVCALL users send it.
[[nodiscard]] int clear_virtual_interrupt_memory(Backend& backend, std::uint64_t id) noexcept;

}  // namespace hvcall
