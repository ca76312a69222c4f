// Virtual interrupts marshalled by hvcall on the strict model: assert to APIC ids, clear in the
// fast and memory forms, errno on rejection, and the input bytes at the header's offsets (HDK).
#include <catch2/catch_test_macros.hpp>

#include "capture.hpp"
#include "fixture.hpp"
#include "hvcall/calls/interrupt.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

constexpr InterruptControl kEdge{interrupt_type::fixed, 0};
constexpr InterruptControl kLevel{interrupt_type::fixed, interrupt_flags::level_triggered};

}  // namespace

TEST_CASE("assert_virtual_interrupt: the vector reaches the VP the APIC id names", "[marshal][interrupt]") {
    Sim s;
    const auto id = s.active_with_vps({0, 1});
    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x30, 1, kEdge) == 0);
    CHECK(s.hv().interrupt_pending(id, 1, 0x30));
    CHECK_FALSE(s.hv().interrupt_pending(id, 0, 0x30));
    // Logical destination mode: bit i names VP i, so 0b11 reaches both.
    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x31, 0b11,
                                     {interrupt_type::fixed, interrupt_flags::logical_dest_mode}) == 0);
    CHECK(s.hv().interrupt_pending(id, 0, 0x31));
    CHECK(s.hv().interrupt_pending(id, 1, 0x31));
    s.check_clean();
}

TEST_CASE("clear_virtual_interrupt takes back level-triggered vectors, fast and memory forms alike",
          "[marshal][interrupt]") {
    Sim s;
    const auto id = s.active_with_vps({0, 1});
    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x30, 0, kEdge) == 0);
    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x41, 0, kLevel) == 0);
    REQUIRE(clear_virtual_interrupt(s.backend, id) == 0);
    CHECK_FALSE(s.hv().interrupt_pending(id, 0, 0x41));
    CHECK(s.hv().interrupt_pending(id, 0, 0x30));  // edge-triggered: stays pending

    REQUIRE(assert_virtual_interrupt(s.backend, id, 0x42, 1, kLevel) == 0);
    CHECK(s.hv().interrupt_pending(id, 1, 0x42));
    REQUIRE(clear_virtual_interrupt_memory(s.backend, id) == 0);
    CHECK_FALSE(s.hv().interrupt_pending(id, 1, 0x42));
    s.check_clean();
}

TEST_CASE("interrupt rejections map to the driver's errnos", "[marshal][interrupt][errno]") {
    Sim s;
    const auto id = s.active_with_vps({0, 1});
    CHECK(assert_virtual_interrupt(s.backend, id, 5, 0, kEdge) == -EINVAL);  // vectors below 16 are exceptions
    CHECK(s.last_rule() == hvsim::RuleId::assert_interrupt_vector_invalid);
    CHECK(assert_virtual_interrupt(s.backend, id, 0x30, 7, kEdge) == -EINVAL);  // no VP has APIC id 7
    CHECK(s.last_rule() == hvsim::RuleId::assert_interrupt_destination_unknown);
    CHECK(assert_virtual_interrupt(s.backend, id + 100, 0x30, 0, kEdge) == -EINVAL);  // INVALID_PARTITION_ID
    CHECK(s.last_rule() == hvsim::RuleId::partition_id_unknown);
    const auto unready = s.create();  // not initialized: INVALID_PARTITION_STATE, which Linux maps to -EIO
    CHECK(assert_virtual_interrupt(s.backend, unready, 0x30, 0, kEdge) == -EIO);
    CHECK(clear_virtual_interrupt(s.backend, unready) == -EIO);
    CHECK(clear_virtual_interrupt_memory(s.backend, unready) == -EIO);
    CHECK(s.last_rule() == hvsim::RuleId::partition_not_active);

    // Refused before any call: reserved control bits, a type past the last.
    const auto calls = s.backend.calls;
    CHECK(assert_virtual_interrupt(s.backend, id, 0x30, 0, {interrupt_type::fixed, 0x4}) == -EINVAL);
    CHECK(assert_virtual_interrupt(s.backend, id, 0x30, 0, {interrupt_type::maximum, 0}) == -EINVAL);
    CHECK(s.backend.calls == calls);
    s.check_clean();
}

TEST_CASE("interrupt inputs byte for byte (HDK)", "[marshal][interrupt][layout]") {
    Sim s;
    const auto id = s.active_with_vps({0, 1});
    CapturingBackend cap(s.backend);
    REQUIRE(assert_virtual_interrupt(cap, id, 0xEC, 1,
                                     {interrupt_type::lowest_priority, interrupt_flags::level_triggered}) == 0);
    const auto& a = cap.last(CallId::assert_virtual_interrupt);
    CHECK(a.control.raw() == 0x94);  // simple memory call
    REQUIRE(a.input.size() == 32);
    CHECK(a.at<std::uint64_t>(0) == id);
    CHECK(a.at<std::uint32_t>(8) == interrupt_type::lowest_priority);  // control: type, then
    CHECK(a.at<std::uint32_t>(12) == 0x1);                             // bit 32 level_triggered
    CHECK(a.at<std::uint64_t>(16) == 1);                               // destination APIC id
    CHECK(a.at<std::uint32_t>(24) == 0xEC);
    CHECK(a.zero(28, 32));  // target VTL 0, rsvd_z0, rsvd_z1

    REQUIRE(clear_virtual_interrupt(cap, id) == 0);
    const auto& fast = cap.last(CallId::clear_virtual_interrupt);
    CHECK(fast.control.raw() == (0x56 | Control::kFastBit));
    REQUIRE(fast.input.size() == 8);
    CHECK(fast.at<std::uint64_t>(0) == id);

    REQUIRE(clear_virtual_interrupt_memory(cap, id) == 0);
    const auto& memory = cap.last(CallId::clear_virtual_interrupt);
    CHECK(memory.control.raw() == 0x56);
    REQUIRE(memory.input.size() == 8);
    CHECK(memory.at<std::uint64_t>(0) == id);
    s.check_clean();
}

TEST_CASE("interrupt structs are the catalogue's sizes", "[agreement][interrupt]") {
    CHECK(sizeof(InputAssertVirtualInterrupt) == info(CallId::assert_virtual_interrupt).input_header_size);
    CHECK(sizeof(InputClearVirtualInterrupt) == info(CallId::clear_virtual_interrupt).input_header_size);
}
