// The mshv_root half of Linux's include/uapi/linux/mshv.h [UAPI, gregkh/linux @cd5a4198]: every
// ioctl a VMM sends to /dev/mshv, a partition fd or a VP fd, its argument layout and the flag
// sets the driver checks (UAPI; A-MAIN), plus the driver's limits
// and passthrough lists [A-MAIN, B-ROOTH]. Numbers, sizes and offsets are pinned by static_assert;
// tests/mshv_uapi_test.cpp checks the numbers against a table transcribed from the fact sheets.
// The mshv_vtl ioctls (VTL2, not the root) are not mirrored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace hvsim::traces::mshv {

// _IOC(dir, type, nr, size): dir bits 31:30 (WRITE 1, READ 2), size 29:16, type 15:8, nr 7:0.
constexpr unsigned long ioc(unsigned long dir, unsigned long type, unsigned long nr, unsigned long size) {
    return (dir << 30) | (size << 16) | (type << 8) | nr;
}
inline constexpr unsigned long kIoctlType = 0xB8;  // MSHV_IOCTL
inline constexpr unsigned long kNone = 0, kWrite = 1, kRead = 2;
// The size field of a full number: what the kernel's _IOC_SIZE reads back.
constexpr unsigned long ioc_size(unsigned long number) { return (number >> 16) & 0x3FFF; }

inline constexpr std::uint32_t kHvPageSize = 0x1000;  // MSHV_HV_PAGE_SIZE

// --- /dev/mshv ----------------------------------------------------------------------------

// pt_flags bits (MSHV_PT_BIT_*); bit 3 selects the v2 struct and maps to no creation flag.
inline constexpr std::uint64_t kPtFlagLapic = 1ull << 0;
inline constexpr std::uint64_t kPtFlagX2apic = 1ull << 1;
inline constexpr std::uint64_t kPtFlagGpaSuperPages = 1ull << 2;
inline constexpr std::uint64_t kPtFlagCpuAndXsaveFeatures = 1ull << 3;
inline constexpr std::uint64_t kPtFlagNestedVirtualization = 1ull << 4;
inline constexpr std::uint64_t kPtFlagSmtEnabledGuest = 1ull << 5;
inline constexpr std::uint64_t kPtFlagsMask = 0x3F;  // MSHV_PT_FLAGS_MASK: (1 << MSHV_PT_BIT_COUNT) - 1
inline constexpr std::uint64_t kPtIsolationNone = 0, kPtIsolationCount = 1;  // MSHV_PT_ISOLATION_*

struct CreatePartition {  // struct mshv_create_partition (v1)
    std::uint64_t pt_flags;
    std::uint64_t pt_isolation;
};
static_assert(sizeof(CreatePartition) == 16);
static_assert(offsetof(CreatePartition, pt_isolation) == 8);

// The v2 struct must say exactly this many banks (A-MAIN checks equality, not an upper bound).
inline constexpr std::uint16_t kNumCpuFeaturesBanks = 2;  // MSHV_NUM_CPU_FEATURES_BANKS

// struct mshv_create_partition_v2: __packed in the kernel, every field at its natural offset.
// It travels under the v1 number: pt_flags bit 3 tells the driver to read all 64 bytes.
struct [[gnu::packed]] CreatePartitionV2 {
    std::uint64_t pt_flags;
    std::uint64_t pt_isolation;
    std::uint16_t pt_num_cpu_fbanks;                    // must equal kNumCpuFeaturesBanks
    std::uint8_t pt_rsvd[6];                            // MBZ
    std::uint64_t pt_cpu_fbanks[kNumCpuFeaturesBanks];  // disabled processor features, as sent to the hypervisor
    std::uint64_t pt_rsvd1[2];                          // MBZ
    std::uint64_t pt_disabled_xsave;                    // x86_64; elsewhere pt_rsvd2, MBZ
};
static_assert(sizeof(CreatePartitionV2) == 64);
static_assert(alignof(CreatePartitionV2) == 1);
static_assert(offsetof(CreatePartitionV2, pt_isolation) == 8);
static_assert(offsetof(CreatePartitionV2, pt_num_cpu_fbanks) == 16);
static_assert(offsetof(CreatePartitionV2, pt_rsvd) == 18);
static_assert(offsetof(CreatePartitionV2, pt_cpu_fbanks) == 24);
static_assert(offsetof(CreatePartitionV2, pt_rsvd1) == 40);
static_assert(offsetof(CreatePartitionV2, pt_disabled_xsave) == 56);

