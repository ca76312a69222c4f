// Hypervisor status codes, expanded from status.def.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hvcall {

enum class Status : std::uint16_t {
#define HV_STATUS(name, value, message) name = value,
#include "hvcall/status.def"
#undef HV_STATUS
};

struct StatusInfo {
    Status status;
    std::string_view name;     // without the HV_STATUS_ prefix
    std::string_view message;  // one line
};

inline constexpr StatusInfo kStatuses[] = {
#define HV_STATUS(name, value, message) {Status::name, #name, message},
#include "hvcall/status.def"
#undef HV_STATUS
};

// The entry for a known status, or nullptr for a value no source defines.
[[nodiscard]] constexpr const StatusInfo* find_status(std::uint16_t value) noexcept {
    for (const auto& s : kStatuses) {
        if (static_cast<std::uint16_t>(s.status) == value) return &s;
    }
    return nullptr;
}

// "INVALID_ALIGNMENT", or "UNKNOWN" for a value no source defines.
[[nodiscard]] constexpr std::string_view status_name(Status s) noexcept {
    const StatusInfo* info = find_status(static_cast<std::uint16_t>(s));
    return info ? info->name : std::string_view{"UNKNOWN"};
}

[[nodiscard]] constexpr std::string_view status_message(Status s) noexcept {
    const StatusInfo* info = find_status(static_cast<std::uint16_t>(s));
    return info ? info->message : std::string_view{"no source defines this status value"};
}

// Accepts "INVALID_ALIGNMENT" or "HV_STATUS_INVALID_ALIGNMENT".
[[nodiscard]] constexpr std::optional<Status> status_from_name(std::string_view name) noexcept {
    if (name.starts_with("HV_STATUS_")) name.remove_prefix(10);
    for (const auto& s : kStatuses) {
        if (s.name == name) return s.status;
    }
    return std::nullopt;
}

}  // namespace hvcall
