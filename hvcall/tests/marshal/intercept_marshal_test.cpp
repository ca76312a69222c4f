// Intercepts marshalled by hvcall on the strict model: install, replace and remove; CPUID and
// MSR intercept results (a CPUID result shows in get_vp_cpuid_values); errnos; input bytes.
#include <catch2/catch_test_macros.hpp>

#include "capture.hpp"
#include "fixture.hpp"
#include "hvcall/calls/intercept.hpp"
#include "hvcall/calls/vp.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

bool has(const std::string& digest, const std::string& line) { return digest.find(line) != std::string::npos; }

// Leaf 0x40000000 with EBX replaced by "Test" through the mask, everything else kept.
CpuidInterceptResult hv_vendor_override() {
    CpuidInterceptResult r{};
    r.eax = 0x40000000;
    r.result_ebx = 0x74736554;
    r.ebx_mask = ~0u;
    return r;
}

CpuidValues leaf(Sim& s, std::uint64_t id, std::uint32_t eax) {
    CpuidLeafInfo info{};
    info.eax = eax;
    CpuidValues v{};
    REQUIRE(get_vp_cpuid_values(s.backend, id, 0, cpuid_flags::apply_registered_values, std::span(&info, 1),
                                std::span(&v, 1))
                .ok());
    return v;
}

}  // namespace

TEST_CASE("install_intercept: installed, replaced, removed with access NONE", "[marshal][intercept]") {
    Sim s;
    const auto id = s.active();
    const auto rw = intercept_access::read | intercept_access::write;
    REQUIRE(install_intercept(s.backend, id, rw, intercept_type::x64_io_port, 0x60) == 0);
    CHECK(has(s.hv().digest(), "intercept type 0 access 3 parameter 0x60\n"));
    REQUIRE(install_intercept(s.backend, id, intercept_access::read, intercept_type::x64_io_port, 0x60) == 0);
    CHECK(has(s.hv().digest(), "intercept type 0 access 1 parameter 0x60\n"));
    REQUIRE(install_intercept(s.backend, id, intercept_access::none, intercept_type::x64_io_port, 0x60) == 0);
    CHECK_FALSE(has(s.hv().digest(), "intercept type 0"));
    REQUIRE(install_intercept(s.backend, id, intercept_access::read, intercept_type::x64_msr_index, 0xC0000080) == 0);
    CHECK(has(s.hv().digest(), "intercept type 12 access 1 parameter 0xc0000080\n"));
    s.check_clean();
}

TEST_CASE("register_intercept_result: a CPUID result changes what get_vp_cpuid_values returns",
          "[marshal][intercept]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    const CpuidValues before = leaf(s, id, 0x40000000);
    auto result = hv_vendor_override();
    result.padding = 0xBEEF;  // a caller's stale struct: hvcall must send zero
    REQUIRE(register_cpuid_intercept_result(s.backend, id, 0, result) == 0);
    const CpuidValues after = leaf(s, id, 0x40000000);
    CHECK(after.ebx == 0x74736554);
    CHECK(after.eax == before.eax);
    CHECK(after.ecx == before.ecx);

    MsrInterceptResult msr{};
    msr.msr_index = 0x1B;
    msr.access_type = intercept_access::read;
    msr.unused[3] = 0xFFFF;  // never sent
    CHECK(register_msr_intercept_result(s.backend, id, 0, msr) == 0);
    s.check_clean();
}

TEST_CASE("intercept rejections map to the driver's errnos", "[marshal][intercept][errno]") {
    Sim s;
    const auto id = s.active();
    CHECK(install_intercept(s.backend, id, intercept_access::read, 0x4, 0) == -EINVAL);  // RESERVED0 is no type
    CHECK(s.last_rule() == hvsim::RuleId::install_intercept_type_invalid);
    CHECK(register_cpuid_intercept_result(s.backend, id, 3, hv_vendor_override()) == -EINVAL);  // no VP 3
    CHECK(s.last_rule() == hvsim::RuleId::vp_index_unknown);
    const auto unready = s.create();
    CHECK(install_intercept(s.backend, unready, intercept_access::read, intercept_type::x64_cpuid, 1) == -EIO);
    CHECK(s.last_rule() == hvsim::RuleId::partition_not_active);

    // Refused before any call: access bits past EXECUTE, a port number wider than its u16.
    const auto calls = s.backend.calls;
    CHECK(install_intercept(s.backend, id, 0x8, intercept_type::x64_io_port, 0x60) == -EINVAL);
    CHECK(install_intercept(s.backend, id, intercept_access::read, intercept_type::x64_io_port, 0x10060) == -EINVAL);
    CHECK(install_intercept(s.backend, id, intercept_access::read, intercept_type::hypercall, 1) == -EINVAL);
    CHECK(s.backend.calls == calls);
    s.check_clean();
}

