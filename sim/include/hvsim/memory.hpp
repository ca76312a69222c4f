// The root partition's physical memory: sparse 4 KiB pages that exist once touched.
// Pages never move once created, so pointers into them stay valid for the machine's life,
// and each is 4 KiB aligned in host memory too, so kernel code run on the model (sim/shim)
// can find a page from any pointer into it, as page_address/virt_to_page do.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

#include "hvcall/catalogue.hpp"

namespace hvsim {

using Page = std::array<std::byte, hvcall::kPageSize>;

class PhysicalMemory {
public:
    // RAM is [0, ram_bytes); anything above is outside the GPA space the caller owns.
    explicit PhysicalMemory(std::uint64_t ram_bytes) : ram_bytes_(ram_bytes) {}

    [[nodiscard]] std::uint64_t ram_bytes() const noexcept { return ram_bytes_; }
    [[nodiscard]] bool in_ram(std::uint64_t gpa, std::uint64_t size) const noexcept {
        return gpa < ram_bytes_ && size <= ram_bytes_ - gpa;
    }

    // The page holding `gpa`, created zero-filled on first touch.
    [[nodiscard]] Page& page(std::uint64_t gpa);
    // The page holding `gpa`, or nullptr while it was never touched (it reads as zeros).
    [[nodiscard]] const Page* find_page(std::uint64_t gpa) const noexcept;
    [[nodiscard]] Page* find_page(std::uint64_t gpa) noexcept;

    // Byte copies that may cross pages; writes create pages, reads of untouched pages give 0.
    void write(std::uint64_t gpa, std::span<const std::byte> bytes);
    void read(std::uint64_t gpa, std::span<std::byte> out) const;

    [[nodiscard]] std::size_t pages_touched() const noexcept { return pages_.size(); }

    // Every page reads as zeros again. Pages in [keep_gpa, keep_gpa + keep_bytes) stay allocated,
    // zeroed in place, so pointers to them stay valid; the others are freed.
    void reset(std::uint64_t keep_gpa, std::uint64_t keep_bytes);

private:
    std::uint64_t ram_bytes_;
    struct alignas(hvcall::kPageSize) Frame {
        Page bytes{};  // value-initialised: zero-filled
    };
    std::unordered_map<std::uint64_t, std::unique_ptr<Frame>> pages_;  // by page frame number
};

}  // namespace hvsim
