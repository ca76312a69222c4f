// System-wide calls of the root (A-HDKMINI layouts): system properties, sleep states, logical
// processors, partition events, disabling the hypervisor. Plain structs whose natural alignment
// gives the packed kernel layout; every offset is pinned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hvcall/types/partition.hpp"

namespace hvcall {

// enum hv_system_property (A-HDKMINI).
namespace system_property {
inline constexpr std::uint32_t sleep_state = 3, scheduler_type = 15, dynamic_processor_feature = 21,
                               crashdump_area = 47;
}

// enum hv_scheduler_type (A-HDKMINI).
namespace scheduler {
inline constexpr std::uint32_t lp = 1, lp_smt = 2, core_smt = 3, root = 4;
}

// enum hv_sleep_state (A-HDKMINI): S1-S5, then LOCK, after which no registration is accepted.
namespace sleep_state {
inline constexpr std::uint32_t s1 = 1, s2 = 2, s3 = 3, s4 = 4, s5 = 5, lock = 6;
}

// enum hv_partition_event and enum hv_crashdump_action (A-HDKMINI).
namespace partition_event {
inline constexpr std::uint32_t root_crashdump = 2, all_logical_processors_started = 4;
}
namespace crashdump_action {
inline constexpr std::uint32_t none = 0, suspend_all_vps = 1, prepare_for_state_save = 2, state_saved = 3, entry = 4;
}

// 8 bytes in A-HDKMINI (older HDKMINI had 16): the property, then a u32 argument (the
// processor feature for DYNAMIC_PROCESSOR_FEATURE_PROPERTY, else 0).
struct InputGetSystemProperty {
    std::uint32_t property_id;
    std::uint32_t arg;
};
static_assert(offsetof(InputGetSystemProperty, arg) == 4);
static_assert(sizeof(InputGetSystemProperty) == 8);

// A union: the scheduler type is a u32 at 0; feature values, the crash-dump PFN range and the
// trampoline address are u64.
struct OutputGetSystemProperty {
    std::uint64_t value;
};
static_assert(sizeof(OutputGetSystemProperty) == 8);

struct SleepStateInfo {
    std::uint32_t sleep_state;
    std::uint8_t pm1a_slp_typ;
    std::uint8_t pm1b_slp_typ;
};
static_assert(offsetof(SleepStateInfo, pm1a_slp_typ) == 4);
static_assert(offsetof(SleepStateInfo, pm1b_slp_typ) == 5);

// The property, a reserved u32, then a 64-byte union (u64 reserved0[8] sizes it) of which
// the sleep-state info is the only member: bytes 14-71 stay zero.
struct InputSetSystemProperty {
    std::uint32_t property_id;
    std::uint32_t reserved;
    union {
        SleepStateInfo sleep;
        std::uint64_t reserved0[8];
    } u;
};
static_assert(offsetof(InputSetSystemProperty, reserved) == 4);
static_assert(offsetof(InputSetSystemProperty, u) == 8);
static_assert(offsetof(InputSetSystemProperty, u.sleep.pm1a_slp_typ) == 12);
static_assert(offsetof(InputSetSystemProperty, u.sleep.pm1b_slp_typ) == 13);
static_assert(sizeof(InputSetSystemProperty) == 72);

struct InputEnterSleepState {
    std::uint32_t sleep_state;
};
static_assert(sizeof(InputEnterSleepState) == 4);

// The event, then a 4-byte event input (the crash-dump action for ROOT_CRASHDUMP).
struct InputNotifyPartitionEvent {
    std::uint32_t event;
    std::uint32_t input;
};
static_assert(offsetof(InputNotifyPartitionEvent, input) == 4);
static_assert(sizeof(InputNotifyPartitionEvent) == 8);

// HV_X64_INPUT_DISABLE_HYPERVISOR_EX: where the CPU continues with the hypervisor off.
struct InputDisableHypEx {
    std::uint64_t rip;
    std::uint64_t arg;
};
static_assert(offsetof(InputDisableHypEx, arg) == 8);
static_assert(sizeof(InputDisableHypEx) == 16);

struct InputGetLogicalProcessorRunTime {
    std::uint32_t lp_index;
};
static_assert(sizeof(InputGetLogicalProcessorRunTime) == 4);

struct OutputGetLogicalProcessorRunTime {
    std::uint64_t global_time;
    std::uint64_t local_run_time;
    std::uint64_t rsvdz0;
    std::uint64_t hypervisor_time;
};
static_assert(offsetof(OutputGetLogicalProcessorRunTime, hypervisor_time) == 24);
static_assert(sizeof(OutputGetLogicalProcessorRunTime) == 32);

struct InputAddLogicalProcessor {
    std::uint32_t lp_index;
    std::uint32_t apic_id;
    ProximityDomainInfo proximity_domain_info;
};
static_assert(offsetof(InputAddLogicalProcessor, apic_id) == 4);
static_assert(offsetof(InputAddLogicalProcessor, proximity_domain_info) == 8);
static_assert(sizeof(InputAddLogicalProcessor) == 16);

// hv_lp_startup_status: the LP's own status, then six substatus qwords.
struct OutputAddLogicalProcessor {
    std::uint64_t hv_status;
    std::uint64_t substatus[6];
};
static_assert(offsetof(OutputAddLogicalProcessor, substatus) == 8);
static_assert(sizeof(OutputAddLogicalProcessor) == 56);

}  // namespace hvcall
