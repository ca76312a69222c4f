// Partition lifecycle and property structures (HDKMINI, HDK-2B, A-HDKMINI layouts). Plain
// structs whose natural alignment gives the packed kernel layout; every offset is pinned.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hvcall {

inline constexpr std::uint64_t kPartitionIdSelf = ~0ull;        // HV_PARTITION_ID_SELF
inline constexpr std::uint32_t kCompatibilityVersion = 0x0609;  // HV_COMPATIBILITY_21_H2: (6 << 8) | 9

// Creation flags (HDK-2B, HDK-3B).
namespace creation_flags {
inline constexpr std::uint64_t smt_enabled_guest = 1ull << 0;
inline constexpr std::uint64_t nested_virtualization_capable = 1ull << 1;
inline constexpr std::uint64_t gpa_super_pages_enabled = 1ull << 4;
inline constexpr std::uint64_t exo_partition = 1ull << 8;
inline constexpr std::uint64_t lapic_enabled = 1ull << 13;
inline constexpr std::uint64_t intercept_message_page_enabled = 1ull << 19;
inline constexpr std::uint64_t x2apic_capable = 1ull << 22;
inline constexpr std::uint64_t always = exo_partition | intercept_message_page_enabled;  // MAIN's base 0x80100
}  // namespace creation_flags

// hv_partition_isolation_properties (HDK): type bits 0-4, host type 5-6, rsvd_z 7-11,
// shared GPA boundary page number 12-63.
namespace isolation {
inline constexpr std::uint64_t type_none = 0, type_snp = 2, type_tdx = 3;
inline constexpr std::uint64_t reserved_mask = 0xF80;
}  // namespace isolation

// Partition property codes (HDKMINI).
namespace property {
inline constexpr std::uint32_t privilege_flags = 0x00010000;
inline constexpr std::uint32_t synthetic_proc_features = 0x00010001;
inline constexpr std::uint32_t integrated_scheduler_enabled = 0x00020005;
inline constexpr std::uint32_t gpa_page_access_tracking = 0x00050005;
inline constexpr std::uint32_t unimplemented_msr_action = 0x00050017;
inline constexpr std::uint32_t processor_xsave_features = 0x00060002;
inline constexpr std::uint32_t xsave_states = 0x00060007;
inline constexpr std::uint32_t max_xsave_data_size = 0x00060008;
inline constexpr std::uint32_t processor_clock_frequency = 0x00060009;
inline constexpr std::uint32_t vmm_capabilities = 0x00090007;
}  // namespace property

struct ProximityDomainInfo {
    std::uint32_t domain_id;
    std::uint32_t flags;  // bit 0 proximity_preferred, bits 1-30 reserved, bit 31 proximity_info_valid
};
static_assert(sizeof(ProximityDomainInfo) == 8);
static_assert(offsetof(ProximityDomainInfo, flags) == 4);

// Two disabled-feature banks, then the disabled-xsave qword (x86, HDK-2B).
struct PartitionCreationProperties {
    std::uint64_t disabled_processor_features[2];
    std::uint64_t disabled_processor_xsave_features;
};
static_assert(sizeof(PartitionCreationProperties) == 24);

struct InputCreatePartition {
    std::uint64_t flags;
    ProximityDomainInfo proximity_domain_info;
    std::uint32_t compatibility_version;
    std::uint32_t padding;
    PartitionCreationProperties partition_creation_properties;
    std::uint64_t isolation_properties;
};
static_assert(offsetof(InputCreatePartition, flags) == 0);
static_assert(offsetof(InputCreatePartition, proximity_domain_info) == 8);
static_assert(offsetof(InputCreatePartition, compatibility_version) == 16);
static_assert(offsetof(InputCreatePartition, padding) == 20);
static_assert(offsetof(InputCreatePartition, partition_creation_properties) == 24);
static_assert(offsetof(InputCreatePartition, isolation_properties) == 48);
static_assert(sizeof(InputCreatePartition) == 56);

