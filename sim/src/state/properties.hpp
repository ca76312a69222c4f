// Partition properties the model knows (A-HDKMINI hv_partition_property_code; the ones real
// VMMs read and write, mshv-uapi's clients included), with their
// initial values and the values a set may give them. Sources give codes, not ranges: each
// range below is hvsim's reading of the property's meaning.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hvsim::state {

enum class Range : std::uint8_t {
    read_only,  // get only
    max,        // 0 .. limit
    mask,       // no bits outside limit
    // no bits outside limit, and only before the partition is initialized: what a VMM chooses
    // for a partition it is still building (privilege flags; RV test_set_partition_property_invalid
    // observes INVALID_PARTITION_STATE after initialize)
    creation,
};

struct PropertyInfo {
    std::uint32_t code;
    std::string_view name;
    std::uint64_t initial;
    Range range;
    std::uint64_t limit;
};

// Synthetic processor features: bits 0-32 of HDK-2B less the reserved 12-14, 16, 17, 19, 21, 23.
inline constexpr std::uint64_t kSyntheticFeatureMask = 0x1FFFFFFFFull & ~0x00AB7000ull;

inline constexpr std::array kProperties = {
    PropertyInfo{0x00010000, "privilege_flags", 0, Range::creation, ~0ull},
    PropertyInfo{0x00010001, "synthetic_proc_features", 0, Range::mask, kSyntheticFeatureMask},
    PropertyInfo{0x00020000, "suspend", 0, Range::max, 1},
    PropertyInfo{0x00020005, "integrated_scheduler_enabled", 0, Range::read_only, 0},
    PropertyInfo{0x00030003, "time_freeze", 0, Range::max, 1},
    PropertyInfo{0x00030005, "reference_time", 0, Range::read_only, 0},
    PropertyInfo{0x00050005, "gpa_page_access_tracking", 0, Range::max, 1},
    PropertyInfo{0x00050017, "unimplemented_msr_action", 0, Range::max, 1},                 // 0 fault, 1 ignore
    PropertyInfo{0x00060000, "processor_vendor", 0, Range::read_only, 0},                   // 0: Intel
    PropertyInfo{0x00060002, "processor_xsave_features", 0, Range::mask, 0x3FFFFFFFFFull},  // HDK-2B xsave bits 0-37
    PropertyInfo{0x00060003, "processor_cl_flush_size", 8, Range::read_only, 0},            // in 8-byte units: 64 bytes
    PropertyInfo{0x00060006, "physical_address_width", 46, Range::read_only, 0},
    PropertyInfo{0x00060007, "xsave_states", 0x7, Range::read_only, 0},
    PropertyInfo{0x00060008, "max_xsave_data_size", 0x340, Range::read_only, 0},
    PropertyInfo{0x00060009, "processor_clock_frequency", 2'000'000'000, Range::read_only, 0},
    PropertyInfo{0x0006000A, "processor_features0", 0, Range::mask, ~0ull},  // banks as in creation properties
    PropertyInfo{0x0006000B, "processor_features1", 0, Range::mask, ~0ull},
    PropertyInfo{0x00070000, "guest_os_id", 0, Range::mask, ~0ull},
    PropertyInfo{0x00090007, "vmm_capabilities", 0, Range::read_only, 0},
    PropertyInfo{0x00090009, "assignable_synthetic_proc_features", kSyntheticFeatureMask, Range::read_only, 0},
};

using PropertyValues = std::array<std::uint64_t, kProperties.size()>;

[[nodiscard]] constexpr std::optional<std::size_t> property_index(std::uint32_t code) noexcept {
    for (std::size_t i = 0; i < kProperties.size(); ++i)
        if (kProperties[i].code == code) return i;
    return std::nullopt;
}

[[nodiscard]] constexpr PropertyValues initial_properties() noexcept {
    PropertyValues v{};
    for (std::size_t i = 0; i < kProperties.size(); ++i) v[i] = kProperties[i].initial;
    return v;
}

[[nodiscard]] constexpr bool in_range(const PropertyInfo& p, std::uint64_t value) noexcept {
    switch (p.range) {
        case Range::read_only:
            return false;
        case Range::max:
            return value <= p.limit;
        case Range::mask:
        case Range::creation:
            return (value & ~p.limit) == 0;
    }
    return false;
}

}  // namespace hvsim::state
