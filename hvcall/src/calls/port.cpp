#include "hvcall/calls/port.hpp"

#include <cstring>

#include "hvcall/errno.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

namespace {

[[nodiscard]] constexpr bool fits_id(std::uint32_t id) noexcept { return (id & ~kPortIdMask) == 0; }

// The caller's port info with only the member its type uses: reserved fields and the bytes of
// the other members zero, whatever the caller's struct held. Unknown types go as they are, for
// the hypervisor to refuse.
PortInfo sent_port_info(const PortInfo& info) noexcept {
    switch (info.port_type) {
        case port_type::message:
        case port_type::doorbell: {
            PortInfo p = message_port(info.message.target_sint, info.message.target_vp);
            p.port_type = info.port_type;
            return p;
        }
        case port_type::event:
            return event_port(info.event.target_sint, info.event.target_vp, info.event.base_flag_number,
                              info.event.flag_count);
        case port_type::monitor: {
            PortInfo p{};
            p.port_type = port_type::monitor;
            p.monitor = {info.monitor.monitor_address, 0};
            return p;
        }
        default:
            return info;
    }
}

ConnectionInfo sent_connection_info(const ConnectionInfo& info) noexcept {
    switch (info.port_type) {
        case port_type::message:
        case port_type::event:
            return connection_to(info.port_type);
        case port_type::monitor: {
            ConnectionInfo c = connection_to(port_type::monitor);
            c.monitor_address = info.monitor_address;
            return c;
        }
        case port_type::doorbell:
            return doorbell_connection(info.doorbell.gpa, info.doorbell.trigger_value, info.doorbell.flags);
        default:
            return info;
    }
}

}  // namespace

int create_port(Backend& backend, HostPages& pages, std::uint64_t port_partition, std::uint32_t port_id,
                std::uint64_t connection_partition, const PortInfo& info) noexcept {
    if (!fits_id(port_id)) return -EINVAL;
    InputCreatePort in{};  // VTLs, padding and proximity zero, as HVCALL
    in.port_partition_id = port_partition;
    in.port_id = port_id;
    in.connection_partition_id = connection_partition;
    in.port_info = sent_port_info(info);
    return detail::retry_with_deposit(backend, pages, port_partition, [&] {
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::create_port)));
    });
}

int connect_port(Backend& backend, HostPages& pages, std::uint64_t connection_partition, std::uint32_t connection_id,
                 std::uint64_t port_partition, std::uint32_t port_id, const ConnectionInfo& info) noexcept {
    if (!fits_id(connection_id) || !fits_id(port_id)) return -EINVAL;
    InputConnectPort in{};
    in.connection_partition_id = connection_partition;
    in.connection_id = connection_id;
    in.port_partition_id = port_partition;
    in.port_id = port_id;
    in.connection_info = sent_connection_info(info);
    return detail::retry_with_deposit(backend, pages, connection_partition, [&] {
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::connect_port)));
    });
}

int delete_port(Backend& backend, std::uint64_t port_partition, std::uint32_t port_id) noexcept {
    if (!fits_id(port_id)) return -EINVAL;
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::delete_port)), port_partition, port_id));
}

int disconnect_port(Backend& backend, std::uint64_t connection_partition, std::uint32_t connection_id,
                    bool is_doorbell) noexcept {
    if (!fits_id(connection_id)) return -EINVAL;
    const std::uint64_t flags = is_doorbell ? kDisconnectIsDoorbell : 0;
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::disconnect_port)), connection_partition,
                                           connection_id | (flags << 32)));
}

int notify_port_ring_empty(Backend& backend, std::uint32_t sint_index) noexcept {
    return to_errno(backend.hypercall_fast(Control::fast_simple(code(CallId::notify_port_ring_empty)), sint_index, 0));
}

int signal_event_direct(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint8_t sint,
                        std::uint16_t flag_number, bool& newly_signaled) noexcept {
    InputSignalEventDirect in{};
    in.target_partition = id;
    in.target_vp = vp_index;
    in.target_sint = sint;
    in.flag_number = flag_number;
    detail::put_header(backend.input_page(), in);
    const HypercallResult r = backend.hypercall(Control::simple(code(CallId::signal_event_direct)));
    if (r.ok()) newly_signaled = detail::read_output<OutputSignalEventDirect>(backend).newly_signaled != 0;
    return to_errno(r);
}

int post_message_direct(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint32_t sint,
                        std::uint32_t message_type, std::span<const std::byte> payload) noexcept {
    if (payload.size() > kMaxMessagePayload) return -EINVAL;
    InputPostMessageDirect in{};  // VTL 0; padding, flags, sender and the payload's tail zero
    in.partition_id = id;
    in.vp_index = vp_index;
    in.sint_index = sint;
    in.message.message_type = message_type;
    in.message.payload_size = static_cast<std::uint8_t>(payload.size());
    if (!payload.empty()) std::memcpy(in.message.payload, payload.data(), payload.size());
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::post_message_direct))));
}

}  // namespace hvcall
