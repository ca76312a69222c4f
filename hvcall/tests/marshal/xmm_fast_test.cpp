// Get and set VP registers in the XMM fast form (the catalogue allows it: TLFS extended fast
// hypercalls) agree with the memory form, and input or output past the 112-byte register block
// is refused by the rules that say so.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstring>

#include "fixture.hpp"
#include "hvcall/calls/vp.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

constexpr std::uint32_t kNames[] = {reg::rax, reg::rbx, reg::rip, reg::cr3};

// RDX, R8 and XMM0-5 as one byte block, the way the TLFS lays fast input and output out.
struct XmmBlock {
    XmmRegisters regs{};
    template <class T>
    void put(std::size_t offset, const T& v) {
        REQUIRE(offset + sizeof v <= kFastXmmBytes);
        std::memcpy(reinterpret_cast<std::byte*>(regs.data()) + offset, &v, sizeof v);
    }
    template <class T>
    [[nodiscard]] T get(std::size_t offset) const {
        T v;
        std::memcpy(&v, reinterpret_cast<const std::byte*>(regs.data()) + offset, sizeof v);
        return v;
    }
};

Control fast_rep(CallId id, std::uint32_t count) {
    return *Control::make({.code = info(id).code, .fast = true, .rep_count = count});
}

InputVpRegisters header(std::uint64_t id, std::uint32_t vp) {
    InputVpRegisters h{};
    h.partition_id = id;
    h.vp_index = vp;
    return h;
}

// Sets kNames (cycled) to base + i through the XMM block; the control word says `count`
// elements, the block holds those that fit.
HypercallResult set_fast(Backend& b, std::uint64_t id, std::uint32_t count, std::uint64_t base) {
    XmmBlock block;
    block.put(0, header(id, 0));
    constexpr std::size_t fit = (kFastXmmBytes - sizeof(InputVpRegisters)) / sizeof(RegisterAssoc);
    for (std::uint32_t i = 0; i < std::min<std::size_t>(count, fit); ++i) {
        RegisterAssoc a{};
        a.name = kNames[i % std::size(kNames)];
        a.value = {base + i, 0};
        block.put(sizeof(InputVpRegisters) + i * sizeof(RegisterAssoc), a);
    }
    return b.hypercall_fast_xmm(fast_rep(CallId::set_vp_registers, count), block.regs);
}

// Reads `count` kNames (cycled) through the XMM block: output starts at the first 16-byte
// boundary after the input.
std::vector<RegisterValue> get_fast(Backend& b, std::uint64_t id, std::uint32_t count, HypercallResult& r) {
    XmmBlock block;
    block.put(0, header(id, 0));
    for (std::uint32_t i = 0; i < count; ++i)
        block.put(sizeof(InputVpRegisters) + i * 4, kNames[i % std::size(kNames)]);
    r = b.hypercall_fast_xmm(fast_rep(CallId::get_vp_registers, count), block.regs);
    const std::size_t out = (sizeof(InputVpRegisters) + count * 4 + 15) / 16 * 16;
    std::vector<RegisterValue> values(r.ok() ? count : 0);
    for (std::uint32_t i = 0; i < values.size(); ++i)
        values[i] = block.get<RegisterValue>(out + i * sizeof(RegisterValue));
    return values;
}

std::vector<RegisterValue> get_memory(Sim& s, std::uint64_t id) {
    std::vector<RegisterValue> values(std::size(kNames));
    REQUIRE(get_vp_registers(s.backend, id, 0, kNames, values).ok());
    return values;
}

}  // namespace

TEST_CASE("set VP registers through XMM: the same state as the memory form", "[marshal][vp][xmm]") {
    Sim fast, memory;
    const auto fast_id = fast.active_with_vps({0}), memory_id = memory.active_with_vps({0});
    const auto r = set_fast(fast.backend, fast_id, 3, 0x7000);  // 16 + 3 x 32 = 112 bytes: the whole block
    REQUIRE(r.ok());
    CHECK(r.reps_completed() == 3);
    std::vector<RegisterAssoc> assocs(3);
    for (std::uint32_t i = 0; i < 3; ++i) assocs[i] = {kNames[i], 0, 0, {0x7000 + i, 0}};
    REQUIRE(set_vp_registers(memory.backend, memory_id, 0, assocs).ok());
    CHECK(fast.hv().digest() == memory.hv().digest());
    CHECK(get_memory(fast, fast_id) == get_memory(memory, memory_id));
    CHECK(fast.hv().vp_register(fast_id, 0, reg::rip) == std::array<std::uint64_t, 2>{0x7002, 0});
    fast.check_clean();
}

TEST_CASE("get VP registers through XMM: the values the memory form reads", "[marshal][vp][xmm]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    std::vector<RegisterAssoc> assocs;
    for (std::uint32_t i = 0; i < std::size(kNames); ++i) assocs.push_back({kNames[i], 0, 0, {0xA0 + i, 0}});
    REQUIRE(set_vp_registers(s.backend, id, 0, assocs).ok());
    HypercallResult r;
    const auto values = get_fast(s.backend, id, 4, r);  // 32 input bytes, 64 output bytes after them
    REQUIRE(r.ok());
    CHECK(r.reps_completed() == 4);
    CHECK(values == get_memory(s, id));
    CHECK(values[3] == RegisterValue{0xA3, 0});
    s.check_clean();
}

TEST_CASE("XMM fast input or output beyond the 112-byte register block is refused", "[marshal][vp][xmm][rule]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    const auto before = s.hv().digest();
    // Four assocs: 16 + 4 x 32 = 144 input bytes.
    const auto r = set_fast(s.backend, id, 4, 0x9000);
    CHECK(r.status() == Status::INVALID_HYPERCALL_INPUT);
    CHECK(s.last_rule() == hvsim::RuleId::fast_input_too_large);
    CHECK(s.hv().digest() == before);  // no register written
    // Five names: 36 input bytes, output from byte 48, 80 output bytes past the end.
    HypercallResult got;
    (void)get_fast(s.backend, id, 5, got);
    CHECK(got.status() == Status::INVALID_HYPERCALL_INPUT);
    CHECK(s.last_rule() == hvsim::RuleId::fast_output_too_large);
    s.check_clean();
}
