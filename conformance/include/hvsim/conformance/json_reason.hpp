// nlohmann's exception texts as they go into our one-line errors (scenario loader, trace reader).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace hvsim::conformance {

// One printable line, whatever bytes the file held.
inline std::string printable_line(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
    return text;
}

// The reason without nlohmann's "[json.exception.out_of_range.406] " tag, e.g. "number overflow
// parsing '1e999'".
inline std::string json_reason(const nlohmann::json::exception& e) {
    std::string text = e.what();
    if (const auto at = text.find("] "); at != std::string::npos) text.erase(0, at + 2);
    return printable_line(std::move(text));
}

}  // namespace hvsim::conformance
