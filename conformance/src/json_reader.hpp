// Inside the scenario loader: one JSON file's text parsed and its fields read as typed values,
// every mistake one LoadError naming the file and the field's JSON pointer. The generic half of
// loading; the scenario grammar (load.cpp) builds on it. The codecs (codecs.hpp) are the
// building blocks the trace reader shares; their refusals come out here in this file's style.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hvcall/status.hpp"
#include "hvsim/conformance/codecs.hpp"
#include "hvsim/rules.hpp"

namespace hvsim::conformance::detail {

[[nodiscard]] std::string join(const std::vector<std::string>& words);
[[nodiscard]] inline std::string type_name(const nlohmann::json& j) { return j.type_name(); }

// The file's JSON; invalid JSON is a LoadError with the line and column.
[[nodiscard]] nlohmann::json parse_file(const std::string& file, const std::string& text);

class JsonReader {
public:
    explicit JsonReader(std::string file) : file_(std::move(file)) {}

protected:
    using json = nlohmann::json;

    [[noreturn]] void fail(const std::string& ptr, const std::string& msg) const;

    // A shared codec's refusal (codecs.hpp), its field under `base`, as this file's error.
    template <class Read>
    auto guard(const std::string& base, Read&& read) const -> decltype(read()) {
        try {
            return read();
        } catch (const CodecError& e) {
            fail(base + e.field(), e.what());
        }
    }

    void object(const json& j, const std::string& ptr, const std::vector<std::string>& allowed, const char* what) const;
    [[nodiscard]] const json& required(const json& j, const std::string& ptr, const std::string& key,
                                       const char* what) const;
    // "0x10", "4096", "2MiB", "self" or a plain JSON number, at most `max`; `also` names a form
    // the caller reads itself before this.
    [[nodiscard]] std::uint64_t number(const json& j, const std::string& ptr, std::uint64_t max,
                                       std::string_view also = {}) const;
    [[nodiscard]] bool boolean(const json& j, const std::string& ptr) const;
    [[nodiscard]] std::string text(const json& j, const std::string& ptr, const char* what) const;
    [[nodiscard]] hvcall::Status status(const json& j, const std::string& ptr) const;
    // 0, "ok", a negative errno or its name ("-EINVAL").
    [[nodiscard]] int error(const json& j, const std::string& ptr) const;
    [[nodiscard]] RuleId rule(const json& j, const std::string& ptr) const;
    [[nodiscard]] std::uint16_t call_code(const json& j, const std::string& ptr) const;
    // Pairs of hex digits ("0x" first, spaces, colons and _ ignored), at most a page of bytes.
    [[nodiscard]] std::vector<std::byte> hex(const json& j, const std::string& ptr) const;

    std::string file_;
};

}  // namespace hvsim::conformance::detail
