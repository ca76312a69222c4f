#include "hvsim/memory.hpp"

#include <algorithm>
#include <cstring>

namespace hvsim {

using hvcall::kPageSize;

Page& PhysicalMemory::page(std::uint64_t gpa) {
    auto& slot = pages_[gpa / kPageSize];
    if (!slot) slot = std::make_unique<Frame>();
    return slot->bytes;
}

const Page* PhysicalMemory::find_page(std::uint64_t gpa) const noexcept {
    const auto it = pages_.find(gpa / kPageSize);
    return it == pages_.end() ? nullptr : &it->second->bytes;
}

Page* PhysicalMemory::find_page(std::uint64_t gpa) noexcept {
    const auto it = pages_.find(gpa / kPageSize);
    return it == pages_.end() ? nullptr : &it->second->bytes;
}

void PhysicalMemory::write(std::uint64_t gpa, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        const std::size_t in_page = std::min<std::size_t>(bytes.size(), kPageSize - gpa % kPageSize);
        std::memcpy(page(gpa).data() + gpa % kPageSize, bytes.data(), in_page);
        bytes = bytes.subspan(in_page);
        gpa += in_page;
    }
}

void PhysicalMemory::read(std::uint64_t gpa, std::span<std::byte> out) const {
    while (!out.empty()) {
        const std::size_t in_page = std::min<std::size_t>(out.size(), kPageSize - gpa % kPageSize);
        if (const Page* p = find_page(gpa))
            std::memcpy(out.data(), p->data() + gpa % kPageSize, in_page);
        else
            std::memset(out.data(), 0, in_page);
        out = out.subspan(in_page);
        gpa += in_page;
    }
}

void PhysicalMemory::reset(std::uint64_t keep_gpa, std::uint64_t keep_bytes) {
    const std::uint64_t first = keep_gpa / kPageSize;
    const std::uint64_t end = (keep_gpa + keep_bytes + kPageSize - 1) / kPageSize;
    for (auto it = pages_.begin(); it != pages_.end();) {
        if (it->first < first || it->first >= end) {
            it = pages_.erase(it);
            continue;
        }
        it->second->bytes.fill(std::byte{0});
        ++it;
    }
}

}  // namespace hvsim