struct OutputCreatePartition {
    std::uint64_t partition_id;
};
static_assert(sizeof(OutputCreatePartition) == 8);

struct InputGetPartitionProperty {
    std::uint64_t partition_id;
    std::uint32_t property_code;
    std::uint32_t padding;
};
static_assert(offsetof(InputGetPartitionProperty, property_code) == 8);
static_assert(offsetof(InputGetPartitionProperty, padding) == 12);
static_assert(sizeof(InputGetPartitionProperty) == 16);

struct OutputGetPartitionProperty {
    std::uint64_t property_value;
};
static_assert(sizeof(OutputGetPartitionProperty) == 8);

struct InputSetPartitionProperty {
    std::uint64_t partition_id;
    std::uint32_t property_code;
    std::uint32_t padding;
    std::uint64_t property_value;
};
static_assert(offsetof(InputSetPartitionProperty, property_code) == 8);
static_assert(offsetof(InputSetPartitionProperty, padding) == 12);
static_assert(offsetof(InputSetPartitionProperty, property_value) == 16);
static_assert(sizeof(InputSetPartitionProperty) == 24);

// HvCallGetPartitionPropertyEx (HDK-2B): the 16-byte property header, then an 8-byte argument
// (a VP index for per-VP properties, 0 otherwise). The value comes back in the output page.
struct InputGetPartitionPropertyEx {
    std::uint64_t partition_id;
    std::uint32_t property_code;
    std::uint32_t padding;
    std::uint64_t arg;
};
static_assert(offsetof(InputGetPartitionPropertyEx, property_code) == 8);
static_assert(offsetof(InputGetPartitionPropertyEx, padding) == 12);
static_assert(offsetof(InputGetPartitionPropertyEx, arg) == 16);
static_assert(sizeof(InputGetPartitionPropertyEx) == 24);
// HV_PARTITION_PROPERTY_EX_MAX_VAR_SIZE: the output page less the input header (HDK-2B).
inline constexpr std::uint32_t kPartitionPropertyExMaxValue = 4096 - sizeof(InputGetPartitionPropertyEx);
static_assert(kPartitionPropertyExMaxValue == 4072);

// hv_partition_property_vmm_capabilities (A-HDKMINI): a bank count, three reserved u16, then
// HV_PARTITION_VMM_CAPABILITIES_BANK_COUNT (1) banks of capability bits.
struct VmmCapabilities {
    std::uint16_t bank_count;
    std::uint16_t reserved[3];
    std::uint64_t bank0;
};
static_assert(offsetof(VmmCapabilities, reserved) == 2);
static_assert(offsetof(VmmCapabilities, bank0) == 8);
static_assert(sizeof(VmmCapabilities) == 16);

// The bytes of the output page a property-ex value fills: the VMM capabilities struct, or the
// property's 8-byte value. The rest of the page is not the hypervisor's: on a real root it holds
// what the kernel's page held (A-MAIN: the passthrough's pages come from alloc_pages, unzeroed).
constexpr std::uint32_t partition_property_ex_value_size(std::uint32_t property_code) {
    return property_code == property::vmm_capabilities ? sizeof(VmmCapabilities) : sizeof(std::uint64_t);
}

// Bits of bank 0 (A-HDKMINI; bit 3 is reserved on x86, bit 5 reserved, 7-63 reserved).
namespace vmm_capability {
inline constexpr std::uint64_t map_gpa_preserve_adjustable = 1ull << 0;
inline constexpr std::uint64_t vmm_can_provide_overlay_gpfn = 1ull << 1;
inline constexpr std::uint64_t vp_affinity_property = 1ull << 2;
inline constexpr std::uint64_t assignable_synthetic_proc_features = 1ull << 4;
inline constexpr std::uint64_t vmm_enable_integrated_scheduler = 1ull << 6;
}  // namespace vmm_capability

}  // namespace hvcall
