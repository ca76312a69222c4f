// Statistics pages, marshalled as the reference driver does (HVCALL: hv_call_map_stat_page,
// hv_call_unmap_stat_page; A-HVCALL hv_call_map_stats_page, hv_call_map_stats_page2). 0 or a
// negative errno; never throws, never allocates.
#pragma once

#include <cstdint>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/stats.hpp"

namespace hvcall {

// HvCallMapStatsPage: the PFN of `object`'s counters page in `pfn`. Retries
// needs-memory statuses by depositing into `self_id`, the caller's own partition
// (hv_current_partition_id), not the partition the counters belong to. A PARENT-area request
// answered with INVALID_PARAMETER is success with pfn 0, as A-HVCALL hv_call_map_stats_page
// reports it (a NULL page): older hypervisors have only the SELF area, and the caller falls back
// to it. Every other failure is its errno; `pfn` is written only when 0 is returned (the
// driver reads the output's location before it knows whether the call succeeded).
[[nodiscard]] int map_stats_page(Backend& backend, HostPages& pages, const StatsObject& object, std::uint64_t self_id,
                                 std::uint64_t& pfn) noexcept;
// HvCallMapStatsPage2 (A-HVCALL hv_call_map_stats_page2, the L1VH overlay mode of
// hv_map_stats_page): the counters go into `pfn`, a page the caller supplies and keeps (free it
// after unmapping). Local -EINVAL, before any call, when `pfn` is 0. Needs-memory statuses
// deposit into `self_id` and retry. The driver also refuses the call outside overlay mode
// (an L1VH whose VMM capabilities have vmm_can_provide_overlay_gpfn); hvcall cannot know the
// mode: check vmm_capabilities() first. The newer call supports SELF and PARENT areas always.
[[nodiscard]] int map_stats_page2(Backend& backend, HostPages& pages, const StatsObject& object, std::uint64_t self_id,
                                  std::uint64_t pfn) noexcept;
// HvCallUnmapStatsPage, no retry.
[[nodiscard]] int unmap_stats_page(Backend& backend, const StatsObject& object) noexcept;

}  // namespace hvcall
