#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "hvcall/control.hpp"

using hvcall::Control;
using hvcall::ControlError;

TEST_CASE("every control field round-trips at its extremes", "[control]") {
    const auto code = GENERATE(std::uint16_t{0}, std::uint16_t{1}, std::uint16_t{0x46}, std::uint16_t{0xFFFF});
    const auto fast = GENERATE(false, true);
    const auto varhead = GENERATE(0u, 1u, 1023u);
    const auto nested = GENERATE(false, true);
    const auto reps = GENERATE(0u, 1u, 4095u);
    const auto start = GENERATE(0u, 1u, 4095u);

    const Control::Fields in{code, fast, varhead, nested, reps, start};
    const auto c = Control::make(in);
    REQUIRE(c.has_value());
    CHECK(c->code() == code);
    CHECK(c->fast() == fast);
    CHECK(c->varhead_qwords() == varhead);
    CHECK(c->nested() == nested);
    CHECK(c->rep_count() == reps);
    CHECK(c->rep_start() == start);
    CHECK(c->reserved_bits() == 0);
    CHECK(Control::from_raw(c->raw()) == *c);
}

TEST_CASE("the documented example words decode as the TLFS says", "[control]") {
    const auto c = Control::from_raw(0x0000000100000001ull);
    CHECK(c.code() == 0x0001);
    CHECK(c.rep_count() == 1);
    CHECK(c.reserved_bits() == 0);
    CHECK(Control::from_raw(0x8000000000000000ull).reserved_bits() == 0x8000000000000000ull);
    CHECK(Control::from_raw(0x0000000008000046ull).reserved_bits() == 0x0000000008000000ull);
}

TEST_CASE("each reserved bit is detected on its own", "[control]") {
    for (unsigned bit = 0; bit < 64; ++bit) {
        const std::uint64_t b = 1ull << bit;
        const auto c = Control::from_raw(b);
        const bool reserved = (Control::kLinuxReservedMask & b) != 0 && bit != 31;
        INFO("bit " << bit);
        CHECK((c.reserved_bits() != 0) == reserved);
        if (reserved) CHECK(c.reserved_bits() == b);
    }
    // Linux's mask is exactly the TLFS reserved bits plus the nested bit.
    CHECK(Control::from_raw(1ull << 31).nested());
    CHECK(Control::from_raw(Control::kLinuxReservedMask).reserved_bits() == Control::kReservedMask);
}

TEST_CASE("builders refuse values that would spill into reserved bits", "[control]") {
    CHECK(Control::check({.rep_count = 4096}) == ControlError::rep_count_too_large);
    CHECK(Control::check({.rep_start = 4096}) == ControlError::rep_start_too_large);
    CHECK(Control::check({.varhead_qwords = 1024}) == ControlError::varhead_too_large);
    CHECK_FALSE(Control::make({.code = 0x4B, .rep_count = 4096}).has_value());
    CHECK_FALSE(Control::make({.code = 0x4B, .rep_count = 0xFFFF}).has_value());
    CHECK_FALSE(Control::make({.code = 0xE3, .varhead_qwords = 0x400}).has_value());
    CHECK_FALSE(Control::rep(0x4B, 10, 4096).has_value());

    const auto base = Control::rep(0x4B, 10).value();
    CHECK_FALSE(base.with_rep_start(4096).has_value());
    CHECK_FALSE(base.with_rep_count(4096).has_value());
    CHECK(base.with_rep_start(4095)->rep_start() == 4095);
    CHECK(base.with_rep_start(7)->rep_count() == 10);
    CHECK(base.with_rep_count(3)->rep_count() == 3);
}

TEST_CASE("with_rep_start keeps every other field", "[control]") {
    const auto c =
        Control::make({.code = 0x50, .fast = true, .varhead_qwords = 3, .nested = true, .rep_count = 200}).value();
    const auto d = c.with_rep_start(199).value();
    CHECK(d.raw() == (c.raw() | (199ull << 48)));
}

static_assert(noexcept(Control::from_raw(0)));
static_assert(noexcept(Control::make({})));
static_assert(Control::simple(0x46).raw() == 0x46);
static_assert(Control::fast_simple(0x41).raw() == 0x10041);
