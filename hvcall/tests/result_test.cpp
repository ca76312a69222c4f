#include <catch2/catch_test_macros.hpp>

#include "hvcall/result.hpp"

using hvcall::HypercallResult;
using hvcall::Status;

TEST_CASE("result word fields decode from their bit ranges", "[result]") {
    const auto r = HypercallResult::from_raw(0x0000000A0000000Bull);
    CHECK(r.status() == Status::INSUFFICIENT_MEMORY);
    CHECK(r.reps_completed() == 10);
    CHECK(r.reserved_bits() == 0);
    CHECK_FALSE(r.ok());

    CHECK(HypercallResult::from_raw(0x00000FFF00000000ull).reps_completed() == 4095);
    CHECK(HypercallResult::from_raw(0x00000FFF00000000ull).ok());
}

TEST_CASE("reserved result bits are everything but status and reps", "[result]") {
    for (unsigned bit = 0; bit < 64; ++bit) {
        const bool status_or_reps = bit < 16 || (bit >= 32 && bit < 44);
        INFO("bit " << bit);
        CHECK((HypercallResult::from_raw(1ull << bit).reserved_bits() != 0) == !status_or_reps);
    }
}

TEST_CASE("make() builds a word that decodes back", "[result]") {
    const auto r = HypercallResult::make(Status::INVALID_ALIGNMENT, 4095);
    CHECK(r.status() == Status::INVALID_ALIGNMENT);
    CHECK(r.reps_completed() == 4095);
    CHECK(r.raw() == 0x00000FFF00000004ull);
    // reps completed is 12 bits wide; make() never writes outside it
    CHECK(HypercallResult::make(Status::SUCCESS, 0x1FFF).reserved_bits() == 0);
}

TEST_CASE("status names and messages come from one list", "[result]") {
    CHECK(hvcall::status_name(Status::INVALID_HYPERCALL_INPUT) == "INVALID_HYPERCALL_INPUT");
    CHECK(hvcall::status_name(static_cast<Status>(0x1)) == "UNKNOWN");
    CHECK(hvcall::status_from_name("HV_STATUS_INVALID_PARTITION_ID") == Status::INVALID_PARTITION_ID);
    CHECK(hvcall::status_from_name("INVALID_VP_INDEX") == Status::INVALID_VP_INDEX);
    CHECK_FALSE(hvcall::status_from_name("NOPE").has_value());
    for (const auto& s : hvcall::kStatuses) {
        CHECK_FALSE(s.message.empty());
        CHECK(hvcall::find_status(static_cast<std::uint16_t>(s.status)) == &s);
    }
}