// --- partition fds (from MSHV_CREATE_PARTITION) -------------------------------------------

struct CreateVp {  // struct mshv_create_vp
    std::uint32_t vp_index;
};
static_assert(sizeof(CreateVp) == 4);

// mshv_user_mem_region.flags (MSHV_SET_MEM_BIT_*); with UNMAP set the other bits are ignored.
inline constexpr std::uint8_t kSetMemWritable = 1u << 0;
inline constexpr std::uint8_t kSetMemExecutable = 1u << 1;
inline constexpr std::uint8_t kSetMemUnmap = 1u << 2;
inline constexpr std::uint8_t kSetMemFlagsMask = 0x7;  // MSHV_SET_MEM_FLAGS_MASK

struct UserMemRegion {   // struct mshv_user_mem_region
    std::uint64_t size;  // bytes, a multiple of kHvPageSize, not 0
    std::uint64_t guest_pfn;
    std::uint64_t userspace_addr;  // kHvPageSize aligned
    std::uint8_t flags;
    std::uint8_t rsvd[7];  // MBZ
};
static_assert(sizeof(UserMemRegion) == 32);
static_assert(offsetof(UserMemRegion, guest_pfn) == 8);
static_assert(offsetof(UserMemRegion, userspace_addr) == 16);
static_assert(offsetof(UserMemRegion, flags) == 24);
static_assert(offsetof(UserMemRegion, rsvd) == 25);

// mshv_user_irqfd.flags (MSHV_IRQFD_BIT_*)
inline constexpr std::uint32_t kIrqfdDeassign = 1u << 0;
inline constexpr std::uint32_t kIrqfdResample = 1u << 1;
inline constexpr std::uint32_t kIrqfdFlagsMask = 0x3;  // MSHV_IRQFD_FLAGS_MASK

struct UserIrqfd {  // struct mshv_user_irqfd
    std::int32_t fd;
    std::int32_t resamplefd;
    std::uint32_t gsi;
    std::uint32_t flags;
};
static_assert(sizeof(UserIrqfd) == 16);
static_assert(offsetof(UserIrqfd, resamplefd) == 4);
static_assert(offsetof(UserIrqfd, gsi) == 8);
static_assert(offsetof(UserIrqfd, flags) == 12);

// mshv_user_ioeventfd.flags (MSHV_IOEVENTFD_BIT_*)
inline constexpr std::uint32_t kIoeventfdDatamatch = 1u << 0;
inline constexpr std::uint32_t kIoeventfdPio = 1u << 1;
inline constexpr std::uint32_t kIoeventfdDeassign = 1u << 2;
inline constexpr std::uint32_t kIoeventfdFlagsMask = 0x7;  // MSHV_IOEVENTFD_FLAGS_MASK

struct UserIoeventfd {  // struct mshv_user_ioeventfd
    std::uint64_t datamatch;
    std::uint64_t addr;  // PIO port or MMIO address
    std::uint32_t len;   // 1, 2, 4 or 8 (the uapi comment); mshv_eventfd.c also takes 0, any size
    std::int32_t fd;
    std::uint32_t flags;
    std::uint8_t rsvd[4];
};
static_assert(sizeof(UserIoeventfd) == 32);
static_assert(offsetof(UserIoeventfd, addr) == 8);
static_assert(offsetof(UserIoeventfd, len) == 16);
static_assert(offsetof(UserIoeventfd, fd) == 20);
static_assert(offsetof(UserIoeventfd, flags) == 24);
static_assert(offsetof(UserIoeventfd, rsvd) == 28);

