// Intercept structures (GDKMINI types): install intercept from UAPI-HV (a pre-merge header; no
// upstream header has it) and register intercept result from HDK-3B (x86, 60 bytes).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hvcall {

// hv_intercept_type (GDKMINI).
namespace intercept_type {
inline constexpr std::uint32_t x64_io_port = 0x0, x64_msr = 0x1, x64_cpuid = 0x2, exception = 0x3;
inline constexpr std::uint32_t mmio = 0x5, x64_global_cpuid = 0x6, x64_apic_smi = 0x7, hypercall = 0x8;
inline constexpr std::uint32_t x64_apic_init_sipi = 0x9, mc_update_patch_level_msr_read = 0xA;
inline constexpr std::uint32_t x64_apic_write = 0xB, x64_msr_index = 0xC;
}  // namespace intercept_type

// Access type mask (HV_INTERCEPT_ACCESS_MASK_*); NONE removes the intercept.
namespace intercept_access {
inline constexpr std::uint32_t none = 0x0, read = 0x1, write = 0x2, execute = 0x4;
inline constexpr std::uint32_t reserved_mask = ~(read | write | execute);
}  // namespace intercept_access

struct InputInstallIntercept {
    std::uint64_t partition_id;
    std::uint32_t access_type;
    std::uint32_t intercept_type;
    // Union: io_port u16, cpuid_index u32, apic_write_mask u32, exception_vector u16,
    // msr_index u32; the bits above the member in use are zero.
    std::uint64_t intercept_parameter;
};
static_assert(offsetof(InputInstallIntercept, access_type) == 8);
static_assert(offsetof(InputInstallIntercept, intercept_type) == 12);
static_assert(offsetof(InputInstallIntercept, intercept_parameter) == 16);
static_assert(sizeof(InputInstallIntercept) == 24);

// The CPUID form of the 44-byte parameters: which leaf, then the result and which of its bits
// replace the hypervisor's.
struct CpuidInterceptResult {
    std::uint32_t eax;
    std::uint32_t ecx;
    std::uint8_t subleaf_specific;
    std::uint8_t always_override;
    std::uint16_t padding;
    std::uint32_t result_eax, eax_mask, result_ebx, ebx_mask, result_ecx, ecx_mask, result_edx, edx_mask;
};
static_assert(offsetof(CpuidInterceptResult, subleaf_specific) == 8);
static_assert(offsetof(CpuidInterceptResult, always_override) == 9);
static_assert(offsetof(CpuidInterceptResult, padding) == 10);
static_assert(offsetof(CpuidInterceptResult, result_eax) == 12);
static_assert(offsetof(CpuidInterceptResult, edx_mask) == 40);
static_assert(sizeof(CpuidInterceptResult) == 44);

// The MSR form: 12 bytes, the rest of the 44 unused (zero).
struct MsrInterceptResult {
    std::uint32_t msr_index;
    std::uint32_t access_type;
    std::uint32_t action;
    std::uint32_t unused[8];
};
static_assert(sizeof(MsrInterceptResult) == 44);

// 60 bytes after a u64: natural alignment would pad it to 64, so this one struct is packed to 4.
#pragma pack(push, 4)
struct InputRegisterInterceptResult {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint32_t intercept_type;  // x64_cpuid or x64_msr
    union {
        CpuidInterceptResult cpuid;
        MsrInterceptResult msr;
    } parameters;
};
#pragma pack(pop)
static_assert(offsetof(InputRegisterInterceptResult, vp_index) == 8);
static_assert(offsetof(InputRegisterInterceptResult, intercept_type) == 12);
static_assert(offsetof(InputRegisterInterceptResult, parameters) == 16);
static_assert(sizeof(InputRegisterInterceptResult) == 60);

}  // namespace hvcall
