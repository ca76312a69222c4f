#include "json_reader.hpp"

#include <algorithm>
#include <cctype>

#include "hvcall/catalogue.hpp"
#include "hvcall/errno_names.hpp"
#include "hvsim/conformance/json_reason.hpp"
#include "hvsim/conformance/limited_input.hpp"
#include "hvsim/conformance/scenario.hpp"

namespace hvsim::conformance::detail {

using nlohmann::json;

std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
    return s;
}

namespace {

// nlohmann reports a byte position; people want line and column.
std::string position(const std::string& text, std::size_t byte) {
    std::size_t line = 1, col = 1;
    const std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n')
            ++line, col = 1;
        else
            ++col;
    }
    return std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace

json parse_file(const std::string& file, const std::string& text) {
    Parsed parsed = parse_json_limited(text);
    if (parsed.error.empty()) return std::move(parsed.value);
    const std::string& msg = parsed.error;
    std::string where = parsed.byte != 0 ? ":" + position(text, parsed.byte) : "";
    // Well-formed JSON nlohmann cannot hold ("number overflow parsing '1e999'") gives no
    // position; the token it quotes finds the place.
    if (where.empty())
        if (const auto q = msg.find('\''); q != std::string::npos && msg.size() > q + 2 && msg.back() == '\'')
            if (const auto at = text.find(msg.substr(q + 1, msg.size() - q - 2)); at != std::string::npos)
                where = ":" + position(text, at + 1);
    throw LoadError(file + where + ": invalid JSON: " + printable_line(msg) +
                    (msg.starts_with("number overflow") ? "; expected a number a double can hold" : ""));
}

void JsonReader::fail(const std::string& ptr, const std::string& msg) const {
    throw LoadError(file_ + ": at " + (ptr.empty() ? std::string("/") : ptr) + ": " + msg);
}

void JsonReader::object(const json& j, const std::string& ptr, const std::vector<std::string>& allowed,
                        const char* what) const {
    guard("", [&] { check_object(j, ptr, allowed, what); });
}

const json& JsonReader::required(const json& j, const std::string& ptr, const std::string& key,
                                 const char* what) const {
    return guard("", [&]() -> const json& { return required_key(j, ptr, key, what); });
}

std::uint64_t JsonReader::number(const json& j, const std::string& ptr, std::uint64_t max,
                                 std::string_view also) const {
    return guard("", [&] { return read_number(j, ptr, max, also); });
}

bool JsonReader::boolean(const json& j, const std::string& ptr) const {
    return guard("", [&] { return read_bool(j, ptr); });
}

std::string JsonReader::text(const json& j, const std::string& ptr, const char* what) const {
    if (!j.is_string()) fail(ptr, std::string("expected ") + what + " (a string), got " + type_name(j));
    return j.get<std::string>();
}

hvcall::Status JsonReader::status(const json& j, const std::string& ptr) const {
    return guard("", [&] { return read_status(j, ptr); });
}

int JsonReader::error(const json& j, const std::string& ptr) const {
    if (j.is_number_integer()) {
        const auto v = j.get<std::int64_t>();
        if (v > 0 || v < -4095)
            fail(ptr, "errno " + j.dump() + " out of range (expected 0 or a negative errno such as -22)");
        return static_cast<int>(v);
    }
    if (j.is_string()) {
        std::string s = j.get<std::string>();
        if (s == "0" || s == "ok") return 0;
        if (s.starts_with("-")) s.erase(0, 1);
        if (const auto v = hvcall::errno_value(s)) return -*v;
    }
    fail(ptr, "expected an errno: 0, \"ok\", a negative number or a name such as \"-EINVAL\", got " + j.dump());
}

RuleId JsonReader::rule(const json& j, const std::string& ptr) const {
    const std::string id = text(j, ptr, "a rule id");
    if (const auto* r = find_rule(id)) return r->rule;
    fail(ptr, "unknown rule '" + id + "' (see 'hvsim rules' for the catalogue)");
}

std::uint16_t JsonReader::call_code(const json& j, const std::string& ptr) const {
    return guard("", [&] { return read_call_code(j, ptr); });
}

std::vector<std::byte> JsonReader::hex(const json& j, const std::string& ptr) const {
    std::string s = text(j, ptr, "hex bytes");
    if (s.starts_with("0x")) s.erase(0, 2);
    std::string digits;
    for (char c : s) {
        if (c == ' ' || c == ':' || c == '_') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            fail(ptr, std::string("'") + c + "' in hex bytes (expected pairs of hex digits)");
        digits += c;
    }
    if (digits.size() % 2) fail(ptr, "odd number of hex digits (expected whole bytes)");
    if (digits.size() / 2 > hvcall::kPageSize) fail(ptr, "more than 4096 bytes of hex");
    std::vector<std::byte> out;
    for (std::size_t i = 0; i < digits.size(); i += 2)
        out.push_back(static_cast<std::byte>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    return out;
}

}  // namespace hvsim::conformance::detail
