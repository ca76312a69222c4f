// A custom mutator for the reader targets: besides libFuzzer's own mutations, it makes the
// shapes hostile input takes (README, "Input limits") -- deep nesting around a part of the
// input, bytes that are not UTF-8, numbers and CBOR counts past what anything can hold -- which
// byte-level mutation reaches only by luck.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>

// libFuzzer's own mutator; weak, so that the plain replay programs link without libFuzzer.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size)
    __attribute__((weak));

namespace hvsim::fuzz {

// Inserts `what` at `at`, if it fits; returns the new size.
inline std::size_t insert(std::uint8_t* data, std::size_t size, std::size_t max_size, std::size_t at,
                          std::string_view what) {
    if (size + what.size() > max_size || at > size) return size;
    std::memmove(data + at + what.size(), data + at, size - at);
    std::memcpy(data + at, what.data(), what.size());
    return size + what.size();
}

inline std::size_t hostile_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
    std::minstd_rand r(seed);
    const auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(r()) % n; };
    switch (r() % 10) {
        case 0: {  // nesting around [a, b): just past the limit, or far past it (CBOR: one-element arrays)
            const bool json = size == 0 || data[0] != 0x89;
            const std::size_t a = pick(size + 1), b = a + pick(size - a + 1);
            std::size_t depth = r() % 2 ? 60 + pick(10) : 1000 + pick(4000);
            depth = std::min(depth, (max_size - size) / 2);
            if (depth == 0) return size;
            const std::size_t closers = json ? depth : 0;
            std::memmove(data + b + depth + closers, data + b, size - b);  // the tail, after both runs
            std::memmove(data + a + depth, data + a, b - a);               // the middle, after the openers
            std::memset(data + a, json ? '[' : 0x81, depth);
            std::memset(data + b + depth, ']', closers);
            return size + depth + closers;
        }
        case 1: {  // text that is not UTF-8: a stray byte, an overlong form, a surrogate
            static constexpr std::string_view kBad[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
            return insert(data, size, max_size, pick(size + 1), kBad[pick(4)]);
        }
        case 2: {  // numbers past a u64 or a double
            static constexpr std::string_view kHuge[] = {"18446744073709551616", "1e999", "-9223372036854775809",
                                                         "0xFFFFFFFFFFFFFFFF"};
            return insert(data, size, max_size, pick(size + 1), kHuge[pick(4)]);
        }
        case 3:  // a CBOR array or text head claiming 2^64-1 elements
            return insert(data, size, max_size, pick(size + 1),
                          r() % 2 ? "\x9b\xff\xff\xff\xff\xff\xff\xff\xff" : "\x7b\xff\xff\xff\xff\xff\xff\xff\xff");
        default:
            return LLVMFuzzerMutate != nullptr ? LLVMFuzzerMutate(data, size, max_size) : size;
    }
}

}  // namespace hvsim::fuzz

// Each reader target defines libFuzzer's hook with this line.
#define HVSIM_HOSTILE_CUSTOM_MUTATOR                                                                           \
    extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size, \
                                                   unsigned int seed) {                                        \
        return hvsim::fuzz::hostile_mutate(data, size, max_size, seed);                                        \
    }
