// Virtual interrupts, marshalled as the reference driver does (HVCALL:
// hv_call_assert_virtual_interrupt, hv_call_clear_virtual_interrupt) and as passthrough users
// send them (MAIN); the root's device interrupts as its interrupt domain maps them (T-IRQDOM
// hv_map_interrupt, hv_unmap_interrupt). 0 or a negative errno; never throws, never allocates.
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

// HvCallMapDeviceInterrupt as T-IRQDOM hv_map_interrupt issues it for an MSI or IOAPIC line of
// the root: zeroed input; `partition` (the driver: hv_current_partition_id), `device_id` (union
// hv_device_id), a FIXED descriptor with one vector, edge or `level` trigger, and a
// PROCESSOR_SET target whose sparse 4K VP set holds `cpu` (the root VP index of the CPU,
// hv_cpu_number_to_vp_number) alone. As cpumask_to_vpset builds it, the valid bank mask covers
// every bank up to the CPU's (lower banks zero). Sent through the rep wrapper with rep count 0
// and variable header = banks + 1 (the bank mask and the banks; the format qword ends the
// 72-byte fixed header). On success `entry` is the output's interrupt entry, to pass back to
// unmap. The driver copies the entry even from a failed call and (before 6.16-rc7) returned
// the raw status or a positive EINVAL; hvcall copies on success only and returns an errno.
// Local -EINVAL, before any call: `cpu` beyond 64 banks of 64 VPs.
[[nodiscard]] int map_device_interrupt(Backend& backend, std::uint64_t partition, std::uint64_t device_id,
                                       std::uint32_t vector, std::uint32_t cpu, bool level,
                                       InterruptEntry& entry) noexcept;

// HvCallUnmapDeviceInterrupt as T-IRQDOM hv_unmap_interrupt: zeroed 36-byte input with the
// partition, device and the entry map returned; flags 0.
[[nodiscard]] int unmap_device_interrupt(Backend& backend, std::uint64_t partition, std::uint64_t device_id,
                                         const InterruptEntry& entry) noexcept;

}  // namespace hvcall
