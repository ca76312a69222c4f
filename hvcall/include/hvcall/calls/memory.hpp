// Guest memory: map / unmap GPA pages, access states, sparse SPA page host access, marshalled
// as the reference driver does (HVCALL: hv_do_map_gpa_hcall, hv_call_unmap_gpa_pages,
// hv_call_get_gpa_access_states, hv_call_modify_spa_host_access), with its flaws fixed.
#pragma once

#include <cstdint>
#include <span>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/memory.hpp"

namespace hvcall {

// PFNs after the 24-byte header fill the rest of the input page (HV_MAP_GPA_BATCH_SIZE).
inline constexpr std::uint32_t kMapGpaBatch = (kPageSize - sizeof(InputMapGpaPages)) / sizeof(std::uint64_t);
static_assert(kMapGpaBatch == 509);
// Unmap has no element list, so no page bounds it: 512 is only there so a caller that keeps
// interrupts disabled around each call comes up for air regularly (review thread; HV_UMAP_GPA_PAGES).
inline constexpr std::uint32_t kUnmapGpaBatch = 512;
// One state byte per page in the output page, capped by the 12-bit rep count.
inline constexpr std::uint32_t kAccessStatesBatch =
    kPageSize / sizeof(std::uint8_t) < Control::kMaxRepCount ? kPageSize / sizeof(std::uint8_t) : Control::kMaxRepCount;
static_assert(kAccessStatesBatch == 4095);
// PFNs after the 16-byte header (HV_MODIFY_SPARSE_SPA_PAGE_HOST_ACCESS_MAX_PAGE_COUNT).
inline constexpr std::uint32_t kHostAccessBatch =
    (kPageSize - sizeof(InputModifySparseSpaPageHostAccess)) / sizeof(std::uint64_t);
static_assert(kHostAccessBatch == 510);
// Pages deposited into the child on any needs-memory status while mapping, whatever the
// status asks for: HV_MAP_GPA_DEPOSIT_PAGES, empirical (A-HVCALL; 6.15-6.19: on 0x0B only).
inline constexpr std::uint32_t kMapGpaDepositPages = 256;
// Flags mshv_root uses for MMIO regions: READABLE | WRITABLE | NOT_CACHED.
inline constexpr std::uint32_t kMmioMapFlags = map_flags::readable | map_flags::writable | map_flags::not_cached;

// HvCallMapGpaPages: `page_count` 4 KiB pages at `gfn`. `pfns` holds one PFN per element: per
// 4 KiB page, or with LARGE_PAGE per 2 MiB page (its head PFN; page_count must be a multiple
// of 512) — a packed list of heads, not the driver's array with 511 unused entries per head.
// With NO_ACCESS `pfns` may be empty (zeros are sent). Local -EINVAL: count 0, LARGE_PAGE
// with a count not a multiple of 512, fewer PFNs than elements (checked before any call).
// A needs-memory status deposits kMapGpaDepositPages and resumes at the completed rep. On a
// failure after progress, what was mapped is unmapped again, in 4 KiB units.
// done = 4 KiB pages mapped (0 after a rollback).
Progress map_gpa_pages(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t gfn,
                       std::uint64_t page_count, std::uint32_t flags, std::span<const std::uint64_t> pfns) noexcept;
// MMIO: `page_count` device pages from `mmio_pfn` at `gfn`, kMmioMapFlags, never large.
// -EINVAL when any page of the range is RAM (one range query, not a query per page).
Progress map_mmio_pages(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t gfn, std::uint64_t mmio_pfn,
                        std::uint64_t page_count) noexcept;

// HvCallUnmapGpaPages: `page_count` 4 KiB pages at `gfn` (a multiple of 512 with
// kUnmapLargePage). -EINVAL: count 0 or misaligned large count. done = 4 KiB pages unmapped.
Progress unmap_gpa_pages(Backend& backend, std::uint64_t id, std::uint64_t gfn, std::uint64_t page_count,
                         std::uint32_t flags) noexcept;

// HvCallGetGpaPagesAccessStates: one state byte per page into `states` (which must hold
// `count`), applying access_flags. The count is 64-bit (the driver truncates it to 32).
// done = states written, also when an error stops the loop.
Progress get_gpa_pages_access_states(Backend& backend, std::uint64_t id, std::uint64_t gfn, std::uint64_t count,
                                     std::uint64_t flags, std::span<std::uint8_t> states) noexcept;

// HvCallAcquire/ReleaseSparseSpaPageHostAccess over `page_count` 4 KiB pages: `pfns` holds one
// PFN per element (2 MiB heads with host_access::large_page). The partition id is sent only
// with make_exclusive. Local -EINVAL: count 0, misaligned large count, fewer PFNs than elements.
// done = 4 KiB pages changed.
Progress acquire_sparse_spa_page_host_access(Backend& backend, std::uint64_t id, std::span<const std::uint64_t> pfns,
                                             std::uint64_t page_count, std::uint32_t host_access,
                                             std::uint32_t flags) noexcept;
Progress release_sparse_spa_page_host_access(Backend& backend, std::uint64_t id, std::span<const std::uint64_t> pfns,
                                             std::uint64_t page_count, std::uint32_t host_access,
                                             std::uint32_t flags) noexcept;

}  // namespace hvcall
