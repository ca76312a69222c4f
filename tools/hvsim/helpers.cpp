// Helpers shared by the verbs: number parsing, hex and errno formatting, JSON output.
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "verbs.hpp"

namespace hvsim::cli {

std::uint64_t parse_u64(std::string_view text, std::string_view what) {
    const std::string shown = std::string(what) + " '" + std::string(text) + "'";
    int base = 10;
    std::string_view digits = text;
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        base = 16;
        digits.remove_prefix(2);
    }
    std::uint64_t value = 0;
    // from_chars accepts no sign, space or prefix, so "-1", "+1" and " 1" are rejected here.
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || end != digits.data() + digits.size() || ec == std::errc::invalid_argument) {
        throw UsageError(shown + " is not a number (expected hex 0x... or decimal)");
    }
    if (ec == std::errc::result_out_of_range) {
        throw UsageError(shown + " does not fit in 64 bits (expected at most 0xFFFFFFFFFFFFFFFF)");
    }
    return value;
}

std::string hex(std::uint64_t value, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%0*llX", digits, static_cast<unsigned long long>(value));
    return buf;
}

std::string errno_name(int err) {
    switch (err) {
        case 0: return "0";
        case -EINVAL: return "-EINVAL";
        case -ENOMEM: return "-ENOMEM";
        case -EIO: return "-EIO";
        case -EOPNOTSUPP: return "-EOPNOTSUPP";
        case -EACCES: return "-EACCES";
        case -EAGAIN: return "-EAGAIN";
        case -ENODEV: return "-ENODEV";
        case -ENOSPC: return "-ENOSPC";
        default: return std::to_string(err);
    }
}

std::vector<unsigned> set_bits(std::uint64_t bits) {
    std::vector<unsigned> out;
    for (unsigned bit = 0; bit < 64; ++bit) {
        if ((bits >> bit) & 1u) out.push_back(bit);
    }
    return out;
}

std::string bit_run(std::uint64_t mask, unsigned bit) {
    unsigned lo = bit;
    unsigned hi = bit;
    while (lo > 0 && ((mask >> (lo - 1)) & 1u)) --lo;
    while (hi < 63 && ((mask >> (hi + 1)) & 1u)) ++hi;
    return std::to_string(hi) + ":" + std::to_string(lo);
}

CLI::Option* add_json_flag(CLI::App& verb, bool& json) {
    return verb.add_flag("--json", json, "Print JSON instead of text");
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << '\n'; }

}  // namespace hvsim::cli
