// The slice of Linux's include/uapi/linux/mshv.h the mshv backend uses (UAPI, UAPI-OLD):
// ioctl numbers and argument layouts, each pinned by static_assert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

namespace hvsim::traces::mshv {

// _IOC(dir, type, nr, size): dir bits 31:30 (WRITE 1, READ 2), size 29:16, type 15:8, nr 7:0.
constexpr unsigned long ioc(unsigned long dir, unsigned long type, unsigned long nr, unsigned long size) {
    return (dir << 30) | (size << 16) | (type << 8) | nr;
}
inline constexpr unsigned long kIoctlType = 0xB8;  // MSHV_IOCTL
inline constexpr unsigned long kWrite = 1, kRead = 2;

struct CreatePartition {  // struct mshv_create_partition
    std::uint64_t pt_flags;
    std::uint64_t pt_isolation;
};
static_assert(sizeof(CreatePartition) == 16);
static_assert(offsetof(CreatePartition, pt_isolation) == 8);

struct CreateVp {  // struct mshv_create_vp
    std::uint32_t vp_index;
};
static_assert(sizeof(CreateVp) == 4);

struct RootHvcall {  // struct mshv_root_hvcall
    std::uint16_t code;
    std::uint16_t reps;    // in: rep count; out: reps completed
    std::uint16_t in_sz;
    std::uint16_t out_sz;
    std::uint16_t status;  // in: must be 0; out: the low 16 bits of the result
    std::uint8_t rsvd[6];
    std::uint64_t in_ptr;
    std::uint64_t out_ptr;
};
static_assert(sizeof(RootHvcall) == 32);
static_assert(offsetof(RootHvcall, reps) == 2);
static_assert(offsetof(RootHvcall, in_sz) == 4);
static_assert(offsetof(RootHvcall, out_sz) == 6);
static_assert(offsetof(RootHvcall, status) == 8);
static_assert(offsetof(RootHvcall, rsvd) == 10);
static_assert(offsetof(RootHvcall, in_ptr) == 16);
static_assert(offsetof(RootHvcall, out_ptr) == 24);

inline constexpr unsigned long kCreatePartition = ioc(kWrite, kIoctlType, 0x00, sizeof(CreatePartition));
inline constexpr unsigned long kInitializePartition = ioc(0, kIoctlType, 0x00, 0);
inline constexpr unsigned long kCreateVp = ioc(kWrite, kIoctlType, 0x01, sizeof(CreateVp));
inline constexpr unsigned long kRootHvcall = ioc(kWrite | kRead, kIoctlType, 0x07, sizeof(RootHvcall));
static_assert(kCreatePartition == 0x4010B800);
static_assert(kInitializePartition == 0x0000B800);
static_assert(kCreateVp == 0x4004B801);
static_assert(kRootHvcall == 0xC020B807);

inline constexpr std::uint64_t kPtFlagLapic = 1ull << 0;  // MSHV_PT_BIT_LAPIC
inline constexpr std::uint64_t kPtFlagsMask = 0x3F;        // MSHV_PT_FLAGS_MASK
inline constexpr std::uint32_t kMaxVps = 256;              // MSHV_MAX_VPS
inline constexpr std::uint32_t kMaxHvcallBytes = 4096;     // in_sz / out_sz limit (HV_HYP_PAGE_SIZE)

// The creation flags mshv_root sends for MSHV_CREATE_PARTITION's pt_flags (MAIN): the
// always-set base plus one hypervisor bit per uapi bit; bit 3 selects the v2 struct, no flag.
inline constexpr std::uint64_t kCreationFlagsAlways = (1ull << 8) | (1ull << 19);  // EXO_PARTITION, INTERCEPT_MESSAGE_PAGE
inline constexpr std::pair<std::uint64_t, std::uint64_t> kPtToCreationFlag[] = {
    {1ull << 0, 1ull << 13},  // LAPIC -> LAPIC_ENABLED
    {1ull << 1, 1ull << 22},  // X2APIC -> X2APIC_CAPABLE
    {1ull << 2, 1ull << 4},   // GPA_SUPER_PAGES -> GPA_SUPER_PAGES_ENABLED
    {1ull << 4, 1ull << 1},   // NESTED_VIRTUALIZATION -> NESTED_VIRTUALIZATION_CAPABLE
    {1ull << 5, 1ull << 0},   // SMT_ENABLED_GUEST -> SMT_ENABLED_GUEST
};

[[nodiscard]] constexpr std::uint64_t creation_flags_for(std::uint64_t pt_flags) noexcept {
    std::uint64_t flags = kCreationFlagsAlways;
    for (const auto& [pt, flag] : kPtToCreationFlag)
        if ((pt_flags & pt) != 0) flags |= flag;
    return flags;
}

// The pt_flags that make the kernel send exactly `flags`, if any do.
[[nodiscard]] constexpr std::optional<std::uint64_t> pt_flags_for(std::uint64_t flags) noexcept {
    std::uint64_t pt = 0;
    for (const auto& [p, flag] : kPtToCreationFlag)
        if ((flags & flag) != 0) pt |= p;
    if (creation_flags_for(pt) != flags) return std::nullopt;
    return pt;
}

// The MSHV_ROOT_HVCALL allow-list, in the kernel's order (MAIN).
inline constexpr std::uint16_t kAllowList[] = {0x44, 0x45, 0x4D, 0x50, 0x51, 0x52, 0x56,
                                               0x91, 0x94, 0xC9, 0xC0, 0xC1, 0xF4};
inline constexpr std::uint16_t kAsyncCode = 0x45;  // SET_PARTITION_PROPERTY may complete asynchronously

[[nodiscard]] constexpr bool allowed(std::uint16_t code) noexcept {
    for (std::uint16_t c : kAllowList)
        if (c == code) return true;
    return false;
}

}  // namespace hvsim::traces::mshv