struct UserIrqEntry {  // struct mshv_user_irq_entry
    std::uint32_t gsi;
    std::uint32_t address_lo;
    std::uint32_t address_hi;
    std::uint32_t data;
};
static_assert(sizeof(UserIrqEntry) == 16);
static_assert(offsetof(UserIrqEntry, address_lo) == 4);
static_assert(offsetof(UserIrqEntry, address_hi) == 8);
static_assert(offsetof(UserIrqEntry, data) == 12);

// struct mshv_user_irq_table: this header, then `nr` UserIrqEntry at offset 8 (a flexible
// array in C; the ioctl number encodes the header's 8 bytes only).
struct UserIrqTable {
    std::uint32_t nr;
    std::uint32_t rsvd;  // MBZ
};
static_assert(sizeof(UserIrqTable) == 8);
static_assert(offsetof(UserIrqTable, rsvd) == 4);
inline constexpr std::size_t kIrqTableEntriesOffset = sizeof(UserIrqTable);

// mshv_gpap_access_bitmap: access_type (MSHV_GPAP_ACCESS_TYPE_*) and access_op (_OP_*).
inline constexpr std::uint8_t kGpapAccessed = 0, kGpapDirty = 1, kGpapAccessTypeCount = 2;
inline constexpr std::uint8_t kGpapOpNoop = 0, kGpapOpClear = 1, kGpapOpSet = 2, kGpapOpCount = 3;

struct GpapAccessBitmap {  // struct mshv_gpap_access_bitmap
    std::uint8_t access_type;
    std::uint8_t access_op;
    std::uint8_t rsvd[6];  // MBZ
    std::uint64_t page_count;
    std::uint64_t gpap_base;   // first guest page number
    std::uint64_t bitmap_ptr;  // (page_count + 7) / 8 bytes at least
};
static_assert(sizeof(GpapAccessBitmap) == 32);
static_assert(offsetof(GpapAccessBitmap, access_op) == 1);
static_assert(offsetof(GpapAccessBitmap, rsvd) == 2);
static_assert(offsetof(GpapAccessBitmap, page_count) == 8);
static_assert(offsetof(GpapAccessBitmap, gpap_base) == 16);
static_assert(offsetof(GpapAccessBitmap, bitmap_ptr) == 24);

