// Statistics pages, marshalled as the reference driver does (HVCALL: hv_call_map_stat_page,
// hv_call_unmap_stat_page). 0 or a negative errno; never throws, never allocates.
#pragma once

#include <cstdint>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/stats.hpp"

namespace hvcall {

// HvCallMapStatsPage: the PFN of `object`'s counters page in `pfn`. Retries
// needs-memory statuses by depositing into `self_id`, the caller's own partition
// (hv_current_partition_id), not the partition the counters belong to.
[[nodiscard]] int map_stats_page(Backend& backend, HostPages& pages, const StatsObject& object, std::uint64_t self_id,
                                 std::uint64_t& pfn) noexcept;
// HvCallUnmapStatsPage, no retry.
[[nodiscard]] int unmap_stats_page(Backend& backend, const StatsObject& object) noexcept;

}  // namespace hvcall
