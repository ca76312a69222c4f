// Helpers shared by the verbs: number parsing, hex formatting, JSON output.
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "hvsim/conformance/output_file.hpp"
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

// Paths from the command line need not be UTF-8: their stray bytes print as U+FFFD.
void print_json(const nlohmann::json& j) {
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void reject_empty_values(CLI::App& verb, const std::string& verb_name, std::initializer_list<const char*> options) {
    for (const char* name : options) {
        const CLI::Option* o = verb.get_option_no_throw(name);
        if (o == nullptr || o->count() == 0) continue;
        for (const auto& value : o->results())
            if (value.empty()) throw UsageError(verb_name + " " + name + ": expected a non-empty value");
    }
}

void check_outputs(const std::string& verb_name, const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::string>& inputs) {
    for (const auto& [option, path] : outputs) {
        if (path.empty() || conformance::is_stdout_path(path)) continue;
        if (const std::string why = conformance::output_conflict(path, inputs); !why.empty())
            throw UsageError(verb_name + " " + option + " " + path + ": would overwrite what it reads (" + why +
                             "); choose another file");
    }
}

}  // namespace hvsim::cli
