// Ports, connections, events and messages, marshalled as the reference driver does (HVCALL:
// hv_call_create_port, hv_call_connect_port, hv_call_delete_port, hv_call_disconnect_port,
// hv_call_notify_port_ring_empty) plus the passthrough calls signal event direct and post
// message direct (MAIN). 0 or a negative errno; never throws, never allocates.
#pragma once

#include <cstdint>
#include <span>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"
#include "hvcall/types/port.hpp"

namespace hvcall {

// HvCallCreatePort: port `port_id` of `port_partition`, connectable from `connection_partition`,
// VTLs 0, no proximity. Deposit-and-retry per needs-memory status into the port
// partition (A-HVCALL). Only the union member the port type uses is sent; every other byte of
// the port info goes as zero. Local -EINVAL: a port id above 24 bits.
[[nodiscard]] int create_port(Backend& backend, HostPages& pages, std::uint64_t port_partition, std::uint32_t port_id,
                              std::uint64_t connection_partition, const PortInfo& info) noexcept;

// HvCallConnectPort: connection `connection_id` of `connection_partition` to the port. Retries
// needs-memory statuses by depositing into the connection partition (A-HVCALL). Only the
// union member the type uses is sent. Local -EINVAL: an id above 24 bits.
[[nodiscard]] int connect_port(Backend& backend, HostPages& pages, std::uint64_t connection_partition,
                               std::uint32_t connection_id, std::uint64_t port_partition, std::uint32_t port_id,
                               const ConnectionInfo& info) noexcept;

// HvCallDeletePort (fast-16), no retry. Local -EINVAL: a port id above 24 bits.
[[nodiscard]] int delete_port(Backend& backend, std::uint64_t port_partition, std::uint32_t port_id) noexcept;
// HvCallDisconnectPort (fast-16); HVCALL always sets is_doorbell, its only connections being
// doorbells. Local -EINVAL: an id above 24 bits.
[[nodiscard]] int disconnect_port(Backend& backend, std::uint64_t connection_partition, std::uint32_t connection_id,
                                  bool is_doorbell = true) noexcept;

// HvCallNotifyPortRingEmpty (fast-8): the SINT whose port ring the root drained.
[[nodiscard]] int notify_port_ring_empty(Backend& backend, std::uint32_t sint_index) noexcept;

// HvCallSignalEventDirect: sets event flag `flag_number` of SINT `sint` on a VP (VTL 0);
// `newly_signaled` says whether the flag was clear before.
[[nodiscard]] int signal_event_direct(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint8_t sint,
                                      std::uint16_t flag_number, bool& newly_signaled) noexcept;

// HvCallPostMessageDirect: a message of `message_type` with `payload` into a VP's SINT slot
// (VTL 0). Local -EINVAL, before any call, when the payload exceeds kMaxMessagePayload (240
// bytes): the size field is a byte, so a longer payload would go out truncated or with a size
// the hypervisor refuses. Payload bytes past its size go as zero.
[[nodiscard]] int post_message_direct(Backend& backend, std::uint64_t id, std::uint32_t vp_index, std::uint32_t sint,
                                      std::uint32_t message_type, std::span<const std::byte> payload) noexcept;

}  // namespace hvcall
