// The "needs memory" statuses and what the driver deposits for each (Linux 7.0 and later):
// hv_result_needs_memory() and hv_deposit_memory_node() in drivers/hv/hv_proc.c [A-PROC],
// from mainline 7db44aa173de / ede54383e646, cf82dd5ea958 (contiguous) and 158ebb578cd5
// (root memory).
//
// Before 7.0 (6.15-6.19) only INSUFFICIENT_MEMORY was retried, with one page into the
// partition passed in; the three newer statuses ended the call as -EIO.
#pragma once

#include <cstdint>
#include <optional>

#include "hvcall/status.hpp"

namespace hvcall {

// HV_MAX_CONTIGUOUS_ALLOCATION_PAGES (hvhdk_mini.h, cf82dd5ea958): what a "contiguous" status asks for.
inline constexpr std::uint32_t kMaxContiguousAllocationPages = 8;

[[nodiscard]] constexpr bool needs_memory(Status s) noexcept {
    switch (s) {
        case Status::INSUFFICIENT_MEMORY:
        case Status::INSUFFICIENT_CONTIGUOUS_MEMORY:
        case Status::INSUFFICIENT_ROOT_MEMORY:
        case Status::INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY:
            return true;
        default:
            return false;
    }
}

// How many pages a needs-memory status asks for, and whether they go to the root itself
// (HV_PARTITION_ID_SELF) instead of the partition the call was about.
struct DepositPlan {
    std::uint32_t pages;
    bool into_self;
};

[[nodiscard]] constexpr std::optional<DepositPlan> deposit_plan(Status s) noexcept {
    switch (s) {
        case Status::INSUFFICIENT_MEMORY:
            return DepositPlan{1, false};
        case Status::INSUFFICIENT_CONTIGUOUS_MEMORY:
            return DepositPlan{kMaxContiguousAllocationPages, false};
        case Status::INSUFFICIENT_ROOT_MEMORY:
            return DepositPlan{1, true};
        case Status::INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY:
            return DepositPlan{kMaxContiguousAllocationPages, true};
        default:
            return std::nullopt;  // the driver logs "Unexpected" and answers -ENOMEM
    }
}

}  // namespace hvcall
