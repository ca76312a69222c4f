// Ports, connections, events and messages marshalled by hvcall on the strict model: the driver's
// doorbell lifecycle, deposit-and-retry into the partition that pays, signal and post direct,
// errnos, and every input at the headers' offsets (HDK, HDK-3B).
#include <catch2/catch_test_macros.hpp>

#include <array>

#include "capture.hpp"
#include "fixture.hpp"
#include "hvcall/calls/port.hpp"
#include "hvcall/calls/vp.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

bool has(const std::string& digest, const std::string& line) { return digest.find(line) != std::string::npos; }

std::string port_line(std::uint64_t partition, std::uint32_t port, std::uint32_t type, std::uint64_t to,
                      std::uint32_t vp, std::uint32_t sint) {
    return "port " + std::to_string(partition) + ":" + std::to_string(port) + " type " + std::to_string(type) + " to " +
           std::to_string(to) + " vp " + std::to_string(vp) + " sint " + std::to_string(sint) + "\n";
}
std::string connection_line(std::uint64_t partition, std::uint32_t id, std::uint64_t port_partition,
                            std::uint32_t port) {
    return "connection " + std::to_string(partition) + ":" + std::to_string(id) + " -> " +
           std::to_string(port_partition) + ":" + std::to_string(port) + "\n";
}

// The partition ids of every deposit a capture saw, in order.
std::vector<std::uint64_t> deposit_targets(const CapturingBackend& cap) {
    std::vector<std::uint64_t> ids;
    for (const auto& c : cap.calls)
        if (c.control.code() == info(CallId::deposit_memory).code) ids.push_back(c.at<std::uint64_t>(0));
    return ids;
}

}  // namespace

TEST_CASE("ports: the driver's doorbell lifecycle, root port and child connection", "[marshal][port]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    REQUIRE(create_port(s.backend, s.pages, s.self, 7, id, doorbell_port(5, kAnyVp)) == 0);
    CHECK(has(s.hv().digest(), port_line(s.self, 7, port_type::doorbell, id, kAnyVp, 5)));
    const auto doorbell = doorbell_connection(0xFEE00000, 0, doorbell_flags::trigger_dword | doorbell_flags::any_value);
    REQUIRE(connect_port(s.backend, s.pages, id, 9, s.self, 7, doorbell) == 0);
    CHECK(has(s.hv().digest(), connection_line(id, 9, s.self, 7)));
    REQUIRE(notify_port_ring_empty(s.backend, 5) == 0);
    REQUIRE(disconnect_port(s.backend, id, 9) == 0);
    CHECK_FALSE(has(s.hv().digest(), "connection "));
    REQUIRE(delete_port(s.backend, s.self, 7) == 0);
    CHECK_FALSE(has(s.hv().digest(), "port "));

    // A message and an event port in the child, connected from the root.
    REQUIRE(create_port(s.backend, s.pages, id, 1, s.self, message_port(2, 0)) == 0);
    REQUIRE(create_port(s.backend, s.pages, id, 2, s.self, event_port(3, 0, 16, 32)) == 0);
    REQUIRE(connect_port(s.backend, s.pages, s.self, 1, id, 1, connection_to(port_type::message)) == 0);
    REQUIRE(connect_port(s.backend, s.pages, s.self, 2, id, 2, connection_to(port_type::event)) == 0);
    const auto digest = s.hv().digest();
    CHECK(has(digest, port_line(id, 1, port_type::message, s.self, 0, 2)));
    CHECK(has(digest, port_line(id, 2, port_type::event, s.self, 0, 3)));
    CHECK(has(digest, connection_line(s.self, 2, id, 2)));
    REQUIRE(delete_port(s.backend, id, 2) == 0);  // takes its connection with it
    CHECK_FALSE(has(s.hv().digest(), connection_line(s.self, 2, id, 2)));
    s.check_clean();
}

