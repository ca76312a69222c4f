// The model's one helper for each shared bit field (sim/src/calls/common.hpp, MachineConfig)
// against hvcall's independent transcription of the same headers.
#include <catch2/catch_test_macros.hpp>

#include "calls/common.hpp"
#include "hvcall/types/partition.hpp"
#include "hvsim/config.hpp"

TEST_CASE("the GFN limit follows guest_address_bits", "[shapes]") {
    hvsim::MachineConfig c;
    c.guest_address_bits = 48;
    CHECK(c.gfn_limit() == 1ull << 36);
    c.guest_address_bits = 21;  // the smallest: one 2 MiB page
    CHECK(c.gfn_limit() == 512);
    c.guest_address_bits = 64;
    CHECK(c.gfn_limit() == ~0ull >> 12);
}

TEST_CASE("isolation and proximity fields agree with hvcall's reading", "[shapes]") {
    namespace c = hvsim::calls;
    CHECK(c::kIsolationSnp == hvcall::isolation::type_snp);
    CHECK(c::kIsolationTdx == hvcall::isolation::type_tdx);
    const std::uint64_t props = hvcall::isolation::type_tdx | (1ull << 5) | (0x1234ull << 12);
    CHECK(c::isolation_type(props) == hvcall::isolation::type_tdx);
    CHECK(c::isolation_host_type(props) == 1);
    // type, host type and rsvd_z are disjoint; the boundary page number starts above them
    const std::uint64_t host = c::kIsolationHostTypeMask << c::kIsolationHostTypeShift;
    CHECK((c::kIsolationTypeMask & host) == 0);
    CHECK(((c::kIsolationTypeMask | host) & hvcall::isolation::reserved_mask) == 0);
    CHECK((c::kIsolationTypeMask | host | hvcall::isolation::reserved_mask) == 0xFFF);
    // hv_proximity_domain_info flags: bit 0 preferred, bit 31 valid, bits 1-30 reserved
    CHECK(c::kProximityFlagsReserved == (~0u & ~1u & ~(1u << 31)));
}
