// Inside the trace reader: a hypercall record's fields as read, before they are decoded and
// checked against each other and the catalogue (trace.cpp). Two readers fill them: the DOM
// one (nlohmann::json, a message for every mistake) and the fast one here, which reads the
// shape the writer produces and gives up on anything else, leaving it to the DOM one.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "hvsim/traces/trace.hpp"

namespace hvsim::traces::detail {

struct IdTexts {
    std::array<std::string_view, 8> text{};  // "KIND@OFFSET"
    std::size_t count = 0;
};

// Views into the record's bytes (or the DOM): valid while those live.
struct RecordFields {
    std::string_view call, form, status;
    std::uint64_t control = 0, result = 0, reps = 0, output_size = 0;
    std::string_view input, output;  // JSON Lines: hex digits; CBOR: the bytes
    IdTexts in_ids, out_ids;
    std::optional<Placement> at;
};

// A JSON Lines line or a CBOR frame's map as the writer makes them: a flat object of strings
// (no escapes), unsigned integers, byte strings and lists of those, every required key present
// and no other. False for anything else, a model record included.
[[nodiscard]] bool scan_jsonl(std::string_view line, RecordFields& t);
[[nodiscard]] bool scan_cbor(std::string_view frame, RecordFields& t);

[[nodiscard]] std::optional<std::uint64_t> parse_hex64(std::string_view s);  // "0x" and 1 to 16 digits
[[nodiscard]] int hex_digit(char ch) noexcept;                               // its value, or -1

}  // namespace hvsim::traces::detail
