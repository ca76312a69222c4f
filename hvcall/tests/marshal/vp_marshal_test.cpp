// VP calls marshalled by hvcall on the strict model: create-VP deposits, register batches,
// CPUID leaves, VP state, state pages, translation; the agreement of layouts; rep schedules.
#include <catch2/catch_test_macros.hpp>

#include "fixture.hpp"
#include "hvcall/calls/vp.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

constexpr std::uint32_t kGprs[] = {reg::rax, reg::rcx, reg::rdx, reg::rbx, reg::rip, reg::cr3, reg::guest_os_id};

// 300 writes and 300 reads: more than one batch of each (127 and 256).
std::vector<RegisterAssoc> many_assocs() {
    std::vector<RegisterAssoc> v(300);
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i].name = kGprs[i % std::size(kGprs)];
        v[i].reserved1 = 0xDEAD;  // a caller's stale struct: hvcall must not send it
        v[i].reserved2 = ~0ull;
        v[i].value = {0x1000 + i, 0};
    }
    return v;
}

struct Run {
    std::string digest;
    std::vector<RegisterValue> values;
    std::vector<CpuidValues> cpuid;
    std::string broken;
};

Run workload(hvsim::MachineConfig config, hvsim::FaultPlan plan) {
    Sim s(std::move(config), std::move(plan));
    const auto id = s.active();
    REQUIRE(create_vp(s.backend, s.pages, id, 0, s.self) == 0);
    const auto assocs = many_assocs();
    REQUIRE(set_vp_registers(s.backend, id, 0, assocs).ok());
    std::vector<std::uint32_t> names(300);
    for (std::size_t i = 0; i < names.size(); ++i) names[i] = kGprs[i % std::size(kGprs)];
    Run r;
    r.values.resize(300);
    REQUIRE(get_vp_registers(s.backend, id, 0, names, r.values).ok());
    std::vector<CpuidLeafInfo> leaves(400);
    for (std::size_t i = 0; i < leaves.size(); ++i) leaves[i].eax = static_cast<std::uint32_t>(i % 2 ? 0x40000000 : i);
    r.cpuid.resize(400);
    REQUIRE(get_vp_cpuid_values(s.backend, id, 0, 0, leaves, r.cpuid).ok());
    r.digest = s.hv().digest();
    r.broken = s.backend.first_broken;
    s.check_clean();
    return r;
}

}  // namespace

TEST_CASE("create_vp pre-deposits 90 pages into another partition, then retries one page at a time", "[marshal][vp]") {
    auto config = strict_config();
    config.costs.vp = 100;  // 8 free after initialize + 90: two one-page retries
    Sim s(config);
    const auto id = s.active();
    const auto before = s.hv().partition(id)->pool_pages;
    REQUIRE(create_vp(s.backend, s.pages, id, 3, s.self) == 0);
    CHECK(s.hv().vp_indices(id) == std::vector<std::uint32_t>{3});
    const auto after = s.hv().partition(id)->pool_pages;
    CHECK(after - before >= kCreateVpDepositPages);
    CHECK(create_vp(s.backend, s.pages, id, 3, s.self) == -EINVAL);  // INVALID_VP_INDEX: exists
    REQUIRE(delete_vp(s.backend, id, 3) == 0);
    CHECK(s.hv().vp_indices(id).empty());
    s.check_clean();
}

TEST_CASE("registers: batches of 127 and 256, reserved fields never sent, values as set", "[marshal][vp][agreement]") {
    const Run r = workload(strict_config(), {});
    CHECK(r.broken == "");
    for (std::size_t i = 0; i < r.values.size(); ++i) {
        // The last write of each name wins.
        std::size_t last = i;
        while (last + std::size(kGprs) < 300) last += std::size(kGprs);
        CHECK(r.values[i] == RegisterValue{0x1000 + last, 0});
    }
    CHECK(r.cpuid[0].ebx == 0x756E6547);  // leaf 0 vendor, decoded at the model's offsets
    CHECK(r.cpuid[1].ebx == 0x7263694D);  // leaf 0x40000000 "Micr"
}

