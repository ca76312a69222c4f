// Ports, connections, events and messages (GDKMINI, GDK, HDK, HDK-3B). Plain structs whose
// natural alignment gives the packed kernel layout, except the direct-post input (packed to 4:
// its 256-byte message starts at offset 20). Every offset is pinned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hvcall/types/partition.hpp"

namespace hvcall {

// hv_port_id / hv_connection_id: 24-bit ids, the high byte reserved.
inline constexpr std::uint32_t kPortIdMask = 0x00FFFFFF;
inline constexpr std::uint32_t kMaxMessagePayload = 240;  // HV_MESSAGE_PAYLOAD_BYTE_COUNT

namespace port_type {
inline constexpr std::uint32_t message = 1, event = 2, monitor = 3, doorbell = 4;  // doorbell: root only
}

// hv_port_info: the type, then a 16-byte union chosen by it.
struct MessagePortInfo {  // message and doorbell ports
    std::uint32_t target_sint, target_vp;
    std::uint64_t rsvdz;
};
struct EventPortInfo {
    std::uint32_t target_sint, target_vp;
    std::uint16_t base_flag_number, flag_count;
    std::uint32_t rsvdz;
};
struct MonitorPortInfo {
    std::uint64_t monitor_address, rsvdz;
};
struct PortInfo {
    std::uint32_t port_type;
    std::uint32_t padding;
    union {
        MessagePortInfo message;
        EventPortInfo event;
        MonitorPortInfo monitor;
    };
};
static_assert(sizeof(MessagePortInfo) == 16 && sizeof(EventPortInfo) == 16 && sizeof(MonitorPortInfo) == 16);
static_assert(offsetof(EventPortInfo, base_flag_number) == 8);
static_assert(offsetof(PortInfo, message) == 8);
static_assert(sizeof(PortInfo) == 24);

// hv_connection_info: the type, then a 24-byte union chosen by it (message and event
// connections: one reserved qword; monitor: its address).
struct DoorbellConnectionInfo {
    std::uint64_t gpa, trigger_value, flags;  // doorbell_flags
};
struct ConnectionInfo {
    std::uint32_t port_type;
    std::uint32_t padding;
    union {
        std::uint64_t rsvdz;
        std::uint64_t monitor_address;
        DoorbellConnectionInfo doorbell;
    };
};
static_assert(offsetof(ConnectionInfo, doorbell) == 8);
static_assert(sizeof(ConnectionInfo) == 32);

// Doorbell flags (HDKMINI): trigger size in bits 0-2, ANY_VALUE in bit 31.
namespace doorbell_flags {
inline constexpr std::uint64_t trigger_any = 0, trigger_byte = 1, trigger_word = 2, trigger_dword = 3,
                               trigger_qword = 4;
inline constexpr std::uint64_t any_value = 0x80000000;
}  // namespace doorbell_flags

// Port infos of each type, every other byte zero.
[[nodiscard]] inline PortInfo message_port(std::uint32_t sint, std::uint32_t vp) noexcept {
    PortInfo p{};
    p.port_type = port_type::message;
    p.message = {sint, vp, 0};
    return p;
}
[[nodiscard]] inline PortInfo doorbell_port(std::uint32_t sint, std::uint32_t vp) noexcept {
    PortInfo p = message_port(sint, vp);
    p.port_type = port_type::doorbell;
    return p;
}
[[nodiscard]] inline PortInfo event_port(std::uint32_t sint, std::uint32_t vp, std::uint16_t base_flag,
                                         std::uint16_t flag_count) noexcept {
    PortInfo p{};
    p.port_type = port_type::event;
    p.event = {sint, vp, base_flag, flag_count, 0};
    return p;
}

// Connection infos: a message or event connection carries only its type.
[[nodiscard]] inline ConnectionInfo connection_to(std::uint32_t type) noexcept {
    ConnectionInfo c{};
    c.port_type = type;
    c.doorbell = {0, 0, 0};  // the widest member: every byte of the union zero
    return c;
}
[[nodiscard]] inline ConnectionInfo doorbell_connection(std::uint64_t gpa, std::uint64_t trigger_value,
                                                        std::uint64_t flags) noexcept {
    ConnectionInfo c{};
    c.port_type = port_type::doorbell;
    c.doorbell = {gpa, trigger_value, flags};
    return c;
}

struct InputCreatePort {
    std::uint64_t port_partition_id;
    std::uint32_t port_id;
    std::uint8_t port_vtl;
    std::uint8_t min_connection_vtl;
    std::uint16_t padding;
    std::uint64_t connection_partition_id;
    PortInfo port_info;
    ProximityDomainInfo proximity_domain_info;
};
static_assert(offsetof(InputCreatePort, port_id) == 8);
static_assert(offsetof(InputCreatePort, port_vtl) == 12);
static_assert(offsetof(InputCreatePort, min_connection_vtl) == 13);
static_assert(offsetof(InputCreatePort, padding) == 14);
static_assert(offsetof(InputCreatePort, connection_partition_id) == 16);
static_assert(offsetof(InputCreatePort, port_info) == 24);
static_assert(offsetof(InputCreatePort, proximity_domain_info) == 48);
static_assert(sizeof(InputCreatePort) == 56);

struct InputConnectPort {
    std::uint64_t connection_partition_id;
    std::uint32_t connection_id;
    std::uint8_t connection_vtl;
    std::uint8_t rsvdz0;
    std::uint16_t rsvdz1;
    std::uint64_t port_partition_id;
    std::uint32_t port_id;
    std::uint32_t reserved2;
    ConnectionInfo connection_info;
    ProximityDomainInfo proximity_domain_info;
};
static_assert(offsetof(InputConnectPort, connection_id) == 8);
static_assert(offsetof(InputConnectPort, connection_vtl) == 12);
static_assert(offsetof(InputConnectPort, rsvdz0) == 13);
static_assert(offsetof(InputConnectPort, rsvdz1) == 14);
static_assert(offsetof(InputConnectPort, port_partition_id) == 16);
static_assert(offsetof(InputConnectPort, port_id) == 24);
static_assert(offsetof(InputConnectPort, reserved2) == 28);
static_assert(offsetof(InputConnectPort, connection_info) == 32);
static_assert(offsetof(InputConnectPort, proximity_domain_info) == 64);
static_assert(sizeof(InputConnectPort) == 72);

// Sent fast-16 (RDX, R8).
struct InputDeletePort {
    std::uint64_t port_partition_id;
    std::uint32_t port_id;
    std::uint32_t reserved;
};
static_assert(offsetof(InputDeletePort, port_id) == 8);
static_assert(sizeof(InputDeletePort) == 16);

inline constexpr std::uint32_t kDisconnectIsDoorbell = 0x1;  // bit 0 of the flags; 1-31 reserved
struct InputDisconnectPort {
    std::uint64_t connection_partition_id;
    std::uint32_t connection_id;
    std::uint32_t flags;
};
static_assert(offsetof(InputDisconnectPort, flags) == 12);
static_assert(sizeof(InputDisconnectPort) == 16);

// Sent fast-8 (RDX).
struct InputNotifyPortRingEmpty {
    std::uint32_t sint_index;
    std::uint32_t reserved;
};
static_assert(sizeof(InputNotifyPortRingEmpty) == 8);

struct InputSignalEventDirect {
    std::uint64_t target_partition;
    std::uint32_t target_vp;
    std::uint8_t target_vtl;
    std::uint8_t target_sint;
    std::uint16_t flag_number;
};
static_assert(offsetof(InputSignalEventDirect, target_vp) == 8);
static_assert(offsetof(InputSignalEventDirect, target_vtl) == 12);
static_assert(offsetof(InputSignalEventDirect, target_sint) == 13);
static_assert(offsetof(InputSignalEventDirect, flag_number) == 14);
static_assert(sizeof(InputSignalEventDirect) == 16);

struct OutputSignalEventDirect {
    std::uint8_t newly_signaled;
    std::uint8_t reserved[7];
};
static_assert(sizeof(OutputSignalEventDirect) == 8);

#pragma pack(push, 4)
// hv_message: a 16-byte header, then the payload.
struct Message {
    std::uint32_t message_type;
    std::uint8_t payload_size;
    std::uint8_t message_flags;  // bit 0 msg_pending
    std::uint16_t reserved;
    std::uint64_t sender;  // sender partition, or the port
    std::uint8_t payload[kMaxMessagePayload];
};

struct InputPostMessageDirect {
    std::uint64_t partition_id;
    std::uint32_t vp_index;
    std::uint8_t vtl;
    std::uint8_t padding[3];
    std::uint32_t sint_index;
    Message message;
    std::uint32_t padding2;
};
#pragma pack(pop)
static_assert(offsetof(Message, payload_size) == 4);
static_assert(offsetof(Message, message_flags) == 5);
static_assert(offsetof(Message, sender) == 8);
static_assert(offsetof(Message, payload) == 16);
static_assert(sizeof(Message) == 256);
static_assert(offsetof(InputPostMessageDirect, vtl) == 12);
static_assert(offsetof(InputPostMessageDirect, padding) == 13);
static_assert(offsetof(InputPostMessageDirect, sint_index) == 16);
static_assert(offsetof(InputPostMessageDirect, message) == 20);
static_assert(offsetof(InputPostMessageDirect, padding2) == 276);
static_assert(sizeof(InputPostMessageDirect) == 280);

}  // namespace hvcall