TEST_CASE("intercept inputs byte for byte (UAPI-HV, HDK-3B)", "[marshal][intercept][layout]") {
    Sim s;
    const auto id = s.active_with_vps({2});
    CapturingBackend cap(s.backend);
    REQUIRE(install_intercept(cap, id, intercept_access::write, intercept_type::x64_cpuid, 0x80000001) == 0);
    const auto& install = cap.last(CallId::install_intercept);
    CHECK(install.control.raw() == 0x4D);
    REQUIRE(install.input.size() == 24);
    CHECK(install.at<std::uint64_t>(0) == id);
    CHECK(install.at<std::uint32_t>(8) == intercept_access::write);
    CHECK(install.at<std::uint32_t>(12) == intercept_type::x64_cpuid);
    CHECK(install.at<std::uint64_t>(16) == 0x80000001);

    auto cpuid = hv_vendor_override();
    cpuid.ecx = 7;
    cpuid.subleaf_specific = 1;
    cpuid.always_override = 1;
    cpuid.padding = 0xBEEF;
    cpuid.result_edx = 0xD0;
    cpuid.edx_mask = 0xF0;
    REQUIRE(register_cpuid_intercept_result(cap, id, 2, cpuid) == 0);
    const auto& c = cap.last(CallId::register_intercept_result);
    CHECK(c.control.raw() == 0x91);
    REQUIRE(c.input.size() == 60);
    CHECK(c.at<std::uint64_t>(0) == id);
    CHECK(c.at<std::uint32_t>(8) == 2);
    CHECK(c.at<std::uint32_t>(12) == intercept_type::x64_cpuid);
    CHECK(c.at<std::uint32_t>(16) == 0x40000000);  // input eax
    CHECK(c.at<std::uint32_t>(20) == 7);           // input ecx
    CHECK(c.at<std::uint8_t>(24) == 1);            // subleaf_specific
    CHECK(c.at<std::uint8_t>(25) == 1);            // always_override
    CHECK(c.at<std::uint16_t>(26) == 0);           // padding
    CHECK(c.at<std::uint32_t>(28) == 0);           // result eax, its mask @32
    CHECK(c.at<std::uint32_t>(36) == 0x74736554);  // result ebx, its mask @40
    CHECK(c.at<std::uint32_t>(40) == ~0u);
    CHECK(c.at<std::uint32_t>(52) == 0xD0);  // result edx @52, its mask @56
    CHECK(c.at<std::uint32_t>(56) == 0xF0);

    MsrInterceptResult msr{};
    msr.msr_index = 0x1B;
    msr.access_type = intercept_access::write;
    msr.action = 1;
    msr.unused[0] = 0xDEAD;
    REQUIRE(register_msr_intercept_result(cap, id, 2, msr) == 0);
    const auto& m = cap.last(CallId::register_intercept_result);
    CHECK(m.at<std::uint32_t>(12) == intercept_type::x64_msr);
    CHECK(m.at<std::uint32_t>(16) == 0x1B);
    CHECK(m.at<std::uint32_t>(20) == intercept_access::write);
    CHECK(m.at<std::uint32_t>(24) == 1);
    CHECK(m.zero(28, 60));
    s.check_clean();
}

TEST_CASE("intercept structs are the catalogue's sizes", "[agreement][intercept]") {
    CHECK(sizeof(InputInstallIntercept) == info(CallId::install_intercept).input_header_size);
    CHECK(sizeof(InputRegisterInterceptResult) == info(CallId::register_intercept_result).input_header_size);
}
