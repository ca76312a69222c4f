// Virtual processor structures (HDKMINI, GDKMINI, HDK-2B, HDK-3B, MARINER).
// Plain structs whose natural alignment gives the packed kernel layout; every offset is pinned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hvcall/types/partition.hpp"

namespace hvcall {

inline constexpr std::uint32_t kVpIndexSelf = 0xFFFFFFFE;  // HV_VP_INDEX_SELF
inline constexpr std::uint32_t kAnyVp = 0xFFFFFFFF;        // HV_ANY_VP

// hv_register_name values used here (GDKMINI enum hv_register_name).
namespace reg {
inline constexpr std::uint32_t explicit_suspend = 0x0, intercept_suspend = 0x1, dispatch_suspend = 0x3;
inline constexpr std::uint32_t rax = 0x00020000, rcx = 0x00020001, rdx = 0x00020002, rbx = 0x00020003, rsp = 0x00020004;
inline constexpr std::uint32_t rip = 0x00020010, rflags = 0x00020011;
inline constexpr std::uint32_t cr0 = 0x00040000, cr2 = 0x00040001, cr3 = 0x00040002, cr4 = 0x00040003, cr8 = 0x00040004;
inline constexpr std::uint32_t efer = 0x00080001, apic_base = 0x00080003;
inline constexpr std::uint32_t guest_os_id = 0x00090002, vp_index = 0x00090003, vp_root_signal_count = 0x00090014;
inline constexpr std::uint32_t scontrol = 0x000A0010, siefp = 0x000A0012, simp = 0x000A0013;
}  // namespace reg

struct InputCreateVp {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint8_t padding[3];
    std::uint8_t subnode_type;  // HV_SUBNODE_ANY 0
    std::uint64_t subnode_id;
    ProximityDomainInfo proximity_domain_info;
    std::uint64_t flags;
};
static_assert(offsetof(InputCreateVp, vp_index) == 8);
static_assert(offsetof(InputCreateVp, subnode_type) == 15);
static_assert(offsetof(InputCreateVp, subnode_id) == 16);
static_assert(offsetof(InputCreateVp, proximity_domain_info) == 24);
static_assert(offsetof(InputCreateVp, flags) == 32);
static_assert(sizeof(InputCreateVp) == 40);

// Sent fast-16: partition id, then the VP index in the low half of the second qword.
struct InputDeleteVp {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint32_t reserved;
};
static_assert(offsetof(InputDeleteVp, vp_index) == 8);
static_assert(sizeof(InputDeleteVp) == 16);

// Header of get and set VP registers.
struct InputVpRegisters {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint8_t input_vtl;
    std::uint8_t rsvd_z8;
    std::uint16_t rsvd_z16;
    // names[] (get, 4 bytes each) or RegisterAssoc[] (set)
};
static_assert(offsetof(InputVpRegisters, input_vtl) == 12);
static_assert(offsetof(InputVpRegisters, rsvd_z8) == 13);
static_assert(offsetof(InputVpRegisters, rsvd_z16) == 14);
static_assert(sizeof(InputVpRegisters) == 16);

struct RegisterValue {
    std::uint64_t low;
    std::uint64_t high;
    friend bool operator==(const RegisterValue&, const RegisterValue&) = default;
};
static_assert(sizeof(RegisterValue) == 16);

struct RegisterAssoc {
    std::uint32_t name;
    std::uint32_t reserved1;
    std::uint64_t reserved2;
    RegisterValue value;
};
static_assert(offsetof(RegisterAssoc, reserved1) == 4);
static_assert(offsetof(RegisterAssoc, reserved2) == 8);
static_assert(offsetof(RegisterAssoc, value) == 16);
static_assert(sizeof(RegisterAssoc) == 32);

// get/set VP state types (HDK); bit 31: the data travels in a PFN list.
namespace vp_state_type {
inline constexpr std::uint32_t lapic = 0x80000000, xsave = 0x80000001, sim_page = 0x80000002, sief_page = 0x80000003;
inline constexpr std::uint32_t synthetic_timers = 0x4;
inline constexpr std::uint32_t by_pfn = 0x80000000;
}  // namespace vp_state_type

struct VpStateData {
    std::uint32_t type;
    std::uint32_t rsvd;
    std::uint64_t xsave_flags;
    std::uint64_t xsave_states;
};
static_assert(offsetof(VpStateData, xsave_flags) == 8);
static_assert(sizeof(VpStateData) == 24);

struct InputVpState {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint8_t input_vtl;
    std::uint8_t rsvd0;
    std::uint16_t rsvd1;
    VpStateData state_data;
    // output_data_pfns[] / data[] in the variable header
};
static_assert(offsetof(InputVpState, state_data) == 16);
static_assert(sizeof(InputVpState) == 40);

struct SyntheticTimerState {
    std::uint32_t flags;  // bit 0 undelivered_msg_pending
    std::uint32_t resvd;
    std::uint64_t config, count, adjustment, undelivered_exp_time;
};
static_assert(sizeof(SyntheticTimerState) == 40);
struct OutputGetVpState {
    SyntheticTimerState synthetic_timers[4];
    std::uint64_t reserved[5];
};
static_assert(sizeof(OutputGetVpState) == 200);

namespace vp_state_page {
inline constexpr std::uint16_t registers = 0, intercept_message = 1, ghcb = 2;
}
struct InputMapVpStatePage {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint16_t type;
    std::uint8_t input_vtl;
    std::uint8_t flags;  // bit 0 map_location_provided
    std::uint64_t requested_map_location;
};
static_assert(offsetof(InputMapVpStatePage, type) == 12);
static_assert(offsetof(InputMapVpStatePage, input_vtl) == 14);
static_assert(offsetof(InputMapVpStatePage, flags) == 15);
static_assert(offsetof(InputMapVpStatePage, requested_map_location) == 16);
static_assert(sizeof(InputMapVpStatePage) == 24);
struct OutputMapVpStatePage {
    std::uint64_t map_location;
};
static_assert(sizeof(OutputMapVpStatePage) == 8);
struct InputUnmapVpStatePage {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint16_t type;
    std::uint8_t input_vtl;
    std::uint8_t reserved0;
};
static_assert(offsetof(InputUnmapVpStatePage, type) == 12);
static_assert(sizeof(InputUnmapVpStatePage) == 16);

namespace cpuid_flags {
inline constexpr std::uint32_t use_vp_xfem_xss = 0x1, apply_registered_values = 0x2;
}
struct InputGetVpCpuidValues {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint32_t flags;
    std::uint32_t reserved;
    std::uint32_t padding;
};
static_assert(offsetof(InputGetVpCpuidValues, flags) == 12);
static_assert(offsetof(InputGetVpCpuidValues, reserved) == 16);
static_assert(sizeof(InputGetVpCpuidValues) == 24);
struct CpuidLeafInfo {
    std::uint32_t eax;
    std::uint32_t ecx;
    std::uint64_t xfem;
    std::uint64_t xss;
};
static_assert(offsetof(CpuidLeafInfo, xfem) == 8);
static_assert(sizeof(CpuidLeafInfo) == 24);
struct CpuidValues {
    std::uint32_t eax, ebx, ecx, edx;
    friend bool operator==(const CpuidValues&, const CpuidValues&) = default;
};
static_assert(sizeof(CpuidValues) == 16);

namespace translate_flags {
inline constexpr std::uint64_t validate_read = 0x1, validate_write = 0x2, validate_execute = 0x4;
inline constexpr std::uint64_t privilege_exempt = 0x8, set_page_table_bits = 0x10, tlb_flush_inhibit = 0x20;
inline constexpr std::uint64_t supervisor_access = 0x40, user_access = 0x80, enforce_smap = 0x100;
}  // namespace translate_flags
namespace translate_result {
inline constexpr std::uint32_t success = 0, page_not_present = 1, privilege_violation = 2, invalid_page_table_flags = 3;
inline constexpr std::uint32_t gpa_unmapped = 4, gpa_no_read_access = 5, gpa_no_write_access = 6;
}  // namespace translate_result
struct InputTranslateVirtualAddress {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint32_t padding;
    std::uint64_t control_flags;
    std::uint64_t gva_page;
};
static_assert(offsetof(InputTranslateVirtualAddress, control_flags) == 16);
static_assert(offsetof(InputTranslateVirtualAddress, gva_page) == 24);
static_assert(sizeof(InputTranslateVirtualAddress) == 32);
struct OutputTranslateVirtualAddress {
    std::uint32_t result_code;
    std::uint32_t cache_type_and_flags;  // bits 0-7 cache type, bit 8 overlay page
    std::uint64_t gpa_page;
};
static_assert(offsetof(OutputTranslateVirtualAddress, gpa_page) == 8);
static_assert(sizeof(OutputTranslateVirtualAddress) == 16);

// HvCallDispatchVp (HDK): run a VP on this CPU until something happens (root scheduler).
namespace dispatch_flags {
inline constexpr std::uint32_t clear_intercept_suspend = 0x1, enable_caller_interrupts = 0x2,
                               set_caller_spec_ctrl = 0x4;
inline constexpr std::uint32_t skip_vp_spec_flush = 0x8, skip_caller_spec_flush = 0x10,
                               skip_caller_user_spec_flush = 0x20;
inline constexpr std::uint32_t scan_interrupt_injection = 0x40;  // absent in HDK-OLD
inline constexpr std::uint32_t reserved_mask = ~0x7Fu;
}  // namespace dispatch_flags
namespace dispatch_state {
inline constexpr std::uint32_t invalid = 0, blocked = 1, ready = 2;
}
namespace dispatch_event {
inline constexpr std::uint32_t invalid = 0, suspend = 1, intercept = 2;
}
struct InputDispatchVp {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint32_t flags;
    std::uint64_t time_slice;  // 100 ns units; 0: until something happens
    std::uint64_t spec_ctrl;   // with set_caller_spec_ctrl only
};
static_assert(offsetof(InputDispatchVp, vp_index) == 8);
static_assert(offsetof(InputDispatchVp, flags) == 12);
static_assert(offsetof(InputDispatchVp, time_slice) == 16);
static_assert(offsetof(InputDispatchVp, spec_ctrl) == 24);
static_assert(sizeof(InputDispatchVp) == 32);
struct OutputDispatchVp {
    std::uint32_t dispatch_state;
    std::uint32_t dispatch_event;
};
static_assert(offsetof(OutputDispatchVp, dispatch_event) == 4);
static_assert(sizeof(OutputDispatchVp) == 8);

}  // namespace hvcall
