#include <catch2/catch_test_macros.hpp>

#include <cstring>

#include "hvsim/diagnostic.hpp"
#include "test_machine.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Control;
using hvcall::Status;

TEST_CASE("HvCallGetPartitionId succeeds end to end through SimBackend", "[backend]") {
    MachineConfig config;
    config.root_partition_id = 0x1234;
    Machine m(config);
    SimBackend backend(m, 1);
    const auto r = backend.hypercall(Control::simple(0x46));
    REQUIRE(r.ok());
    std::uint64_t id = 0;
    std::memcpy(&id, backend.output_page().data(), 8);
    CHECK(id == 0x1234);
    CHECK(r.reserved_bits() == 0);
}

TEST_CASE("uncatalogued and unimplemented codes answer INVALID_HYPERCALL_CODE", "[backend]") {
    Machine m;
    SimBackend backend(m);
    CHECK(backend.hypercall(Control::simple(0x0001)).status() == Status::INVALID_HYPERCALL_CODE);
    CHECK(m.last_diagnostic()->rule == RuleId::call_unknown_code);
    for (const auto& c : hvcall::kCalls) {
        if (model_implements(c.id)) continue;
        INFO(c.name);
        CHECK(backend.hypercall(Control::simple(c.code)).status() == Status::INVALID_HYPERCALL_CODE);
        CHECK(m.last_diagnostic()->rule == RuleId::call_unimplemented);
    }
}

TEST_CASE("the XMM fast form takes input from registers and returns output in them", "[backend]") {
    auto m = make_machine();
    SimBackend backend(m);
    hvcall::XmmRegisters regs{};
    // get_vp_registers with 2 names: 16 + 8 input bytes (2 pairs), 32 output bytes after them.
    const auto c = Control::from_raw(word(code_of(CallId::get_vp_registers), 2, 0).raw() | Control::kFastBit);
    const auto r = backend.hypercall_fast_xmm(c, regs);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 2);
    CHECK(regs[4] == 0x1000);  // element 0 starts at byte 32 (qword 4)
    CHECK(regs[6] == 0x1001);
    CHECK(regs[0] == 0);  // input registers untouched
}

TEST_CASE("register fast calls pass 16 bytes of input", "[backend]") {
    Machine m;
    // Capture what the handler reads: a stub that rejects unless it sees the values.
    m.hypervisor().set_handler(
        hvcall::CallId::delete_vp, {.simple = [](CallContext& ctx) -> Outcome {
            if (ctx.input().size() == 16 && ctx.in<std::uint64_t>(0) == 0xAA && ctx.in<std::uint64_t>(8) == 0xBB)
                return Outcome::ok();
            return ctx.reject(RuleId::fault_allocation_failed);
        }});
    SimBackend backend(m);
    CHECK(backend.hypercall_fast(Control::fast_simple(0x4F), 0xAA, 0xBB).ok());
    CHECK_FALSE(backend.hypercall_fast(Control::fast_simple(0x4F), 0xAA, 0xBC).ok());
}

TEST_CASE("diagnostics explain themselves", "[diagnostic]") {
    Machine m;
    (void)m.call(0, Control::from_raw(0x0000000008000046ull), 0, m.output_page_gpa(0));
    REQUIRE(m.last_diagnostic());
    const std::string text = describe(*m.last_diagnostic());
    CHECK(text.find("control.reserved_bits") == 0);
    CHECK(text.find("bit 27") != std::string::npos);

    (void)m.call(0, Control::simple(0x46), 0, m.output_page_gpa(0) + 4);
    const std::string gpa = describe(*m.last_diagnostic());
    CHECK(gpa.find("gpa.output_unaligned") == 0);
    CHECK(gpa.find("8 bytes") != std::string::npos);
}

static_assert(noexcept(std::declval<Machine&>().call(0, Control{}, 0, 0)));
static_assert(noexcept(std::declval<hvcall::Backend&>().hypercall(Control{})));