TEST_CASE("create_port and connect_port deposit one page at a time into the partition that pays",
          "[marshal][port][deposit]") {
    auto config = strict_config();
    config.costs.port = 100;  // more than the root's (none) and the child's (create_vp's 90, less one) free pages
    Sim s(config);
    const auto id = s.active_with_vps({0});
    CapturingBackend cap(s.backend);
    REQUIRE(create_port(cap, s.pages, s.self, 1, id, doorbell_port(5, kAnyVp)) == 0);
    auto targets = deposit_targets(cap);
    CHECK(targets.size() == 100);  // INSUFFICIENT_MEMORY answered with one-page deposits
    CHECK(std::count(targets.begin(), targets.end(), s.self) == static_cast<std::ptrdiff_t>(targets.size()));
    CHECK(cap.count(CallId::create_port) == targets.size() + 1);

    cap.calls.clear();
    REQUIRE(connect_port(cap, s.pages, id, 1, s.self, 1, doorbell_connection(0x1000, 0, 0)) == 0);
    targets = deposit_targets(cap);
    CHECK(targets.size() >= 1);
    CHECK(std::count(targets.begin(), targets.end(), id) == static_cast<std::ptrdiff_t>(targets.size()));
    CHECK(cap.count(CallId::connect_port) == targets.size() + 1);
    s.check_clean();
}

TEST_CASE("port rejections map to the driver's errnos", "[marshal][port][errno]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    REQUIRE(create_port(s.backend, s.pages, s.self, 7, id, doorbell_port(5, kAnyVp)) == 0);
    CHECK(create_port(s.backend, s.pages, s.self, 7, id, doorbell_port(5, kAnyVp)) == -EINVAL);  // INVALID_PORT_ID
    CHECK(s.last_rule() == hvsim::RuleId::create_port_exists);
    CHECK(create_port(s.backend, s.pages, id, 8, s.self, message_port(16, 0)) == -EINVAL);  // SINTs 0-15
    CHECK(s.last_rule() == hvsim::RuleId::synic_sint_invalid);
    CHECK(connect_port(s.backend, s.pages, id, 1, s.self, 6, doorbell_connection(0, 0, 0)) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::port_unknown);
    CHECK(connect_port(s.backend, s.pages, id, 1, s.self, 7, connection_to(port_type::message)) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::port_type_invalid);  // a message connection to a doorbell port
    CHECK(disconnect_port(s.backend, id, 1) == -EINVAL);       // INVALID_CONNECTION_ID
    CHECK(s.last_rule() == hvsim::RuleId::connection_unknown);
    CHECK(delete_port(s.backend, s.self, 6) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::port_unknown);
    CHECK(notify_port_ring_empty(s.backend, 16) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::synic_sint_invalid);

    // Refused before any call: ids wider than 24 bits would set the reserved byte.
    const auto calls = s.backend.calls;
    CHECK(create_port(s.backend, s.pages, s.self, 0x01000007, id, doorbell_port(5, kAnyVp)) == -EINVAL);
    CHECK(connect_port(s.backend, s.pages, id, 0x01000001, s.self, 7, doorbell_connection(0, 0, 0)) == -EINVAL);
    CHECK(connect_port(s.backend, s.pages, id, 1, s.self, 0x01000007, doorbell_connection(0, 0, 0)) == -EINVAL);
    CHECK(delete_port(s.backend, s.self, 0x01000007) == -EINVAL);
    CHECK(disconnect_port(s.backend, id, 0x01000001) == -EINVAL);
    CHECK(s.backend.calls == calls);
    s.check_clean();
}

TEST_CASE("signal_event_direct reports whether the flag was newly signaled", "[marshal][port][event]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    bool newly = false;
    REQUIRE(signal_event_direct(s.backend, id, 0, 3, 70, newly) == 0);
    CHECK(newly);
    CHECK(has(s.hv().digest(), "events sint 3 [1] 0x40\n"));  // flag 70: word 1, bit 6
    REQUIRE(signal_event_direct(s.backend, id, 0, 3, 70, newly) == 0);
    CHECK_FALSE(newly);
    REQUIRE(signal_event_direct(s.backend, id, 0, 4, 70, newly) == 0);
    CHECK(newly);  // another SINT, another flag

    newly = true;
    CHECK(signal_event_direct(s.backend, id, 0, 16, 0, newly) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::synic_sint_invalid);
    CHECK(signal_event_direct(s.backend, id, 0, 3, 2048, newly) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::signal_event_flag_out_of_range);
    CHECK(signal_event_direct(s.backend, id, 1, 3, 0, newly) == -EINVAL);  // INVALID_VP_INDEX
    CHECK(newly);                                                          // untouched on failure
    s.check_clean();
}

