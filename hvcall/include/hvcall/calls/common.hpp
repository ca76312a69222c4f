// What the marshalling functions share: the caller's source of root pages (for deposits and
// withdrawals, hvcall/host_pages.hpp) and the result of a call that makes progress in steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hvcall/host_pages.hpp"

namespace hvcall {

// 0 or a negative errno, and how far the call got (in the unit the function documents).
struct [[nodiscard]] Progress {
    int error = 0;
    std::uint64_t done = 0;
    [[nodiscard]] constexpr bool ok() const noexcept { return error == 0; }
};

}  // namespace hvcall
