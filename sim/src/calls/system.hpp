// What the logical-processor, system-property and power calls share: the enums of A-HDKMINI.
#pragma once

#include "common.hpp"

namespace hvsim::calls::sys {

// enum hv_system_property
inline constexpr std::uint32_t kSleepState = 3, kSchedulerType = 15, kDynamicProcessorFeature = 21, kCrashdumpArea = 47;
// enum hv_scheduler_type: the model's hypervisor schedules cores with SMT, the classic default
// (A-MAIN falls back to it on L1VH); it runs no root scheduler, so DISPATCH_VP only reports.
inline constexpr std::uint32_t kSchedulerCoreSmt = 3;
// enum hv_sleep_state
inline constexpr std::uint32_t kS1 = 1, kS5 = 5, kLock = 6;
// enum hv_partition_event and hv_crashdump_action
inline constexpr std::uint32_t kEventFirst = 1, kEventRootCrashdump = 2, kEventAllLpsStarted = 4, kEventLast = 5;
inline constexpr std::uint32_t kCrashdumpLastAction = 4;  // HV_CRASHDUMP_ENTRY

[[nodiscard]] inline state::SystemState& system(CallContext& ctx) noexcept { return model(ctx).system; }

}  // namespace hvsim::calls::sys