TEST_CASE("post_message_direct: the message lands in the SINT slot; size limit enforced before the call",
          "[marshal][port][message]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    std::array<std::byte, kMaxMessagePayload> payload{};
    payload.fill(std::byte{0x5A});
    REQUIRE(post_message_direct(s.backend, id, 0, 2, 0x80000001, payload) == 0);
    CHECK(s.hv().message_type(id, 0, 2) == 0x80000001);
    // The slot holds a message: INSUFFICIENT_BUFFERS, which Linux maps to -EIO.
    CHECK(post_message_direct(s.backend, id, 0, 2, 0x80000001, {}) == -EIO);
    CHECK(s.last_rule() == hvsim::RuleId::post_message_slot_full);
    CHECK(post_message_direct(s.backend, id, 0, 3, 0, {}) == -EINVAL);  // type 0 marks an empty slot
    CHECK(s.last_rule() == hvsim::RuleId::post_message_type_invalid);

    const auto calls = s.backend.calls;
    std::array<std::byte, kMaxMessagePayload + 1> too_long{};
    CHECK(post_message_direct(s.backend, id, 0, 3, 0x80000001, too_long) == -EINVAL);
    CHECK(s.backend.calls == calls);
    CHECK(s.hv().message_type(id, 0, 3) == 0);
    s.check_clean();
}

