// Text helpers shared by the checkers of hand-written files in conformance/tests (the golden ABI
// file, docs/sources.md and the catalogues' citations).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace text_fields {

inline bool is_space(char c) { return c == ' ' || c == '\t'; }

// Without leading and trailing blanks and carriage returns.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_space(s.front()) || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The blank-separated words of s.
inline std::vector<std::string_view> split_ws(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        const std::size_t start = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

}  // namespace text_fields
