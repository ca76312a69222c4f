// Deposited memory and guest memory structures (HDKMINI, GDK, HDK-2B).
// Rep element lists follow each header directly; their element types are plain u64 PFNs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hvcall/types/partition.hpp"

namespace hvcall {

// GPA map flags (HDKMINI).
namespace map_flags {
inline constexpr std::uint32_t readable = 0x1;
inline constexpr std::uint32_t writable = 0x2;
inline constexpr std::uint32_t kernel_executable = 0x4;
inline constexpr std::uint32_t user_executable = 0x8;
inline constexpr std::uint32_t executable = 0xC;
inline constexpr std::uint32_t adjustable = 0x8000;
inline constexpr std::uint32_t no_access = 0x10000;
inline constexpr std::uint32_t not_cached = 0x200000;
inline constexpr std::uint32_t large_page = 0x80000000;
}  // namespace map_flags

inline constexpr std::uint32_t kUnmapLargePage = 0x2;  // HV_UNMAP_GPA_LARGE_PAGE

// Access-state flags and the per-page state byte (HDKMINI).
namespace access_flags {
inline constexpr std::uint64_t clear_accessed = 0x1, set_accessed = 0x2, clear_dirty = 0x4, set_dirty = 0x8;
}
inline constexpr std::uint8_t kGpaPageAccessed = 0x1, kGpaPageDirty = 0x2;

// Sparse SPA page host access (HDK-2B).
namespace host_access {
inline constexpr std::uint32_t readable = 0x1, writable = 0x2;
inline constexpr std::uint32_t make_exclusive = 0x1, make_shared = 0x2, large_page = 0x4, huge_page = 0x8;
}  // namespace host_access

inline constexpr unsigned kLargePageShift = 9;  // HV_HYP_LARGE_PAGE_SHIFT 21 - HV_HYP_PAGE_SHIFT 12
inline constexpr std::uint64_t kLargePagePages = 1ull << kLargePageShift;

struct InputDepositMemory {
    std::uint64_t partition_id;
    // gpa_page_list[]: one PFN per rep element
};
static_assert(sizeof(InputDepositMemory) == 8);

struct InputWithdrawMemory {
    std::uint64_t partition_id;
    ProximityDomainInfo proximity_domain_info;
};
static_assert(offsetof(InputWithdrawMemory, proximity_domain_info) == 8);
static_assert(sizeof(InputWithdrawMemory) == 16);
// Output: gpa_page_list[], one PFN per completed rep.

struct InputMapGpaPages {
    std::uint64_t target_partition_id;
    std::uint64_t target_gpa_base;  // GFN, 4 KiB units even with LARGE_PAGE
    std::uint32_t map_flags;
    std::uint32_t padding;
    // source_gpa_page_list[]: one PFN per rep element (head PFNs with LARGE_PAGE)
};
static_assert(offsetof(InputMapGpaPages, target_gpa_base) == 8);
static_assert(offsetof(InputMapGpaPages, map_flags) == 16);
static_assert(offsetof(InputMapGpaPages, padding) == 20);
static_assert(sizeof(InputMapGpaPages) == 24);

struct InputUnmapGpaPages {
    std::uint64_t target_partition_id;
    std::uint64_t target_gpa_base;
    std::uint32_t unmap_flags;
    std::uint32_t padding;
};
static_assert(offsetof(InputUnmapGpaPages, target_gpa_base) == 8);
static_assert(offsetof(InputUnmapGpaPages, unmap_flags) == 16);
static_assert(sizeof(InputUnmapGpaPages) == 24);

struct InputGetGpaPagesAccessStates {
    std::uint64_t partition_id;
    std::uint64_t flags;
    std::uint64_t gpa_page_number;
};
static_assert(offsetof(InputGetGpaPagesAccessStates, flags) == 8);
static_assert(offsetof(InputGetGpaPagesAccessStates, gpa_page_number) == 16);
static_assert(sizeof(InputGetGpaPagesAccessStates) == 24);
// Output: one state byte per rep (bit 0 accessed, bit 1 dirty).

struct InputModifySparseSpaPageHostAccess {
    std::uint32_t host_access;  // bits 0-1; 2-31 reserved
    std::uint32_t flags;
    std::uint64_t partition_id;  // only with make_exclusive
    // spa_page_list[]: one PFN per rep element
};
static_assert(offsetof(InputModifySparseSpaPageHostAccess, flags) == 4);
static_assert(offsetof(InputModifySparseSpaPageHostAccess, partition_id) == 8);
static_assert(sizeof(InputModifySparseSpaPageHostAccess) == 16);

}  // namespace hvcall
