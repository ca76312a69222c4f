// System-wide calls of the root partition, marshalled as the newest drivers issue them: system
// properties (A-MAIN hv_retrieve_scheduler_type), the root's boot path (A-PROC hv_lp_exists,
// hv_call_add_logical_proc, hv_call_notify_all_processors_started), power-off (S-COMMON
// hv_initialize_sleep_states, hv_machine_power_off) and the crash path (T-CRASH
// hv_notify_prepare_hyp, crash_nmi_callback). Every input is built zeroed. 0 or a negative
// errno; never throws, never allocates.
#pragma once

#include <cstdint>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/system.hpp"

namespace hvcall {

// HvCallGetSystemProperty: `property` (system_property) with its u32 argument (the processor
// feature for dynamic_processor_feature, else 0); the 8-byte output union in `value` on
// success. No retry.
[[nodiscard]] int get_system_property(Backend& backend, std::uint32_t property, std::uint32_t arg,
                                      std::uint64_t& value) noexcept;
// The hypervisor's scheduler (scheduler::), as A-MAIN hv_retrieve_scheduler_type reads it at
// init: property 15, argument 0. Only the union's u32 scheduler_type is read: the driver zeroes
// the whole output page before the call, which hvcall never does (the hypervisor defines what
// it writes). An L1VH does not ask and assumes core_smt (A-MAIN).
[[nodiscard]] int scheduler_type(Backend& backend, std::uint32_t& type) noexcept;

// Whether LP `lp_index` is already started, as A-PROC hv_lp_exists asks with
// HvCallGetLogicalProcessorRunTime at root boot (after a kexec the hypervisor still runs the
// LPs the previous kernel added): true on success, false on INVALID_LP_INDEX. Any other status
// makes the driver BUG(); hvcall returns -EIO instead and leaves `exists` unwritten.
[[nodiscard]] int lp_exists(Backend& backend, std::uint32_t lp_index, bool& exists) noexcept;

// HvCallAddLogicalProcessor, as A-PROC hv_call_add_logical_proc: LP `lp_index` with its APIC
// id; each needs-memory status deposits what it asks for into `self_id` (the root,
// hv_current_partition_id; the root-memory statuses into SELF) and retries. The driver writes
// the fields over the per-CPU page without clearing it and passes its NUMA node's proximity;
// hvcall sends the input zeroed, proximity 0 (no preference, not valid). The 56-byte startup
// status is not read, as in the driver.
[[nodiscard]] int add_logical_processor(Backend& backend, HostPages& pages, std::uint64_t self_id,
                                        std::uint32_t lp_index, std::uint32_t apic_id) noexcept;

// HvCallNotifyPartitionEvent ALL_LOGICAL_PROCESSORS_STARTED (event 4, zeroed input), as
// A-PROC hv_call_notify_all_processors_started once every AP is up.
[[nodiscard]] int notify_all_processors_started(Backend& backend) noexcept;

// HvCallSetSystemProperty SLEEP_STATE: register sleep state `state` (sleep_state::) with the
// ACPI PM1a/PM1b SLP_TYP values, as S-COMMON hv_initialize_sleep_states registers S5 from its
// reboot notifier. The whole 72-byte input is zeroed first: the reserved word and the 58
// bytes of the union past the sleep-state info.
[[nodiscard]] int set_sleep_state(Backend& backend, std::uint32_t state, std::uint8_t pm1a, std::uint8_t pm1b) noexcept;

// HvCallEnterSleepState (S-COMMON hv_machine_power_off sends S5 and BUG()s if it returns). On
// hardware an accepted S5 does not return; a backend that returns reports the status.
[[nodiscard]] int enter_sleep_state(Backend& backend, std::uint32_t state) noexcept;

// HvCallNotifyPartitionEvent ROOT_CRASHDUMP with `action` (crashdump_action::), as T-CRASH
// hv_notify_prepare_hyp sends ENTRY then SUSPEND_ALL_VPS from its crash NMI handler.
[[nodiscard]] int notify_crashdump(Backend& backend, std::uint32_t action) noexcept;

// HvCallDisableHypervisorEx: turn the hypervisor off and continue at `rip` (the crash
// trampoline's physical address) with `arg` in EDI, as T-CRASH crash_nmi_callback. On success
// it does not return on hardware; the driver ignores the status, hvcall returns its errno.
[[nodiscard]] int disable_hypervisor(Backend& backend, std::uint64_t rip, std::uint64_t arg) noexcept;

}  // namespace hvcall
