// A faithful re-creation of the reference driver's marshalling as read (HVCALL, COMMON,
// PROC; SEED), flaws included, so tests can run it on the model next to hvcall and show the
// difference. Test-only: nothing here is hvcall's behaviour.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <span>

#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvcall/errno.hpp"

namespace hvcall::reference {

// hv_do_rep_hypercall: resume at reps completed after a time-slice end.
inline HypercallResult rep(Backend& b, CallId id, std::uint32_t count) {
    Control c = *Control::rep(info(id).code, count);
    for (;;) {
        const HypercallResult r = b.hypercall(c);
        if (!r.ok() || r.reps_completed() >= count) return r;
        c = *c.with_rep_start(r.reps_completed());
    }
}

// Stores one field through the "struct pointer", leaving every other byte of the page as it was.
template <class T>
void field(std::span<std::byte, kPageSize> page, std::size_t offset, T v) {
    std::memcpy(page.data() + offset, &v, sizeof v);
}

// hv_call_deposit_pages (PROC): on failure frees every page, deposited ones included, and
// returns the raw HV status (a positive number) instead of an errno.
inline int deposit_pages(Backend& b, HostPages& pages, std::uint64_t id, std::uint32_t n) {
    if (n > kDepositMax) return -E2BIG;
    if (n == 0) return 0;
    std::array<std::uint64_t, kDepositMax> pfns{};
    const auto list = std::span(pfns).first(n);
    if (pages.allocate(list) < n) return -ENOMEM;
    auto page = b.input_page();
    field(page, 0, id);
    for (std::uint32_t i = 0; i < n; ++i) field(page, 8 + 8 * i, pfns[i]);
    const HypercallResult r = rep(b, CallId::deposit_memory, n);
    if (!r.ok()) {
        pages.release(list);
        return static_cast<int>(r.status());
    }
    return 0;
}

// hv_call_unmap_gpa_pages: fields written one by one, padding left as the page held it.
inline int unmap_gpa_pages(Backend& b, std::uint64_t id, std::uint64_t gfn, std::uint64_t page_count_4k,
                           std::uint32_t flags) {
    std::uint64_t page_count = page_count_4k;
    unsigned shift = 0;
    if (page_count == 0) return -EINVAL;
    if (flags & kUnmapLargePage) {
        if (page_count % kLargePagePages != 0) return -EINVAL;
        shift = kLargePageShift;
        page_count >>= shift;
    }
    std::uint64_t done = 0;
    while (done < page_count) {
        const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(page_count - done, kUnmapGpaBatch));
        auto page = b.input_page();
        field(page, offsetof(InputUnmapGpaPages, target_partition_id), id);
        field(page, offsetof(InputUnmapGpaPages, target_gpa_base), gfn + (done << shift));
        field(page, offsetof(InputUnmapGpaPages, unmap_flags), flags);
        const HypercallResult r = rep(b, CallId::unmap_gpa_pages, n);
        if (!r.ok()) return to_errno(r);
        done += r.reps_completed();
    }
    return 0;
}

// hv_do_map_gpa_hcall: `page_array` has one entry per 4 KiB page (only every 512th is used
// with LARGE_PAGE); `index_check_fired` counts the in-loop bounds check the review asked
// about. On failure it rolls back `done`, which counts 2 MiB pages with LARGE_PAGE, as a
// 4 KiB count; reps completed by the failing call are not in `done`.
inline int map_gpa_pages(Backend& b, HostPages& pages, std::uint64_t id, std::uint64_t gfn,
                         std::uint64_t page_struct_count, std::uint32_t flags,
                         std::span<const std::uint64_t> page_array, int* index_check_fired = nullptr) {
    std::uint64_t page_count = page_struct_count;
    unsigned shift = 0;
    if (page_count == 0) return -EINVAL;
    if (flags & map_flags::large_page) {
        if (page_count % kLargePagePages != 0) return -EINVAL;
        shift = kLargePageShift;
        page_count >>= shift;
    }
    std::uint64_t done = 0;
    int ret = 0;
    while (done < page_count) {
        const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(page_count - done, kMapGpaBatch));
        auto page = b.input_page();
        field(page, offsetof(InputMapGpaPages, target_partition_id), id);
        field(page, offsetof(InputMapGpaPages, target_gpa_base), gfn + (done << shift));
        field(page, offsetof(InputMapGpaPages, map_flags), flags);
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint64_t pfn = 0;
            if (!(flags & map_flags::no_access)) {
                const std::uint64_t index = (done + i) << shift;
                if (index >= page_struct_count) {
                    if (index_check_fired) ++*index_check_fired;
                    ret = -EINVAL;
                    break;
                }
                pfn = page_array[index];
            }
            field(page, sizeof(InputMapGpaPages) + 8 * i, pfn);
        }
        if (ret) break;
        const HypercallResult r = rep(b, CallId::map_gpa_pages, n);
        const std::uint32_t completed = r.reps_completed();
        if (r.status() == Status::INSUFFICIENT_MEMORY) {
            ret = deposit_pages(b, pages, id, kMapGpaDepositPages);
            if (ret) break;
        } else if (!r.ok()) {
            ret = to_errno(r);
            break;
        }
        done += completed;
    }
    if (ret && done) {
        const std::uint32_t unmap_flags = (flags & map_flags::large_page) ? kUnmapLargePage : 0;
        (void)reference::unmap_gpa_pages(b, id, gfn, done, unmap_flags);
    }
    return ret;
}

}  // namespace hvcall::reference
