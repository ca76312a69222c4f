// Status to errno, as Linux's hv_result_to_errno() does (drivers/hv/hv_common.c [HVCOMMON]
// with the 7.0 additions of cf82dd5ea958 and 158ebb578cd5). Returns 0 or a negative errno.
#pragma once

#include <cerrno>

#include "hvcall/result.hpp"

namespace hvcall {

[[nodiscard]] constexpr int errno_for_status(Status s) noexcept {
    switch (s) {
        case Status::SUCCESS:
            return 0;
        case Status::INVALID_HYPERCALL_CODE:
        case Status::INVALID_HYPERCALL_INPUT:
        case Status::INVALID_PARAMETER:
        case Status::INVALID_PARTITION_ID:
        case Status::INVALID_VP_INDEX:
        case Status::INVALID_PORT_ID:
        case Status::INVALID_CONNECTION_ID:
        // Linux's table lists these two twice (-EINVAL, then -EIO); the first match wins.
        case Status::INVALID_LP_INDEX:
        case Status::INVALID_REGISTER_VALUE:
            return -EINVAL;
        // The needs-memory family (needs_memory.hpp). Before 7.0 only 0x0B was -ENOMEM; the
        // other three fell through to -EIO.
        case Status::INSUFFICIENT_MEMORY:
        case Status::INSUFFICIENT_CONTIGUOUS_MEMORY:
        case Status::INSUFFICIENT_ROOT_MEMORY:
        case Status::INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY:
            return -ENOMEM;
        default:
            return -EIO;  // the table's other entries, and every code it does not list
    }
}

[[nodiscard]] constexpr int to_errno(HypercallResult r) noexcept {
    if (r.raw() == HypercallResult::kHypercallPageMissing) return -EOPNOTSUPP;
    return errno_for_status(r.status());
}

}  // namespace hvcall
