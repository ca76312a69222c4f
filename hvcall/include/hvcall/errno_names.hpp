// The errno names hvsim prints and reads (scenario "errno" fields, reports, the driver model's
// summaries): one table for every place that names an errno.
#pragma once

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

namespace hvcall {

struct ErrnoName {
    std::string_view name;  // "EINVAL"
    int value;              // positive
};

inline constexpr ErrnoName kErrnoNames[] = {
    {"EPERM", EPERM},         {"ENOENT", ENOENT}, {"EIO", EIO},       {"ENXIO", ENXIO},           {"E2BIG", E2BIG},
    {"EBADF", EBADF},         {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM}, {"EACCES", EACCES},         {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},         {"EEXIST", EEXIST}, {"ENODEV", ENODEV}, {"EINVAL", EINVAL},         {"ENOTTY", ENOTTY},
    {"ENOSPC", ENOSPC},       {"ERANGE", ERANGE}, {"EBADFD", EBADFD}, {"EOPNOTSUPP", EOPNOTSUPP}, {"EINTR", EINTR},
    {"EOVERFLOW", EOVERFLOW},
};

// "EINVAL" for 22 or -22; nothing for a value the table lacks.
[[nodiscard]] constexpr std::optional<std::string_view> errno_name(int value) noexcept {
    const int v = value < 0 ? -value : value;
    for (const auto& e : kErrnoNames)
        if (e.value == v) return e.name;
    return std::nullopt;
}
// The positive value of a name ("EINVAL" -> 22).
[[nodiscard]] constexpr std::optional<int> errno_value(std::string_view name) noexcept {
    for (const auto& e : kErrnoNames)
        if (e.name == name) return e.value;
    return std::nullopt;
}
// A negative errno as code prints it: "-EINVAL", "0", or the number when unnamed.
[[nodiscard]] inline std::string errno_text(int negative) {
    if (negative == 0) return "0";
    if (const auto n = errno_name(negative)) return (negative < 0 ? "-" : "") + std::string(*n);
    return std::to_string(negative);
}

}  // namespace hvcall
