// The caller's source of root pages, which hvcall's deposits and withdrawals draw on and the
// model's HostPageSource implements: an interface of the ABI target, beside Backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hvcall {

// The kernel services a driver uses around these calls: alloc_pages / __free_page for deposits
// and withdrawals, page_is_ram for MMIO mappings. Implementations must not throw.
class HostPages {
public:
    virtual ~HostPages() = default;
    // Fills `out` with free root PFNs; returns how many it could (fewer means out of memory).
    [[nodiscard]] virtual std::size_t allocate(std::span<std::uint64_t> out) noexcept = 0;
    // Takes back pages the hypervisor returned (or that were never deposited).
    virtual void release(std::span<const std::uint64_t> pfns) noexcept = 0;
    // True when any page of [pfn, pfn + count) is RAM.
    [[nodiscard]] virtual bool is_ram(std::uint64_t pfn, std::uint64_t count) const noexcept = 0;
};

}  // namespace hvcall
