// Typed steps: hvcall's marshalling functions by snake_case name, with named arguments.
// Adding a function: one entry in typed_calls.cpp (its arguments, outputs and a lambda).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"

namespace hvsim::conformance {

enum class ArgType : std::uint8_t { u64, u32, u16, u8, list };

// The widest value a scalar argument takes (a wider literal is a load error).
[[nodiscard]] constexpr std::uint64_t max_value(ArgType t) noexcept {
    switch (t) {
        case ArgType::u32:
            return 0xFFFFFFFFu;
        case ArgType::u16:
            return 0xFFFFu;
        case ArgType::u8:
            return 0xFFu;
        default:
            return ~0ull;
    }
}

struct ArgSpec {
    std::string_view name;
    ArgType type = ArgType::u64;
    std::optional<std::uint64_t> fallback;  // nothing: required (a list with a fallback defaults to empty)
};

// What an adapter works with: the backend, the root pages it deposits from, the root's id.
struct TypedEnv {
    hvcall::Backend& backend;
    hvcall::HostPages& pages;
    std::uint64_t root_id;
};

// Resolved arguments, by name; every declared argument is present (defaults filled in).
class TypedArgs {
public:
    explicit TypedArgs(std::map<std::string, std::vector<std::uint64_t>> values) : values_(std::move(values)) {}
    [[nodiscard]] std::uint64_t u64(std::string_view name) const { return values_.at(std::string(name)).at(0); }
    [[nodiscard]] std::uint32_t u32(std::string_view name) const { return static_cast<std::uint32_t>(u64(name)); }
    [[nodiscard]] std::uint16_t u16(std::string_view name) const { return static_cast<std::uint16_t>(u64(name)); }
    [[nodiscard]] std::uint8_t u8(std::string_view name) const { return static_cast<std::uint8_t>(u64(name)); }
    [[nodiscard]] std::span<const std::uint64_t> list(std::string_view name) const {
        return values_.at(std::string(name));
    }

private:
    std::map<std::string, std::vector<std::uint64_t>> values_;
};

struct TypedOutcome {
    int error = 0;
    std::map<std::string, std::vector<std::uint64_t>> outputs;  // "id", "done", "states", ...
};

struct TypedCall {
    std::string_view name;
    std::vector<ArgSpec> args;
    std::vector<std::string_view> outputs;
    TypedOutcome (*run)(TypedEnv&, const TypedArgs&);
    [[nodiscard]] const ArgSpec* arg(std::string_view n) const {
        for (const auto& a : args)
            if (a.name == n) return &a;
        return nullptr;
    }
};

[[nodiscard]] const std::vector<TypedCall>& typed_calls();
[[nodiscard]] const TypedCall* find_typed_call(std::string_view name);

}  // namespace hvsim::conformance
