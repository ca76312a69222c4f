#include "hvcall/calls/memory.hpp"

#include <algorithm>

#include "hvcall/calls/partition.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"
#include "issue.hpp"

namespace hvcall {

namespace {

// Where map elements come from: the caller's PFN list, consecutive MMIO PFNs, or zeros.
struct MapSource {
    std::span<const std::uint64_t> pfns;
    std::uint64_t mmio_pfn = 0;
    bool mmio = false;
};

Progress map(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t gfn, std::uint64_t page_count,
             std::uint32_t flags, const MapSource& source) noexcept {
    if (page_count == 0 || (!source.pfns.empty() && source.mmio)) return {-EINVAL, 0};
    unsigned shift = 0;
    if (flags & map_flags::large_page) {
        if (source.mmio || page_count % kLargePagePages != 0) return {-EINVAL, 0};
        shift = kLargePageShift;
    }
    const std::uint64_t elements = page_count >> shift;
    const bool no_access = (flags & map_flags::no_access) != 0;
    // Checked once, up front: the driver's in-loop index check can never fire (review thread),
    // while a short list here would otherwise be found only after earlier batches were mapped.
    if (!no_access && !source.mmio && source.pfns.size() < elements) return {-EINVAL, 0};

    const auto fill = [&](std::span<std::byte, kPageSize> page, std::uint64_t done, std::uint32_t batch) {
        InputMapGpaPages in{};
        in.target_partition_id = id;
        in.target_gpa_base = gfn + (done << shift);
        in.map_flags = flags;
        detail::put_header(page, in);
        std::byte* list = page.data() + sizeof(InputMapGpaPages);
        if (no_access) {
            std::memset(list, 0, std::size_t{batch} * sizeof(std::uint64_t));
        } else if (source.mmio) {
            for (std::uint32_t i = 0; i < batch; ++i) {
                const std::uint64_t pfn = source.mmio_pfn + done + i;
                std::memcpy(list + std::size_t{i} * sizeof pfn, &pfn, sizeof pfn);
            }
        } else {
            detail::put_qwords(page, sizeof(InputMapGpaPages), source.pfns.subspan(done, batch));
        }
    };
    // A fixed amount into the child for any of the four needs-memory statuses, root statuses
    // included (A-HVCALL); the next batch starts at the first rep that did not complete.
    const auto failed = [&](HypercallResult r) -> detail::BatchFailure {
        if (!needs_memory(r.status())) return to_errno(r);
        if (const int e = deposit_memory(backend, pages, id, kMapGpaDepositPages)) return e;
        return std::nullopt;
    };
    const Progress p =
        detail::rep_batches(backend, CallId::map_gpa_pages, elements, kMapGpaBatch, fill, detail::no_output, failed);
    if (p.ok()) return {0, p.done << shift};
    if (p.done != 0) {
        // Undo in the unmap call's own unit, 4 KiB pages: the driver passes `done` (2 MiB
        // pages with LARGE_PAGE) as the 4 KiB count, so its rollback unmaps 1/512 of it or
        // fails its own alignment check.
        const std::uint32_t unmap_flags = shift != 0 ? kUnmapLargePage : 0;
        (void)unmap_gpa_pages(backend, id, gfn, p.done << shift, unmap_flags);
    }
    return {p.error, 0};
}

Progress modify_host_access(Backend& backend, CallId call, std::uint64_t id, std::span<const std::uint64_t> pfns,
                            std::uint64_t page_count, std::uint32_t access, std::uint32_t flags) noexcept {
    if (page_count == 0) return {-EINVAL, 0};
    unsigned shift = 0;
    if (flags & host_access::large_page) {
        if (page_count % kLargePagePages != 0) return {-EINVAL, 0};
        shift = kLargePageShift;
    }
    const std::uint64_t elements = page_count >> shift;
    if (pfns.size() < elements) return {-EINVAL, 0};  // up front, as in map_gpa_pages
    const Progress p =
        detail::rep_batches(backend, call, elements, kHostAccessBatch,
                            [&](std::span<std::byte, kPageSize> page, std::uint64_t done, std::uint32_t batch) {
                                InputModifySparseSpaPageHostAccess in{};
                                in.host_access = access;
                                in.flags = flags;
                                if (flags & host_access::make_exclusive) in.partition_id = id;  // only then (HVCALL)
                                detail::put_header(page, in);
                                detail::put_qwords(page, sizeof in, pfns.subspan(done, batch));
                            });
    return {p.error, p.done << shift};
}

}  // namespace

Progress map_gpa_pages(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t gfn,
                       std::uint64_t page_count, std::uint32_t flags, std::span<const std::uint64_t> pfns) noexcept {
    return map(backend, pages, id, gfn, page_count, flags, MapSource{pfns});
}

Progress map_mmio_pages(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t gfn, std::uint64_t mmio_pfn,
                        std::uint64_t page_count) noexcept {
    if (page_count == 0 || pages.is_ram(mmio_pfn, page_count)) return {-EINVAL, 0};
    return map(backend, pages, id, gfn, page_count, kMmioMapFlags, MapSource{{}, mmio_pfn, true});
}

Progress unmap_gpa_pages(Backend& backend, std::uint64_t id, std::uint64_t gfn, std::uint64_t page_count,
                         std::uint32_t flags) noexcept {
    if (page_count == 0) return {-EINVAL, 0};
    unsigned shift = 0;
    if (flags & kUnmapLargePage) {
        if (page_count % kLargePagePages != 0) return {-EINVAL, 0};
        shift = kLargePageShift;
    }
    const Progress p =
        detail::rep_batches(backend, CallId::unmap_gpa_pages, page_count >> shift, kUnmapGpaBatch,
                            [&](std::span<std::byte, kPageSize> page, std::uint64_t done, std::uint32_t /*batch*/) {
                                InputUnmapGpaPages in{};
                                in.target_partition_id = id;
                                in.target_gpa_base = gfn + (done << shift);
                                in.unmap_flags = flags;
                                detail::put_header(page, in);
                            });
    return {p.error, p.done << shift};
}

Progress get_gpa_pages_access_states(Backend& backend, std::uint64_t id, std::uint64_t gfn, std::uint64_t count,
                                     std::uint64_t flags, std::span<std::uint8_t> states) noexcept {
    if (states.size() < count) return {-EINVAL, 0};
    return detail::rep_batches(
        backend, CallId::get_gpa_pages_access_states, count, kAccessStatesBatch,
        [&](std::span<std::byte, kPageSize> page, std::uint64_t done, std::uint32_t /*batch*/) {
            InputGetGpaPagesAccessStates in{};
            in.partition_id = id;
            in.flags = flags;
            in.gpa_page_number = gfn + done;
            detail::put_header(page, in);
        },
        [&](std::uint64_t done, std::uint32_t completed) {  // only the bytes written
            std::memcpy(states.data() + done, backend.output_page().data(), completed);
        });
}

Progress acquire_sparse_spa_page_host_access(Backend& backend, std::uint64_t id, std::span<const std::uint64_t> pfns,
                                             std::uint64_t page_count, std::uint32_t access,
                                             std::uint32_t flags) noexcept {
    return modify_host_access(backend, CallId::acquire_sparse_spa_page_host_access, id, pfns, page_count, access,
                              flags);
}

Progress release_sparse_spa_page_host_access(Backend& backend, std::uint64_t id, std::span<const std::uint64_t> pfns,
                                             std::uint64_t page_count, std::uint32_t access,
                                             std::uint32_t flags) noexcept {
    return modify_host_access(backend, CallId::release_sparse_spa_page_host_access, id, pfns, page_count, access,
                              flags);
}

}  // namespace hvcall