struct RootHvcall {  // struct mshv_root_hvcall
    std::uint16_t code;
    std::uint16_t reps;  // in: rep count; out: reps completed
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

// --- VP fds (from MSHV_CREATE_VP) -----------------------------------------------------------

inline constexpr std::size_t kRunVpBufSize = 256;  // MSHV_RUN_VP_BUF_SZ: one hv_message
// mmap page offsets of a VP fd (MSHV_VP_MMAP_OFFSET_*), in units of the system page size.
inline constexpr unsigned kMmapRegisters = 0, kMmapInterceptMessage = 1, kMmapGhcb = 2;

struct RunVp {  // struct mshv_run_vp
    std::uint8_t msg_buf[kRunVpBufSize];
};
static_assert(sizeof(RunVp) == 256);

// mshv_get_set_vp_state.type (MSHV_VP_STATE_*)
inline constexpr std::uint8_t kVpStateLapic = 0, kVpStateXsave = 1, kVpStateSimp = 2, kVpStateSiefp = 3,
                              kVpStateSyntheticTimers = 4, kVpStateCount = 5;

struct GetSetVpState {  // struct mshv_get_set_vp_state
    std::uint8_t type;
    std::uint8_t rsvd[3];   // MBZ
    std::uint32_t buf_sz;   // in: page-aligned buffer size; out: the size the state needs
    std::uint64_t buf_ptr;  // page aligned
};
static_assert(sizeof(GetSetVpState) == 16);
static_assert(offsetof(GetSetVpState, rsvd) == 1);
static_assert(offsetof(GetSetVpState, buf_sz) == 4);
static_assert(offsetof(GetSetVpState, buf_ptr) == 8);

// --- the numbers ------------------------------------------------------------------------------

// /dev/mshv. The v2 struct uses this number too, so its size field says 16, not 64.
inline constexpr unsigned long kCreatePartition = ioc(kWrite, kIoctlType, 0x00, sizeof(CreatePartition));
// Partition fd.
inline constexpr unsigned long kInitializePartition = ioc(kNone, kIoctlType, 0x00, 0);
inline constexpr unsigned long kCreateVp = ioc(kWrite, kIoctlType, 0x01, sizeof(CreateVp));
inline constexpr unsigned long kSetGuestMemory = ioc(kWrite, kIoctlType, 0x02, sizeof(UserMemRegion));
inline constexpr unsigned long kIrqfd = ioc(kWrite, kIoctlType, 0x03, sizeof(UserIrqfd));
inline constexpr unsigned long kIoeventfd = ioc(kWrite, kIoctlType, 0x04, sizeof(UserIoeventfd));
inline constexpr unsigned long kSetMsiRouting = ioc(kWrite, kIoctlType, 0x05, sizeof(UserIrqTable));
inline constexpr unsigned long kGetGpapAccessBitmap = ioc(kWrite | kRead, kIoctlType, 0x06, sizeof(GpapAccessBitmap));
// /dev/mshv (self-targeted, 6.19 and later), partition fd and VP fd: one number on all three.
inline constexpr unsigned long kRootHvcall = ioc(kWrite | kRead, kIoctlType, 0x07, sizeof(RootHvcall));
// VP fd.
inline constexpr unsigned long kRunVp = ioc(kRead, kIoctlType, 0x00, sizeof(RunVp));
inline constexpr unsigned long kGetVpState = ioc(kWrite | kRead, kIoctlType, 0x01, sizeof(GetSetVpState));
inline constexpr unsigned long kSetVpState = ioc(kWrite | kRead, kIoctlType, 0x02, sizeof(GetSetVpState));

static_assert(kCreatePartition == 0x4010B800);
static_assert(kInitializePartition == 0x0000B800);
static_assert(kCreateVp == 0x4004B801);
static_assert(kSetGuestMemory == 0x4020B802);
static_assert(kIrqfd == 0x4010B803);
static_assert(kIoeventfd == 0x4020B804);
static_assert(kSetMsiRouting == 0x4008B805);
static_assert(kGetGpapAccessBitmap == 0xC020B806);
static_assert(kRootHvcall == 0xC020B807);
static_assert(kRunVp == 0x8100B800);
static_assert(kGetVpState == 0xC010B801);
static_assert(kSetVpState == 0xC010B802);

// The fd kinds of mshv_root, and which ioctl each serves; anything else is -ENOTTY there.
enum class FdKind { device, partition, vp };

struct Ioctl {
    std::string_view name;
    FdKind fd;
    unsigned long number;
};

inline constexpr Ioctl kIoctls[] = {
    {"MSHV_CREATE_PARTITION", FdKind::device, kCreatePartition},
    {"MSHV_ROOT_HVCALL", FdKind::device, kRootHvcall},
    {"MSHV_INITIALIZE_PARTITION", FdKind::partition, kInitializePartition},
    {"MSHV_CREATE_VP", FdKind::partition, kCreateVp},
    {"MSHV_SET_GUEST_MEMORY", FdKind::partition, kSetGuestMemory},
    {"MSHV_IRQFD", FdKind::partition, kIrqfd},
    {"MSHV_IOEVENTFD", FdKind::partition, kIoeventfd},
    {"MSHV_SET_MSI_ROUTING", FdKind::partition, kSetMsiRouting},
    {"MSHV_GET_GPAP_ACCESS_BITMAP", FdKind::partition, kGetGpapAccessBitmap},
    {"MSHV_ROOT_HVCALL", FdKind::partition, kRootHvcall},
    {"MSHV_RUN_VP", FdKind::vp, kRunVp},
    {"MSHV_GET_VP_STATE", FdKind::vp, kGetVpState},
    {"MSHV_SET_VP_STATE", FdKind::vp, kSetVpState},
    {"MSHV_ROOT_HVCALL", FdKind::vp, kRootHvcall},
};

// --- the driver's limits [B-ROOTH, A-MAIN] --------------------------------------------------------

inline constexpr std::uint32_t kMaxVps = 256;           // MSHV_MAX_VPS
inline constexpr std::uint32_t kMaxGuestIrqs = 4096;    // MSHV_MAX_GUEST_IRQS
inline constexpr std::uint32_t kMaxHvcallBytes = 4096;  // in_sz / out_sz limit (HV_HYP_PAGE_SIZE)

// The creation flags mshv_root sends for MSHV_CREATE_PARTITION's pt_flags (MAIN): the
// always-set base plus one hypervisor bit per uapi bit; bit 3 selects the v2 struct, no flag.
inline constexpr std::uint64_t kCreationFlagsAlways =
    (1ull << 8) | (1ull << 19);  // EXO_PARTITION, INTERCEPT_MESSAGE_PAGE
inline constexpr std::pair<std::uint64_t, std::uint64_t> kPtToCreationFlag[] = {
    {kPtFlagLapic, 1ull << 13},                // LAPIC_ENABLED
    {kPtFlagX2apic, 1ull << 22},               // X2APIC_CAPABLE
    {kPtFlagGpaSuperPages, 1ull << 4},         // GPA_SUPER_PAGES_ENABLED
    {kPtFlagNestedVirtualization, 1ull << 1},  // NESTED_VIRTUALIZATION_CAPABLE
    {kPtFlagSmtEnabledGuest, 1ull << 0},       // SMT_ENABLED_GUEST
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

// --- MSHV_ROOT_HVCALL passthrough [A-MAIN] ----------------------------------

// mshv_passthru_hvcalls, for partition and VP fds: calls whose input starts with a u64
// partition id, which the kernel overwrites with the fd's. The kernel's order, which its
// comment calls sorted: 0x101 second, 0xC9 before 0xC0.
inline constexpr std::uint16_t kAllowList[] = {0x44, 0x101, 0x45, 0x4D, 0x50, 0x51, 0x52,
                                               0x56, 0x91,  0x94, 0xC9, 0xC0, 0xC1, 0xF4};
static_assert(std::size(kAllowList) == 14);
// mshv_self_passthru_hvcalls, for /dev/mshv itself: the id is forced to HV_PARTITION_ID_SELF,
// so only calls that are safe with the root as their target (get property, get property ex).
inline constexpr std::uint16_t kSelfAllowList[] = {0x44, 0x101};

[[nodiscard]] constexpr bool listed(std::span<const std::uint16_t> list, std::uint16_t code) noexcept {
    for (std::uint16_t c : list)
        if (c == code) return true;
    return false;
}
[[nodiscard]] constexpr bool allowed(std::uint16_t code) noexcept { return listed(kAllowList, code); }
[[nodiscard]] constexpr bool self_allowed(std::uint16_t code) noexcept { return listed(kSelfAllowList, code); }
// mshv_hvcall_is_async: SET_PARTITION_PROPERTY may answer CALL_PENDING and complete later; it is
// accepted only on a partition fd (with the partition lock held), -EINVAL elsewhere.
[[nodiscard]] constexpr bool is_async(std::uint16_t code) noexcept { return code == 0x45; }

}  // namespace hvsim::traces::mshv
