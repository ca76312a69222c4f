// Statistics pages (HDKMINI hv_input_map_stats_page / hv_input_unmap_stats_page):
// which object's counters, as a type and a 16-byte identity whose shape the type picks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hvcall {

namespace stats_type {
inline constexpr std::uint32_t hypervisor = 0x1, logical_processor = 0x2, partition = 0x00010001, vp = 0x00010002;
}
// Whose view of the counters (the identity's last byte).
namespace stats_area {
inline constexpr std::uint8_t self = 0, parent = 1, internal = 2;
}

// The identity in its widest (VP) shape: the partition form uses `id` only, the LP form the
// low 32 bits of `id`, the hypervisor form nothing; every unused byte is reserved (zero).
struct StatsIdentity {
    std::uint64_t id;  // partition id, or the LP index
    std::uint32_t vp_index;
    std::uint16_t flags;
    std::uint8_t reserved;
    std::uint8_t stats_area_type;
};
static_assert(offsetof(StatsIdentity, vp_index) == 8);
static_assert(offsetof(StatsIdentity, flags) == 12);
static_assert(offsetof(StatsIdentity, stats_area_type) == 15);
static_assert(sizeof(StatsIdentity) == 16);

// Map and unmap take the same input.
struct InputStatsPage {
    std::uint32_t type;
    std::uint32_t padding;
    StatsIdentity identity;
};
static_assert(offsetof(InputStatsPage, identity) == 8);
static_assert(sizeof(InputStatsPage) == 24);

// HvCallMapStatsPage2 (A-HDKMINI hv_input_map_stats_page2): the same 24 bytes, then the PFN
// of the page the caller supplies for the counters; no output.
struct InputMapStatsPage2 {
    std::uint32_t type;
    std::uint32_t padding;
    StatsIdentity identity;
    std::uint64_t map_location;
};
static_assert(offsetof(InputMapStatsPage2, identity) == 8);
static_assert(offsetof(InputMapStatsPage2, map_location) == 24);
static_assert(sizeof(InputMapStatsPage2) == 32);

struct OutputMapStatsPage {
    std::uint64_t map_location;  // PFN of the counters page
};
static_assert(sizeof(OutputMapStatsPage) == 8);

// One object's counters. Build it with the functions below: each leaves its form's unused
// bytes zero.
struct StatsObject {
    std::uint32_t type;
    StatsIdentity identity;
};
[[nodiscard]] constexpr StatsObject hypervisor_stats(std::uint8_t area) noexcept {
    return {stats_type::hypervisor, {0, 0, 0, 0, area}};
}
[[nodiscard]] constexpr StatsObject logical_processor_stats(std::uint32_t lp_index, std::uint8_t area) noexcept {
    return {stats_type::logical_processor, {lp_index, 0, 0, 0, area}};
}
[[nodiscard]] constexpr StatsObject partition_stats(std::uint64_t partition_id, std::uint8_t area) noexcept {
    return {stats_type::partition, {partition_id, 0, 0, 0, area}};
}
[[nodiscard]] constexpr StatsObject vp_stats(std::uint64_t partition_id, std::uint32_t vp_index,
                                             std::uint8_t area) noexcept {
    return {stats_type::vp, {partition_id, vp_index, 0, 0, area}};
}

}  // namespace hvcall
