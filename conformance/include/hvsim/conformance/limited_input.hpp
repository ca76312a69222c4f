// Untrusted input (scenarios, traces, whatever a campaign produced): files read with a size
// limit, JSON and CBOR parsed with a nesting limit and CBOR text checked for UTF-8 before any
// value is built. Each refusal is one line that names what was expected (README, "Input limits").
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hvsim::conformance {

inline constexpr std::size_t kMaxNesting = 64;                 // arrays and objects inside each other
inline constexpr std::uintmax_t kMaxScenarioBytes = 4u << 20;  // a scenario file: 4 MiB
inline constexpr std::uintmax_t kMaxTraceBytes = 1ull << 30;   // a trace file: 1 GiB
inline constexpr std::size_t kMaxRecordBytes = 1u << 20;       // one trace record (a line, a frame)

// A file that cannot be taken: missing, a directory, a device, too large, unreadable.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The whole file, if it is a regular file (or a pipe) of at most `limit` bytes. `what` names
// what was expected ("a scenario file"). Throws InputError "<path>: <why>; expected <what>".
[[nodiscard]] std::string read_limited(const std::string& path, std::uintmax_t limit, std::string_view what);

struct Parsed {
    nlohmann::json value;
    std::string error;     // empty: parsed; else why not (one printable line)
    std::size_t byte = 0;  // where it went wrong, from the start of the text
};

// JSON text (one document; UTF-8 is checked by the parser) or one CBOR item.
[[nodiscard]] Parsed parse_json_limited(std::string_view text, std::size_t max_nesting = kMaxNesting);
[[nodiscard]] Parsed parse_cbor_limited(std::string_view bytes, std::size_t max_nesting = kMaxNesting);

// A name or value quoted in a message: control bytes and bytes that are not UTF-8 written as
// \xNN, so the message stays one printable line.
[[nodiscard]] std::string quote_text(std::string_view text);
[[nodiscard]] bool valid_utf8(std::string_view text) noexcept;
// A message made one printable line: control bytes and bytes that are not UTF-8 as \n, \t, \xNN.
[[nodiscard]] std::string one_line(std::string_view text);

}  // namespace hvsim::conformance
