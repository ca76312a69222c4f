// Virtual processors, marshalled as the reference driver does (PROC hv_call_create_vp; HVCALL
// hv_call_delete_vp; COMMON hv_call_get/set_vp_registers; HVCALL hv_call_get/set_vp_state,
// hv_map/unmap_vp_state_page; A-MAIN mshv_vp_dispatch) plus the passthrough calls get VP CPUID
// values and translate virtual address. 0 or a negative errno; never throws, never allocates.
#pragma once

#include <cstdint>
#include <span>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/vp.hpp"

namespace hvcall {

// The output page holds 256 register values (HV_GET_REGISTER_BATCH_SIZE).
inline constexpr std::uint32_t kGetRegistersBatch = kPageSize / sizeof(RegisterValue);
static_assert(kGetRegistersBatch == 256);
// Register assocs after the 16-byte header (HV_SET_REGISTER_BATCH_SIZE).
inline constexpr std::uint32_t kSetRegistersBatch = (kPageSize - sizeof(InputVpRegisters)) / sizeof(RegisterAssoc);
static_assert(kSetRegistersBatch == 127);
// PFNs after the 40-byte header (HV_GET/SET_VP_STATE_BATCH_SIZE).
inline constexpr std::uint32_t kVpStateBatch = (kPageSize - sizeof(InputVpState)) / sizeof(std::uint64_t);
static_assert(kVpStateBatch == 507);
// Leaf infos after the 24-byte header; the output page (16 per leaf) holds more, so input bounds it.
inline constexpr std::uint32_t kCpuidBatch = (kPageSize - sizeof(InputGetVpCpuidValues)) / sizeof(CpuidLeafInfo);
static_assert(kCpuidBatch == 169);
// Pages deposited into a partition other than the caller before creating a VP: "empirically determined" (PROC).
inline constexpr std::uint32_t kCreateVpDepositPages = 90;

// HvCallCreateVp: pre-deposits kCreateVpDepositPages when `id` is not `self_id`, then retries
// needs-memory statuses by depositing into `id` (A-PROC). Input zeroed (flags and subnode 0).
[[nodiscard]] int create_vp(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index,
                            std::uint64_t self_id) noexcept;
// HvCallDeleteVp (fast-16), no retry.
[[nodiscard]] int delete_vp(Backend& backend, std::uint64_t id, std::uint32_t vp_index) noexcept;

// HvCallGetVpRegisters: values[i] for names[i], in batches of kGetRegistersBatch, only completed
// reps' values copied. done = registers read, also on error.
Progress get_vp_registers(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                          std::span<const std::uint32_t> names, std::span<RegisterValue> values) noexcept;
// HvCallSetVpRegisters in batches of kSetRegistersBatch; reserved fields of each assoc are sent
// as zero whatever the caller's structs held. done = registers set.
Progress set_vp_registers(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                          std::span<const RegisterAssoc> registers) noexcept;

// HvCallGetVpState: a PFN type into `pfns` (at most kVpStateBatch), or synthetic timers into
// `timers` (pfns empty). -EINVAL: too many PFNs, or neither PFNs nor an output. Deposit retry
// of one page into `id`.
[[nodiscard]] int get_vp_state(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index,
                               const VpStateData& data, std::span<const std::uint64_t> pfns,
                               OutputGetVpState* timers) noexcept;
// HvCallSetVpState from `pfns`, or (pfns empty) from `bytes` (at most 4096 - 40). -EINVAL as
// the driver: too many PFNs, too many bytes, or neither.
[[nodiscard]] int set_vp_state(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index,
                               const VpStateData& data, std::span<const std::uint64_t> pfns,
                               std::span<const std::byte> bytes) noexcept;

// HvCallMapVpStatePage: the page's PFN in `pfn`; deposit retry of one page into `id`.
[[nodiscard]] int map_vp_state_page(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index,
                                    std::uint16_t type, std::uint64_t& pfn) noexcept;
[[nodiscard]] int unmap_vp_state_page(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                                      std::uint16_t type) noexcept;

// HvCallGetVpCpuidValues: values[i] for leaves[i], in batches of kCpuidBatch. done = leaves read.
Progress get_vp_cpuid_values(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint32_t flags,
                             std::span<const CpuidLeafInfo> leaves, std::span<CpuidValues> values) noexcept;

// HvCallTranslateVirtualAddress: `out` holds the result code and GPA page on success.
[[nodiscard]] int translate_virtual_address(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                                            std::uint64_t flags, std::uint64_t gva_page,
                                            OutputTranslateVirtualAddress& out) noexcept;

// HvCallDispatchVp as A-MAIN mshv_vp_dispatch issues it for the root scheduler: the VP runs on
// this CPU with `flags` (dispatch_flags: the driver sends clear_intercept_suspend after an
// intercept and scan_interrupt_injection when the register page has vectors queued), time
// slice 0 (run until something happens) and SPEC_CTRL 0. On success the dispatch state and
// event (dispatch_state, dispatch_event). The driver uses a private pair of per-CPU pages with
// preemption off; hvcall uses the backend's, which are this CPU's. Local -EINVAL, before any
// call: flag bits outside dispatch_flags.
[[nodiscard]] int dispatch_vp(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint32_t flags,
                              std::uint32_t& state, std::uint32_t& event) noexcept;

}  // namespace hvcall
