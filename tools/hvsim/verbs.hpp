// What every verb file shares: its registration function and a few output/parsing helpers.
// Adding a verb: one <verb>.cpp defining add_<verb>(), one line here, in main.cpp and in CMake.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hvcall/catalogue.hpp"

namespace hvsim::cli {

// Optional column for `calls`: whether the model implements a call (nullptr: no column).
using ImplementedFn = bool (*)(hvcall::CallId);

void add_decode(CLI::App& app);
void add_calls(CLI::App& app, ImplementedFn is_implemented = nullptr);
void add_status(CLI::App& app);
void add_rules(CLI::App& app);
void add_call(CLI::App& app);
void add_run(CLI::App& app);
void add_conformance(CLI::App& app);
void add_replay(CLI::App& app);
void add_diff(CLI::App& app);
void add_record(CLI::App& app);
void add_fuzz_input_to_trace(CLI::App& app);
void add_kernel(CLI::App& app);
void add_mshv(CLI::App& app);

inline constexpr int kExitUsage = 2;

// A bad argument a verb found after parsing; main prints "hvsim: <what()>" and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Hex with 0x/0X prefix, or decimal; the whole string, at most 64 bits. `what` names the
// argument for the error message, e.g. "decode control: VALUE".
[[nodiscard]] std::uint64_t parse_u64(std::string_view text, std::string_view what);

[[nodiscard]] std::string hex(std::uint64_t value, int digits);    // "0x0046"
[[nodiscard]] std::vector<unsigned> set_bits(std::uint64_t bits);  // lowest first
// The run of contiguous `mask` bits holding `bit`, labelled as the TLFS does: "63:60".
[[nodiscard]] std::string bit_run(std::uint64_t mask, unsigned bit);

// Options given with an empty value are mistakes ("--junit ''" names no file), refused.
void reject_empty_values(CLI::App& verb, const std::string& verb_name, std::initializer_list<const char*> options);
// An output that would overwrite one of the verb's inputs is refused: {option, path} pairs.
void check_outputs(const std::string& verb_name, const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::string>& inputs);

// The --json flag every listing and decoding verb offers.
CLI::Option* add_json_flag(CLI::App& verb, bool& json);
void print_json(const nlohmann::json& j);  // indented, newline-terminated, to stdout

}  // namespace hvsim::cli
