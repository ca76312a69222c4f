// The hypercall control word (RCX on x86_64): decoded here and nowhere else.
// Layout: TLFS "Hypercall Inputs"; Linux hvgdk_mini.h HV_HYPERCALL_* (GDKMINI).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hvcall {

// Why a builder refused its fields (instead of letting them spill into reserved bits).
enum class ControlError : std::uint8_t {
    none,
    varhead_too_large,    // more than 1023 qwords: the field is 10 bits
    rep_count_too_large,  // more than 4095: the field is 12 bits
    rep_start_too_large,  // more than 4095: the field is 12 bits
};

[[nodiscard]] constexpr std::string_view to_string(ControlError e) noexcept {
    switch (e) {
        case ControlError::none:
            return "none";
        case ControlError::varhead_too_large:
            return "variable header size exceeds 1023 qwords (10-bit field)";
        case ControlError::rep_count_too_large:
            return "rep count exceeds 4095 (12-bit field)";
        case ControlError::rep_start_too_large:
            return "rep start index exceeds 4095 (12-bit field)";
    }
    return "?";
}

class [[nodiscard]] Control {
public:
    static constexpr std::uint64_t kCodeMask = 0xFFFFull;
    static constexpr std::uint64_t kFastBit = 1ull << 16;
    static constexpr unsigned kVarheadShift = 17;
    static constexpr std::uint64_t kVarheadMask = 0x3FFull << kVarheadShift;
    static constexpr std::uint64_t kNestedBit = 1ull << 31;
    static constexpr unsigned kRepCountShift = 32;
    static constexpr std::uint64_t kRepCountMask = 0xFFFull << kRepCountShift;
    static constexpr unsigned kRepStartShift = 48;
    static constexpr std::uint64_t kRepStartMask = 0xFFFull << kRepStartShift;

    // RsvdZ in the current TLFS: bits 30:27, 47:44 and 63:60. Bit 31 is "Is Nested" there.
    static constexpr std::uint64_t kReservedMask = 0xF000F00078000000ull;
    // Linux's HV_HYPERCALL_RSVD_MASK: the TLFS reserved bits plus bit 31, which Linux (and
    // KVM) still count as reserved. hvsim decodes bit 31 as `nested` and the model rejects it
    // through its own rule, so both readings stay visible.
    static constexpr std::uint64_t kLinuxReservedMask = 0xF000F000F8000000ull;
    static_assert((kReservedMask | kNestedBit) == kLinuxReservedMask);
    static_assert((kCodeMask | kFastBit | kVarheadMask | kNestedBit | kRepCountMask | kRepStartMask | kReservedMask) ==
                  ~0ull);

    static constexpr std::uint32_t kMaxVarheadQwords = 0x3FF;
    static constexpr std::uint32_t kMaxRepCount = 0xFFF;
    static constexpr std::uint32_t kMaxRepStart = 0xFFF;

    struct Fields {
        std::uint16_t code = 0;
        bool fast = false;
        std::uint32_t varhead_qwords = 0;
        bool nested = false;
        std::uint32_t rep_count = 0;
        std::uint32_t rep_start = 0;
    };

    constexpr Control() noexcept = default;
    // Any 64-bit value, reserved bits included: this is what a CPU hands the hypervisor.
    static constexpr Control from_raw(std::uint64_t raw) noexcept { return Control{raw}; }

    [[nodiscard]] static constexpr ControlError check(const Fields& f) noexcept {
        if (f.varhead_qwords > kMaxVarheadQwords) return ControlError::varhead_too_large;
        if (f.rep_count > kMaxRepCount) return ControlError::rep_count_too_large;
        if (f.rep_start > kMaxRepStart) return ControlError::rep_start_too_large;
        return ControlError::none;
    }

    // A well-formed word, or nothing when a field does not fit (see check() for why).
    [[nodiscard]] static constexpr std::optional<Control> make(const Fields& f) noexcept {
        if (check(f) != ControlError::none) return std::nullopt;
        return Control{std::uint64_t{f.code} | (f.fast ? kFastBit : 0) |
                       (std::uint64_t{f.varhead_qwords} << kVarheadShift) | (f.nested ? kNestedBit : 0) |
                       (std::uint64_t{f.rep_count} << kRepCountShift) | (std::uint64_t{f.rep_start} << kRepStartShift)};
    }
    [[nodiscard]] static constexpr Control simple(std::uint16_t code) noexcept { return Control{code}; }
    [[nodiscard]] static constexpr Control fast_simple(std::uint16_t code) noexcept { return Control{code | kFastBit}; }
    [[nodiscard]] static constexpr std::optional<Control> rep(std::uint16_t code, std::uint32_t count,
                                                              std::uint32_t start = 0) noexcept {
        return make({.code = code, .rep_count = count, .rep_start = start});
    }

    [[nodiscard]] constexpr std::optional<Control> with_rep_start(std::uint32_t start) const noexcept {
        if (start > kMaxRepStart) return std::nullopt;
        return Control{(raw_ & ~kRepStartMask) | (std::uint64_t{start} << kRepStartShift)};
    }
    [[nodiscard]] constexpr std::optional<Control> with_rep_count(std::uint32_t count) const noexcept {
        if (count > kMaxRepCount) return std::nullopt;
        return Control{(raw_ & ~kRepCountMask) | (std::uint64_t{count} << kRepCountShift)};
    }

    [[nodiscard]] constexpr std::uint64_t raw() const noexcept { return raw_; }
    [[nodiscard]] constexpr std::uint16_t code() const noexcept { return static_cast<std::uint16_t>(raw_ & kCodeMask); }
    [[nodiscard]] constexpr bool fast() const noexcept { return (raw_ & kFastBit) != 0; }
    [[nodiscard]] constexpr std::uint32_t varhead_qwords() const noexcept {
        return static_cast<std::uint32_t>((raw_ & kVarheadMask) >> kVarheadShift);
    }
    [[nodiscard]] constexpr bool nested() const noexcept { return (raw_ & kNestedBit) != 0; }
    [[nodiscard]] constexpr std::uint32_t rep_count() const noexcept {
        return static_cast<std::uint32_t>((raw_ & kRepCountMask) >> kRepCountShift);
    }
    [[nodiscard]] constexpr std::uint32_t rep_start() const noexcept {
        return static_cast<std::uint32_t>((raw_ & kRepStartMask) >> kRepStartShift);
    }
    // Set bits among the TLFS reserved ones (bit 31 excluded: see nested()).
    [[nodiscard]] constexpr std::uint64_t reserved_bits() const noexcept { return raw_ & kReservedMask; }
    [[nodiscard]] constexpr Fields fields() const noexcept {
        return {code(), fast(), varhead_qwords(), nested(), rep_count(), rep_start()};
    }

    friend constexpr bool operator==(Control, Control) noexcept = default;

private:
    constexpr explicit Control(std::uint64_t raw) noexcept : raw_(raw) {}
    std::uint64_t raw_ = 0;
};

}  // namespace hvcall