TEST_CASE("registers and CPUID reach the same results under every time-slice schedule", "[property][schedule][vp]") {
    const Run base = workload(strict_config(), {});
    for (std::uint32_t k : {1u, 2u, 7u, 100u, 255u}) {
        INFO("time-slice end after every " << k << " elements");
        hvsim::FaultPlan plan;
        plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, k});
        const Run o = workload(strict_config(), plan);
        CHECK(o.broken == "");
        CHECK(o.digest == base.digest);
        CHECK(o.values == base.values);
        CHECK(o.cpuid == base.cpuid);
    }
    hvsim::FaultPlan seeded;
    seeded.seed = 5;
    seeded.early_end_per_mille = 30;
    const Run o = workload(strict_config(), seeded);
    CHECK(o.digest == base.digest);
    CHECK(o.values == base.values);
}

TEST_CASE("VP state, state pages and translation through hvcall", "[marshal][vp]") {
    Sim s;
    const auto id = s.active();
    REQUIRE(create_vp(s.backend, s.pages, id, 0, s.self) == 0);
    std::vector<std::byte> timers(sizeof(OutputGetVpState));
    timers[8] = std::byte{0x42};
    VpStateData data{};
    data.type = vp_state_type::synthetic_timers;
    REQUIRE(set_vp_state(s.backend, s.pages, id, 0, data, {}, timers) == 0);
    OutputGetVpState got{};
    REQUIRE(get_vp_state(s.backend, s.pages, id, 0, data, {}, &got) == 0);
    CHECK(got.synthetic_timers[0].config == 0x42);
    data.type = vp_state_type::lapic;
    const auto pfn = s.ram(1);
    REQUIRE(get_vp_state(s.backend, s.pages, id, 0, data, pfn, nullptr) == 0);
    CHECK(get_vp_state(s.backend, s.pages, id, 0, data, std::vector<std::uint64_t>(kVpStateBatch + 1), nullptr) ==
          -EINVAL);

    std::uint64_t page = 0;
    REQUIRE(map_vp_state_page(s.backend, s.pages, id, 0, vp_state_page::registers, page) == 0);
    CHECK(s.hv().pfn_state(page).owner == hvsim::PfnOwner::deposited);
    REQUIRE(unmap_vp_state_page(s.backend, id, 0, vp_state_page::registers) == 0);

    OutputTranslateVirtualAddress out{};
    REQUIRE(translate_virtual_address(s.backend, id, 0, translate_flags::validate_read, 0x123, out) == 0);
    CHECK(out.result_code == translate_result::gpa_unmapped);  // paging off: GVA = GPA, nothing mapped
    CHECK(out.gpa_page == 0x123);
    s.check_clean();
}

TEST_CASE("VP structs are the catalogue's sizes", "[agreement][vp]") {
    CHECK(sizeof(InputCreateVp) == info(CallId::create_vp).input_header_size);
    CHECK(sizeof(InputDeleteVp) == info(CallId::delete_vp).input_header_size);
    CHECK(sizeof(InputVpRegisters) == info(CallId::get_vp_registers).input_header_size);
    CHECK(sizeof(RegisterAssoc) == info(CallId::set_vp_registers).rep_input_size);
    CHECK(sizeof(RegisterValue) == info(CallId::get_vp_registers).rep_output_size);
    CHECK(sizeof(InputVpState) == info(CallId::get_vp_state).input_header_size);
    CHECK(sizeof(OutputGetVpState) == info(CallId::get_vp_state).output_size);
    CHECK(sizeof(InputMapVpStatePage) == info(CallId::map_vp_state_page).input_header_size);
    CHECK(sizeof(InputUnmapVpStatePage) == info(CallId::unmap_vp_state_page).input_header_size);
    CHECK(sizeof(InputGetVpCpuidValues) == info(CallId::get_vp_cpuid_values).input_header_size);
    CHECK(sizeof(CpuidLeafInfo) == info(CallId::get_vp_cpuid_values).rep_input_size);
    CHECK(sizeof(CpuidValues) == info(CallId::get_vp_cpuid_values).rep_output_size);
    CHECK(sizeof(InputTranslateVirtualAddress) == info(CallId::translate_virtual_address).input_header_size);
    CHECK(sizeof(OutputTranslateVirtualAddress) == info(CallId::translate_virtual_address).output_size);
}
