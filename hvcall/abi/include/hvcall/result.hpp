// The hypercall result word (RAX on x86_64): decoded here and nowhere else.
// Layout: TLFS "Hypercall Outputs"; Linux hv_result()/hv_repcomp() (ASMGEN).
#pragma once

#include <cstdint>

#include "hvcall/status.hpp"

namespace hvcall {

class [[nodiscard]] HypercallResult {
public:
    static constexpr std::uint64_t kStatusMask = 0xFFFFull;
    static constexpr unsigned kRepsShift = 32;
    static constexpr std::uint64_t kRepsMask = 0xFFFull << kRepsShift;
    // Every bit that is neither status nor reps completed. The TLFS calls them RsvdZ
    // (its "63-40" label overlaps reps completed; that is a documentation slip).
    static constexpr std::uint64_t kReservedMask = ~(kStatusMask | kRepsMask);
    // What Linux's hv_do_hypercall() returns when no hypercall page is set up.
    static constexpr std::uint64_t kHypercallPageMissing = ~0ull;

    constexpr HypercallResult() noexcept = default;
    static constexpr HypercallResult from_raw(std::uint64_t raw) noexcept { return HypercallResult{raw}; }
    static constexpr HypercallResult make(Status s, std::uint32_t reps_completed = 0) noexcept {
        return HypercallResult{static_cast<std::uint64_t>(s) |
                               ((std::uint64_t{reps_completed} << kRepsShift) & kRepsMask)};
    }

    [[nodiscard]] constexpr std::uint64_t raw() const noexcept { return raw_; }
    [[nodiscard]] constexpr Status status() const noexcept { return static_cast<Status>(raw_ & kStatusMask); }
    [[nodiscard]] constexpr std::uint32_t reps_completed() const noexcept {
        return static_cast<std::uint32_t>((raw_ & kRepsMask) >> kRepsShift);
    }
    [[nodiscard]] constexpr std::uint64_t reserved_bits() const noexcept { return raw_ & kReservedMask; }
    [[nodiscard]] constexpr bool ok() const noexcept { return status() == Status::SUCCESS; }

    friend constexpr bool operator==(HypercallResult, HypercallResult) noexcept = default;

private:
    constexpr explicit HypercallResult(std::uint64_t raw) noexcept : raw_(raw) {}
    std::uint64_t raw_ = 0;
};

}  // namespace hvcall
