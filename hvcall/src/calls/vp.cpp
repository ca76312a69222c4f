#include "hvcall/calls/vp.hpp"

#include <algorithm>
#include <cstring>

#include "hvcall/calls/partition.hpp"
#include "hvcall/errno.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

namespace {

InputVpRegisters registers_header(std::uint64_t id, std::uint32_t vp_index) noexcept {
    InputVpRegisters in{};
    in.partition_id = id;
    in.vp_index = vp_index;
    return in;
}

}  // namespace

int create_vp(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index,
              std::uint64_t self_id) noexcept {
    if (id != self_id)
        if (const int e = deposit_memory(backend, pages, id, kCreateVpDepositPages)) return e;
    return detail::retry_with_deposit(backend, pages, id, [&] {
        InputCreateVp in{};  // zeroed, unlike the PROC copy (the strict model's poison shows why)
        in.partition_id = id;
        in.vp_index = vp_index;
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::create_vp)));
    });
}

int delete_vp(Backend& backend, std::uint64_t id, std::uint32_t vp_index) noexcept {
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::delete_vp)), id, vp_index));
}

Progress get_vp_registers(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                          std::span<const std::uint32_t> names, std::span<RegisterValue> values) noexcept {
    return detail::rep_in_out(backend, CallId::get_vp_registers, registers_header(id, vp_index), kGetRegistersBatch,
                              names, values);
}

Progress set_vp_registers(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                          std::span<const RegisterAssoc> registers) noexcept {
    return detail::rep_batches(backend, CallId::set_vp_registers, registers.size(), kSetRegistersBatch,
                               [&](std::span<std::byte, kPageSize> page, std::uint64_t done, std::uint32_t batch) {
                                   detail::put_header(page, registers_header(id, vp_index));
                                   for (std::uint32_t i = 0; i < batch; ++i) {
                                       RegisterAssoc a{};  // reserved fields zero, whatever the caller's array held
                                       a.name = registers[done + i].name;
                                       a.value = registers[done + i].value;
                                       std::memcpy(page.data() + sizeof(InputVpRegisters) + std::size_t{i} * sizeof a,
                                                   &a, sizeof a);
                                   }
                               });
}

int get_vp_state(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index, const VpStateData& data,
                 std::span<const std::uint64_t> pfns, OutputGetVpState* timers) noexcept {
    if (pfns.size() > kVpStateBatch || (pfns.empty() && timers == nullptr)) return -EINVAL;
    const auto count = static_cast<std::uint32_t>(pfns.size());
    const int e = detail::retry_with_deposit(backend, pages, id, [&] {
        auto page = backend.input_page();
        InputVpState in{};
        in.partition_id = id;
        in.vp_index = vp_index;
        in.state_data = data;
        detail::put_header(page, in);
        detail::put_qwords(page, sizeof in, pfns);
        return backend.hypercall(*Control::make({.code = code(CallId::get_vp_state), .varhead_qwords = count}));
    });
    if (e == 0 && timers != nullptr && pfns.empty()) *timers = detail::read_output<OutputGetVpState>(backend);
    return e;
}

int set_vp_state(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index, const VpStateData& data,
                 std::span<const std::uint64_t> pfns, std::span<const std::byte> bytes) noexcept {
    if (pfns.size() > kVpStateBatch || sizeof(InputVpState) + bytes.size() > kPageSize ||
        (pfns.empty() && bytes.empty()))
        return -EINVAL;
    const auto varhead = static_cast<std::uint32_t>(pfns.empty() ? (bytes.size() + 7) / 8 : pfns.size());
    return detail::retry_with_deposit(backend, pages, id, [&] {
        auto page = backend.input_page();
        InputVpState in{};
        in.partition_id = id;
        in.vp_index = vp_index;
        in.state_data = data;
        detail::put_header(page, in);
        if (pfns.empty()) {
            std::memset(page.data() + sizeof in, 0, std::size_t{varhead} * 8);  // the last qword's tail too
            std::memcpy(page.data() + sizeof in, bytes.data(), bytes.size());
        } else {
            detail::put_qwords(page, sizeof in, pfns);
        }
        return backend.hypercall(*Control::make({.code = code(CallId::set_vp_state), .varhead_qwords = varhead}));
    });
}

int map_vp_state_page(Backend& backend, HostPages& pages, std::uint64_t id, std::uint32_t vp_index, std::uint16_t type,
                      std::uint64_t& pfn) noexcept {
    const int e = detail::retry_with_deposit(backend, pages, id, [&] {
        InputMapVpStatePage in{};
        in.partition_id = id;
        in.vp_index = vp_index;
        in.type = type;
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::map_vp_state_page)));
    });
    if (e == 0) pfn = detail::read_output<OutputMapVpStatePage>(backend).map_location;
    return e;
}

int unmap_vp_state_page(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint16_t type) noexcept {
    InputUnmapVpStatePage in{};
    in.partition_id = id;
    in.vp_index = vp_index;
    in.type = type;
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::unmap_vp_state_page))));
}

Progress get_vp_cpuid_values(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint32_t flags,
                             std::span<const CpuidLeafInfo> leaves, std::span<CpuidValues> values) noexcept {
    InputGetVpCpuidValues in{};
    in.partition_id = id;
    in.vp_index = vp_index;
    in.flags = flags;
    return detail::rep_in_out(backend, CallId::get_vp_cpuid_values, in, kCpuidBatch, leaves, values);
}

int translate_virtual_address(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint64_t flags,
                              std::uint64_t gva_page, OutputTranslateVirtualAddress& out) noexcept {
    InputTranslateVirtualAddress in{};
    in.partition_id = id;
    in.vp_index = vp_index;
    in.control_flags = flags;
    in.gva_page = gva_page;
    detail::put_header(backend.input_page(), in);
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::translate_virtual_address)));
    if (r.ok()) out = detail::read_output<OutputTranslateVirtualAddress>(backend);
    return to_errno(r);
}

int dispatch_vp(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint32_t flags, std::uint32_t& state,
                std::uint32_t& event) noexcept {
    if ((flags & dispatch_flags::reserved_mask) != 0) return -EINVAL;
    InputDispatchVp in{};  // time slice 0 (until something happens), SPEC_CTRL 0, as A-MAIN
    in.partition_id = id;
    in.vp_index = vp_index;
    in.flags = flags;
    detail::put_header(backend.input_page(), in);
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::dispatch_vp)));
    if (r.ok()) {
        const auto out = detail::read_output<OutputDispatchVp>(backend);
        state = out.dispatch_state;
        event = out.dispatch_event;
    }
    return to_errno(r);
}

}  // namespace hvcall
