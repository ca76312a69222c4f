// Virtual interrupt structures (HDK hv_input_assert_virtual_interrupt). Plain structs
// whose natural alignment gives the packed kernel layout; every offset is pinned.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hvcall {

// hv_interrupt_type, x86 (HDK).
namespace interrupt_type {
inline constexpr std::uint32_t fixed = 0, lowest_priority = 1, smi = 2, remote_read = 3, nmi = 4, init = 5, sipi = 6;
inline constexpr std::uint32_t extint = 7, local_int0 = 8, local_int1 = 9;
inline constexpr std::uint32_t maximum = 0xA;  // the first value that is not a type
}  // namespace interrupt_type

// The high half of hv_interrupt_control, x86: two flags, bits 34-63 of the control reserved.
// Named masks rather than bitfields: the review thread's 65-bit bitfield is the reason.
namespace interrupt_flags {
inline constexpr std::uint32_t level_triggered = 0x1;   // control bit 32
inline constexpr std::uint32_t logical_dest_mode = 0x2; // control bit 33
inline constexpr std::uint32_t reserved_mask = ~(level_triggered | logical_dest_mode);
}  // namespace interrupt_flags

struct InterruptControl {
    std::uint32_t interrupt_type;
    std::uint32_t flags;  // interrupt_flags
};
static_assert(offsetof(InterruptControl, flags) == 4);
static_assert(sizeof(InterruptControl) == 8);

struct InputAssertVirtualInterrupt {
    std::uint64_t partition_id;
    InterruptControl control;
    std::uint64_t dest_addr;  // APIC id, or a logical destination with logical_dest_mode
    std::uint32_t vector;
    std::uint8_t target_vtl;
    std::uint8_t rsvd_z0;
    std::uint16_t rsvd_z1;
};
static_assert(offsetof(InputAssertVirtualInterrupt, control) == 8);
static_assert(offsetof(InputAssertVirtualInterrupt, dest_addr) == 16);
static_assert(offsetof(InputAssertVirtualInterrupt, vector) == 24);
static_assert(offsetof(InputAssertVirtualInterrupt, target_vtl) == 28);
static_assert(offsetof(InputAssertVirtualInterrupt, rsvd_z0) == 29);
static_assert(offsetof(InputAssertVirtualInterrupt, rsvd_z1) == 30);
static_assert(sizeof(InputAssertVirtualInterrupt) == 32);

// No struct in the headers: the partition id alone, sent fast-8 by the driver and as an 8-byte
// memory input through the passthrough.
struct InputClearVirtualInterrupt {
    std::uint64_t partition_id;
};
static_assert(sizeof(InputClearVirtualInterrupt) == 8);

}  // namespace hvcall
