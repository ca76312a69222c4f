// Root pages for hvcall's deposits and withdrawals, drawn from the model's free host RAM:
// what a scenario or test hands the marshalling functions in place of the kernel's allocator.
#pragma once

#include <algorithm>
#include <vector>

#include "hvcall/host_pages.hpp"
#include "hvsim/machine.hpp"

namespace hvsim {

class HostPageSource final : public hvcall::HostPages {
public:
    // Hands out free RAM pages from [first_pfn, end_pfn) in ascending order, then pages
    // released back to it (most recent first, as a kernel's per-CPU free list would).
    HostPageSource(Machine& machine, std::uint64_t first_pfn, std::uint64_t end_pfn)
        : machine_(machine), next_(first_pfn), end_(end_pfn) {
        released_.reserve(4096);
    }
    // The upper half of the machine's RAM.
    explicit HostPageSource(Machine& machine)
        : HostPageSource(machine, machine.config().ram_bytes / hvcall::kPageSize / 2,
                         machine.config().ram_bytes / hvcall::kPageSize) {}

    [[nodiscard]] std::size_t allocate(std::span<std::uint64_t> out) noexcept override {
        std::size_t n = 0;
        while (n < out.size() && !released_.empty()) {
            out[n++] = released_.back();
            released_.pop_back();
        }
        while (n < out.size() && next_ < end_) {
            // A run of free pages at a time; a page in use is stepped over.
            const std::uint64_t run =
                std::min({machine_.hypervisor().free_ram_from(next_), end_ - next_, std::uint64_t{out.size() - n}});
            if (run == 0) ++next_;
            for (std::uint64_t k = 0; k < run; ++k) out[n++] = next_++;
        }
        handed_out_ += n;
        return n;
    }
    void release(std::span<const std::uint64_t> pfns) noexcept override {
        released_.insert(released_.end(), pfns.begin(), pfns.end());
        returned_ += pfns.size();
    }
    [[nodiscard]] bool is_ram(std::uint64_t pfn, std::uint64_t count) const noexcept override {
        return count != 0 && pfn < machine_.config().ram_bytes / hvcall::kPageSize;  // RAM is [0, ram_bytes)
    }

    [[nodiscard]] std::uint64_t handed_out() const noexcept { return handed_out_; }
    [[nodiscard]] std::uint64_t returned() const noexcept { return returned_; }
    [[nodiscard]] const std::vector<std::uint64_t>& released() const noexcept { return released_; }

private:
    Machine& machine_;
    std::uint64_t next_;
    std::uint64_t end_;
    std::vector<std::uint64_t> released_;
    std::uint64_t handed_out_ = 0;
    std::uint64_t returned_ = 0;
};

}  // namespace hvsim
