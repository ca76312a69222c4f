// Small named pieces that map fuzz bytes to valid values (never filters): every byte string
// decodes to something, and running out of bytes yields zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace hvsim::fuzz {

class Bytes {
public:
    Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    [[nodiscard]] bool empty() const noexcept { return pos_ >= size_; }
    template <class T>
    T take() noexcept {
        T v{};
        const std::size_t n = pos_ < size_ ? std::min(sizeof(T), size_ - pos_) : 0;
        std::memcpy(&v, data_ + pos_, n);
        pos_ += sizeof(T);
        return v;
    }
    // A value in [0, bound): the low bits of the next bytes, so the mapping stays simple.
    std::uint32_t below(std::uint32_t bound) noexcept { return bound == 0 ? 0 : take<std::uint16_t>() % bound; }
    // Up to `max` raw bytes, as many as remain.
    std::span<const std::uint8_t> chunk(std::size_t max) noexcept {
        const std::size_t n = pos_ < size_ ? std::min(max, size_ - pos_) : 0;
        const auto out = std::span(data_ + (pos_ < size_ ? pos_ : size_), n);
        pos_ += n;
        return out;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

}  // namespace hvsim::fuzz
