// Partition lifecycle, properties and deposited memory, marshalled as the reference driver
// does (HVCALL, PROC: hv_call_create_partition, hv_call_initialize_partition, ...,
// hv_call_deposit_pages, hv_call_withdraw_memory; A-HVCALL hv_call_get_partition_property_ex).
// Every function returns 0 or a negative errno (hvcall::to_errno), never throws and never
// allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/memory.hpp"
#include "hvcall/types/partition.hpp"

namespace hvcall {

// A deposit's PFNs fill the page after the partition id: 4096 / 8 - 1 (HV_DEPOSIT_MAX).
inline constexpr std::uint32_t kDepositMax = (kPageSize - sizeof(InputDepositMemory)) / sizeof(std::uint64_t);
static_assert(kDepositMax == 511);
// The output page holds one PFN per withdrawn page (HV_WITHDRAW_BATCH_SIZE).
inline constexpr std::uint32_t kWithdrawBatch = kPageSize / sizeof(std::uint64_t);
static_assert(kWithdrawBatch == 512);
// Pages deposited before initialization: HV_INIT_PARTITION_DEPOSIT_PAGES, "determined empirically".
inline constexpr std::uint32_t kInitializePartitionDepositPages = 208;

struct CreatePartitionArgs {
    std::uint64_t flags = creation_flags::always;
    PartitionCreationProperties creation_properties{};
    std::uint64_t isolation_properties = 0;
};

// HvCallGetPartitionId: the caller's own partition id.
[[nodiscard]] int get_partition_id(Backend& backend, std::uint64_t& id) noexcept;

// HvCallCreatePartition. Deposits and retries on every needs-memory status (retry_with_deposit) into the
// creating partition `self_id` (the root's id, as hv_current_partition_id). -EINVAL when
// the isolation properties carry reserved bits (the review's memcpy bug class).
[[nodiscard]] int create_partition(Backend& backend, HostPages& pages, const CreatePartitionArgs& args,
                                   std::uint64_t self_id, std::uint64_t& id) noexcept;
// HvCallInitializePartition (fast): 208 pages first, then deposit-and-retry per needs-memory status.
[[nodiscard]] int initialize_partition(Backend& backend, HostPages& pages, std::uint64_t id) noexcept;
// HvCallFinalizePartition / HvCallDeletePartition (fast), no retry.
[[nodiscard]] int finalize_partition(Backend& backend, std::uint64_t id) noexcept;
[[nodiscard]] int delete_partition(Backend& backend, std::uint64_t id) noexcept;

[[nodiscard]] int get_partition_property(Backend& backend, std::uint64_t id, std::uint32_t code,
                                         std::uint64_t& value) noexcept;
[[nodiscard]] int set_partition_property(Backend& backend, std::uint64_t id, std::uint32_t code,
                                         std::uint64_t value) noexcept;

// HvCallGetPartitionPropertyEx (A-HVCALL hv_call_get_partition_property_ex): zeroed input
// with the partition, property code and argument; on success the first value.size() bytes of
// the output page are copied into `value`, as many as the caller asks for. No retry. The driver
// copies whatever size it is given; hvcall refuses more than kPartitionPropertyExMaxValue (4072,
// the output the call defines) with a local -EINVAL, before any call, and copies nothing on
// failure.
[[nodiscard]] int get_partition_property_ex(Backend& backend, std::uint64_t id, std::uint32_t code, std::uint64_t arg,
                                            std::span<std::byte> value) noexcept;
// The VMM capabilities of the caller's own partition (property::vmm_capabilities of
// HV_PARTITION_ID_SELF, 16 bytes), as A-MAIN mshv_init_vmm_caps reads them at init. `caps` is
// zeroed first, as the driver does, so a failure leaves "no capabilities": older hypervisors
// do not know the property (-EIO), and A-MAIN treats a failure as fatal only on an L1VH. hvcall
// returns the errno and leaves that choice to the caller.
[[nodiscard]] int vmm_capabilities(Backend& backend, VmmCapabilities& caps) noexcept;

// HvCallDepositMemory: `count` pages from `pages` into the partition's pool, one rep call.
// -E2BIG above kDepositMax, 0 for 0 pages, -ENOMEM when `pages` runs dry. On failure only
// the pages the hypervisor did not take go back to `pages` (the reference driver frees all
// of them, including those already deposited) and the errno is returned (it returns the raw
// status).
[[nodiscard]] int deposit_memory(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t count) noexcept;

// hv_deposit_memory(): what a needs-memory status asks for (deposit_plan in needs_memory.hpp)
// into `id`, or into HV_PARTITION_ID_SELF for the two root-memory statuses, as the root does.
// -ENOMEM for any other status, as the driver answers one it did not expect.
[[nodiscard]] int deposit_for_status(Backend& backend, HostPages& pages, std::uint64_t id, Status status) noexcept;

// HvCallWithdrawMemory: up to `count` pages (UINT64_MAX: all) back to `pages`, in batches of
// kWithdrawBatch. NO_RESOURCES means the pool has nothing more to give: success. done = pages
// withdrawn (and released), also when an error stops the loop.
Progress withdraw_memory(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t count) noexcept;

}  // namespace hvcall
