// Virtual interrupt structures (HDK hv_input_assert_virtual_interrupt) and device interrupts
// (A-HDKMINI map/unmap device interrupt, A-GDK interrupt entry and VP set). Plain structs
// whose natural alignment gives the packed kernel layout, except the unmap input (packed to 4:
// 36 bytes); every offset is pinned.
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
inline constexpr std::uint32_t level_triggered = 0x1;    // control bit 32
inline constexpr std::uint32_t logical_dest_mode = 0x2;  // control bit 33
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

// hv_interrupt_entry (A-GDK): the source, then the MSI address/data or the IOAPIC RTE as one
// qword. Map returns it; unmap takes it back unchanged.
namespace interrupt_source {
inline constexpr std::uint32_t msi = 1, ioapic = 2;
}
struct InterruptEntry {
    std::uint32_t source;
    std::uint32_t reserved1;
    std::uint64_t data;  // msi_entry: address (low u32), data (high u32); or ioapic_rte
    friend bool operator==(const InterruptEntry&, const InterruptEntry&) = default;
};
static_assert(offsetof(InterruptEntry, data) == 8);
static_assert(sizeof(InterruptEntry) == 16);

// hv_device_interrupt_target flags (A-GDK) and the trigger mode (A-HDKMINI).
namespace device_target {
inline constexpr std::uint32_t multicast = 0x1, processor_set = 0x2;
}
namespace trigger_mode {
inline constexpr std::uint32_t edge = 0, level = 1;
}
inline constexpr std::uint64_t kGenericSetSparse4k = 0;  // HV_GENERIC_SET_SPARSE_4K
inline constexpr std::uint32_t kVpSetMaxBanks = 64;      // one bit of the valid bank mask each

// hv_input_map_device_interrupt up to the VP set's format qword: 72 bytes, the fixed header.
// With a processor set, the valid bank mask and the banks follow as the variable header
// (T-IRQDOM: "var-size starts after vp_mask").
struct InputMapDeviceInterrupt {
    std::uint64_t partition_id;
    std::uint64_t device_id;  // union hv_device_id
    std::uint32_t flags;
    std::uint32_t base_irt_idx;
    InterruptEntry logical_interrupt_entry;
    // hv_device_interrupt_descriptor
    std::uint32_t interrupt_type;  // interrupt_type::fixed, lowest_priority
    std::uint32_t trigger_mode;
    std::uint32_t vector_count;
    std::uint32_t reserved;
    // hv_device_interrupt_target
    std::uint32_t target_vector;
    std::uint32_t target_flags;
    std::uint64_t vp_mask_or_format;  // vp_mask, or vp_set.format with processor_set
};
static_assert(offsetof(InputMapDeviceInterrupt, device_id) == 8);
static_assert(offsetof(InputMapDeviceInterrupt, flags) == 16);
static_assert(offsetof(InputMapDeviceInterrupt, base_irt_idx) == 20);
static_assert(offsetof(InputMapDeviceInterrupt, logical_interrupt_entry) == 24);
static_assert(offsetof(InputMapDeviceInterrupt, interrupt_type) == 40);
static_assert(offsetof(InputMapDeviceInterrupt, trigger_mode) == 44);
static_assert(offsetof(InputMapDeviceInterrupt, vector_count) == 48);
static_assert(offsetof(InputMapDeviceInterrupt, reserved) == 52);
static_assert(offsetof(InputMapDeviceInterrupt, target_vector) == 56);
static_assert(offsetof(InputMapDeviceInterrupt, target_flags) == 60);
static_assert(offsetof(InputMapDeviceInterrupt, vp_mask_or_format) == 64);
static_assert(sizeof(InputMapDeviceInterrupt) == 72);

// 56 bytes since 6.18: the entry, then five deprecated extended-status qwords.
struct OutputMapDeviceInterrupt {
    InterruptEntry interrupt_entry;
    std::uint64_t ext_status_deprecated[5];
};
static_assert(offsetof(OutputMapDeviceInterrupt, ext_status_deprecated) == 16);
static_assert(sizeof(OutputMapDeviceInterrupt) == 56);

#pragma pack(push, 4)
struct InputUnmapDeviceInterrupt {
    std::uint64_t partition_id;
    std::uint64_t device_id;
    InterruptEntry interrupt_entry;
    std::uint32_t flags;
};
#pragma pack(pop)
static_assert(offsetof(InputUnmapDeviceInterrupt, device_id) == 8);
static_assert(offsetof(InputUnmapDeviceInterrupt, interrupt_entry) == 16);
static_assert(offsetof(InputUnmapDeviceInterrupt, flags) == 32);
static_assert(sizeof(InputUnmapDeviceInterrupt) == 36);

}  // namespace hvcall
