// What map and unmap device interrupt share (A-HDKMINI): the 16-byte hv_interrupt_entry (u32
// source, u32 reserved, the MSI address/data or IOAPIC RTE as one qword) and the key the model
// files a mapped entry under.
#pragma once

#include <array>

#include "common.hpp"

namespace hvsim::calls::devint {

inline constexpr std::uint32_t kSourceMsi = 1;  // HV_INTERRUPT_SOURCE_MSI

// The MSI message the model programs for `vector` on the processor with APIC id `apic_id`:
// the x86 MSI address (0xFEE00000 | destination id << 12) and the vector as data.
[[nodiscard]] constexpr std::uint64_t msi_entry(std::uint32_t vector, std::uint32_t apic_id) noexcept {
    const std::uint64_t address = 0xFEE00000u | (std::uint64_t{apic_id & 0xFF} << 12);
    return address | (std::uint64_t{vector} << 32);
}

[[nodiscard]] inline std::array<std::uint64_t, 3> key(std::uint64_t partition, std::uint64_t device,
                                                      std::uint64_t entry) noexcept {
    return {partition, device, entry};
}

}  // namespace hvsim::calls::devint
