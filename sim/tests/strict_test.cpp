#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstring>

#include "test_machine.hpp"

using namespace hvsim;
using namespace hvsim::test;

namespace {

std::uint64_t qword(std::span<const std::byte> bytes, std::size_t offset) {
    std::uint64_t v;
    std::memcpy(&v, bytes.data() + offset, 8);
    return v;
}

}  // namespace

TEST_CASE("strict mode hands out a poisoned input page, like a CPU's stale page", "[strict]") {
    auto m = make_machine(/*strict=*/true);
    auto page = m.input_page(0);
    CHECK(qword(page, 0) == m.config().poison);
    CHECK(qword(page, 4088) == m.config().poison);
    std::fill(page.begin(), page.end(), std::byte{0});
    CHECK(qword(m.input_page(0), 0) == m.config().poison);  // every time it is taken

    auto relaxed = make_machine(false);
    CHECK(qword(relaxed.input_page(0), 0) == 0);
}

TEST_CASE("strict mode poisons output the call may define but did not", "[strict]") {
    auto m = make_machine(true);
    const auto out_gpa = m.output_page_gpa(0);
    auto out = m.output_page(0);

    // Elements 0..1 from an earlier call stay; 2..5 are written; a failing call's slots are poisoned.
    (void)m.call(0, word(code_of(CallId::get_vp_registers), 2, 0), m.input_page_gpa(0), out_gpa);
    CHECK(qword(out, 0) == 0x1000);
    FaultPlan plan;
    plan.statuses.push_back({code_of(CallId::get_vp_registers), 0, hvcall::Status::ACCESS_DENIED});
    m.set_fault_plan(plan);
    (void)m.call(0, word(code_of(CallId::get_vp_registers), 6, 2), m.input_page_gpa(0), out_gpa);
    CHECK(qword(out, 16 * 0) == 0x1000);  // before rep start: untouched
    CHECK(qword(out, 16 * 1) == 0x1001);
    CHECK(qword(out, 16 * 2) == m.config().poison);  // the call failed: undefined, poisoned
    CHECK(qword(out, 16 * 5 + 8) == m.config().poison);
    CHECK(qword(out, 16 * 6) == 0);  // beyond the output block: never touched
}

TEST_CASE("a caller that forgets a reserved field meets the poison", "[strict]") {
    // The model's handlers read reserved fields at their offsets; with a poisoned page a
    // field the caller did not write is non-zero. Shown here with the raw page bytes.
    auto m = make_machine(true);
    auto page = m.input_page(0);
    const std::uint64_t partition = 7;
    std::memcpy(page.data(), &partition, 8);  // fills the id, "forgets" bytes 8..23
    CHECK(qword(page, 8) != 0);
}

TEST_CASE("set_strict turns poisoning on and off between calls", "[strict]") {
    auto m = make_machine(false);
    CHECK(qword(m.input_page(0), 0) == 0);
    m.set_strict(true);
    CHECK(m.config().strict);
    CHECK(qword(m.input_page(0), 0) == m.config().poison);
    m.set_strict(false);
    auto page = m.input_page(0);
    std::fill(page.begin(), page.end(), std::byte{0});
    CHECK(qword(m.input_page(0), 0) == 0);
}
