#include "hvcall/calls/partition.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

int get_partition_id(Backend& backend, std::uint64_t& id) noexcept {
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::get_partition_id)));
    if (r.ok()) id = detail::read_output<OutputCreatePartition>(backend).partition_id;
    return to_errno(r);
}

int create_partition(Backend& backend, HostPages& pages, const CreatePartitionArgs& args, std::uint64_t self_id,
                     std::uint64_t& id) noexcept {
    if ((args.isolation_properties & isolation::reserved_mask) != 0) return -EINVAL;
    const int e = detail::retry_with_deposit(backend, pages, self_id, [&] {
        InputCreatePartition in{};
        in.flags = args.flags;
        in.compatibility_version = kCompatibilityVersion;
        in.partition_creation_properties = args.creation_properties;
        in.isolation_properties = args.isolation_properties;
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::create_partition)));
    });
    if (e == 0) id = detail::read_output<OutputCreatePartition>(backend).partition_id;
    return e;
}

int initialize_partition(Backend& backend, HostPages& pages, std::uint64_t id) noexcept {
    if (const int e = deposit_memory(backend, pages, id, kInitializePartitionDepositPages)) return e;
    return detail::retry_with_deposit(backend, pages, id, [&] {
        return backend.hypercall_fast(Control::fast_simple(code(CallId::initialize_partition)), id, 0);
    });
}

int finalize_partition(Backend& backend, std::uint64_t id) noexcept {
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::finalize_partition)), id, 0));
}

int delete_partition(Backend& backend, std::uint64_t id) noexcept {
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::delete_partition)), id, 0));
}

int get_partition_property(Backend& backend, std::uint64_t id, std::uint32_t property_code,
                           std::uint64_t& value) noexcept {
    InputGetPartitionProperty in{};
    in.partition_id = id;
    in.property_code = property_code;
    detail::put_header(backend.input_page(), in);
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::get_partition_property)));
    if (r.ok()) value = detail::read_output<OutputGetPartitionProperty>(backend).property_value;
    return to_errno(r);
}

int set_partition_property(Backend& backend, std::uint64_t id, std::uint32_t property_code,
                           std::uint64_t value) noexcept {
    InputSetPartitionProperty in{};
    in.partition_id = id;
    in.property_code = property_code;
    in.property_value = value;
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::set_partition_property))));
}

int get_partition_property_ex(Backend& backend, std::uint64_t id, std::uint32_t property_code, std::uint64_t arg,
                              std::span<std::byte> value) noexcept {
    if (value.size() > kPartitionPropertyExMaxValue) return -EINVAL;  // past what the output defines
    InputGetPartitionPropertyEx in{};
    in.partition_id = id;
    in.property_code = property_code;
    in.arg = arg;
    detail::put_header(backend.input_page(), in);
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::get_partition_property_ex)));
    if (r.ok() && !value.empty()) std::memcpy(value.data(), backend.output_page().data(), value.size());
    return to_errno(r);
}

int vmm_capabilities(Backend& backend, VmmCapabilities& caps) noexcept {
    caps = {};
    return get_partition_property_ex(backend, kPartitionIdSelf, property::vmm_capabilities, 0,
                                     std::as_writable_bytes(std::span(&caps, 1)));
}

int deposit_memory(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t count) noexcept {
    if (count == 0) return 0;
    if (count > kDepositMax) return -E2BIG;
    std::array<std::uint64_t, kDepositMax> pfns;  // 4 KiB of stack, as the page it fills
    const auto want = std::span(pfns).first(count);
    const std::size_t got = pages.allocate(want);
    if (got < count) {
        pages.release(want.first(got));
        return -ENOMEM;
    }
    auto page = backend.input_page();
    detail::put_header(page, InputDepositMemory{id});
    detail::put_qwords(page, sizeof(InputDepositMemory), want);
    const HypercallResult r = detail::rep_hypercall(backend, CallId::deposit_memory, count);
    if (r.ok() && !detail::stalled(r, count)) return 0;
    // Pages before the failing element are the hypervisor's now; only the rest come back.
    pages.release(want.subspan(std::min<std::size_t>(r.reps_completed(), count)));
    return r.ok() ? -EIO : to_errno(r);
}

int deposit_for_status(Backend& backend, HostPages& pages, std::uint64_t id, Status status) noexcept {
    const auto plan = deposit_plan(status);
    if (!plan) return -ENOMEM;
    return deposit_memory(backend, pages, plan->into_self ? kPartitionIdSelf : id, plan->pages);
}

Progress withdraw_memory(Backend& backend, HostPages& pages, std::uint64_t id, std::uint64_t count) noexcept {
    std::array<std::uint64_t, kWithdrawBatch> pfns;
    return detail::rep_batches(
        backend, CallId::withdraw_memory, count, kWithdrawBatch,
        [&](std::span<std::byte, kPageSize> page, std::uint64_t, std::uint32_t) {
            InputWithdrawMemory in{};
            in.partition_id = id;
            detail::put_header(page, in);
        },
        [&](std::uint64_t, std::uint32_t completed) {
            // Outputs are defined for the completed reps only, also when the call failed.
            std::memcpy(pfns.data(), backend.output_page().data(), std::size_t{completed} * sizeof(std::uint64_t));
            pages.release(std::span(pfns).first(completed));
        },
        [](HypercallResult r) -> detail::BatchFailure {
            // The pool has nothing more to give: the end of the withdrawal, not an error.
            return r.status() == Status::NO_RESOURCES ? 0 : to_errno(r);
        });
}

}  // namespace hvcall