TEST_CASE("port inputs byte for byte (HDK, HDK-3B)", "[marshal][port][layout]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    CapturingBackend cap(s.backend);

    PortInfo stale = event_port(3, 0, 16, 32);
    stale.padding = 0xFFFFFFFF;  // a caller's struct with junk where the spec says zero
    stale.event.rsvdz = 0xFFFFFFFF;
    REQUIRE(create_port(cap, s.pages, id, 0x00ABCDEF, s.self, stale) == 0);
    const auto& create = cap.last(CallId::create_port);
    CHECK(create.control.raw() == 0x95);
    REQUIRE(create.input.size() == 56);
    CHECK(create.at<std::uint64_t>(0) == id);
    CHECK(create.at<std::uint32_t>(8) == 0x00ABCDEF);
    CHECK(create.zero(12, 16));  // port VTL, minimum connection VTL, padding
    CHECK(create.at<std::uint64_t>(16) == s.self);
    CHECK(create.at<std::uint32_t>(24) == port_type::event);
    CHECK(create.zero(28, 32));
    CHECK(create.at<std::uint32_t>(32) == 3);   // target SINT
    CHECK(create.at<std::uint32_t>(36) == 0);   // target VP
    CHECK(create.at<std::uint16_t>(40) == 16);  // base flag number
    CHECK(create.at<std::uint16_t>(42) == 32);  // flag count
    CHECK(create.zero(44, 56));                 // rsvdz, proximity

    ConnectionInfo conn = connection_to(port_type::event);
    conn.padding = 0x1;
    conn.doorbell.flags = 0x77;  // bytes an event connection does not use
    REQUIRE(connect_port(cap, s.pages, s.self, 0x00123456, id, 0x00ABCDEF, conn) == 0);
    const auto& connect = cap.last(CallId::connect_port);
    CHECK(connect.control.raw() == 0x96);
    REQUIRE(connect.input.size() == 72);
    CHECK(connect.at<std::uint64_t>(0) == s.self);
    CHECK(connect.at<std::uint32_t>(8) == 0x00123456);
    CHECK(connect.zero(12, 16));  // connection VTL, rsvdz0, rsvdz1
    CHECK(connect.at<std::uint64_t>(16) == id);
    CHECK(connect.at<std::uint32_t>(24) == 0x00ABCDEF);
    CHECK(connect.zero(28, 32));
    CHECK(connect.at<std::uint32_t>(32) == port_type::event);
    CHECK(connect.zero(36, 72));  // padding, the union, proximity

    REQUIRE(create_port(cap, s.pages, s.self, 9, id, doorbell_port(5, kAnyVp)) == 0);
    REQUIRE(connect_port(cap, s.pages, id, 4, s.self, 9,
                         doorbell_connection(0xFEE00040, 0xAB, doorbell_flags::trigger_byte)) == 0);
    const auto& doorbell = cap.last(CallId::connect_port);
    CHECK(doorbell.at<std::uint32_t>(32) == port_type::doorbell);
    CHECK(doorbell.at<std::uint64_t>(40) == 0xFEE00040);  // GPA
    CHECK(doorbell.at<std::uint64_t>(48) == 0xAB);        // trigger value
    CHECK(doorbell.at<std::uint64_t>(56) == doorbell_flags::trigger_byte);

    REQUIRE(disconnect_port(cap, id, 4) == 0);
    const auto& disconnect = cap.last(CallId::disconnect_port);
    CHECK(disconnect.control.raw() == (0x5B | Control::kFastBit));
    CHECK(disconnect.at<std::uint64_t>(0) == id);
    CHECK(disconnect.at<std::uint32_t>(8) == 4);
    CHECK(disconnect.at<std::uint32_t>(12) == kDisconnectIsDoorbell);

    REQUIRE(delete_port(cap, s.self, 9) == 0);
    const auto& del = cap.last(CallId::delete_port);
    CHECK(del.control.raw() == (0x58 | Control::kFastBit));
    CHECK(del.at<std::uint64_t>(0) == s.self);
    CHECK(del.at<std::uint32_t>(8) == 9);
    CHECK(del.zero(12, 16));

    REQUIRE(notify_port_ring_empty(cap, 11) == 0);
    const auto& notify = cap.last(CallId::notify_port_ring_empty);
    CHECK(notify.control.raw() == (0x8B | Control::kFastBit));
    REQUIRE(notify.input.size() == 8);
    CHECK(notify.at<std::uint32_t>(0) == 11);
    CHECK(notify.zero(4, 8));

    bool newly = false;
    REQUIRE(signal_event_direct(cap, id, 0, 13, 0x1FF, newly) == 0);
    const auto& signal = cap.last(CallId::signal_event_direct);
    CHECK(signal.control.raw() == 0xC0);
    REQUIRE(signal.input.size() == 16);
    CHECK(signal.at<std::uint64_t>(0) == id);
    CHECK(signal.at<std::uint32_t>(8) == 0);
    CHECK(signal.at<std::uint8_t>(12) == 0);  // target VTL
    CHECK(signal.at<std::uint8_t>(13) == 13);
    CHECK(signal.at<std::uint16_t>(14) == 0x1FF);

    const std::array<std::byte, 3> payload{std::byte{1}, std::byte{2}, std::byte{3}};
    REQUIRE(post_message_direct(cap, id, 0, 6, 0x80000070, payload) == 0);
    const auto& post = cap.last(CallId::post_message_direct);
    CHECK(post.control.raw() == 0xC1);
    REQUIRE(post.input.size() == 280);
    CHECK(post.at<std::uint64_t>(0) == id);
    CHECK(post.at<std::uint32_t>(8) == 0);
    CHECK(post.zero(12, 16));  // VTL, padding
    CHECK(post.at<std::uint32_t>(16) == 6);
    CHECK(post.at<std::uint32_t>(20) == 0x80000070);  // message type
    CHECK(post.at<std::uint8_t>(24) == 3);            // payload size
    CHECK(post.zero(25, 36));                         // flags, reserved, sender
    CHECK(post.at<std::uint8_t>(36) == 1);            // payload from message offset 16
    CHECK(post.at<std::uint8_t>(38) == 3);
    CHECK(post.zero(39, 280));  // the payload's tail, padding2
    s.check_clean();
}

TEST_CASE("port structs are the catalogue's sizes", "[agreement][port]") {
    CHECK(sizeof(InputCreatePort) == info(CallId::create_port).input_header_size);
    CHECK(sizeof(InputConnectPort) == info(CallId::connect_port).input_header_size);
    CHECK(sizeof(InputDeletePort) == info(CallId::delete_port).input_header_size);
    CHECK(sizeof(InputDisconnectPort) == info(CallId::disconnect_port).input_header_size);
    CHECK(sizeof(InputNotifyPortRingEmpty) == info(CallId::notify_port_ring_empty).input_header_size);
    CHECK(sizeof(InputSignalEventDirect) == info(CallId::signal_event_direct).input_header_size);
    CHECK(sizeof(OutputSignalEventDirect) == info(CallId::signal_event_direct).output_size);
    CHECK(sizeof(InputPostMessageDirect) == info(CallId::post_message_direct).input_header_size);
}
