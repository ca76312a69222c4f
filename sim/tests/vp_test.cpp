// VPs, interrupts, messages, translation and stats pages on the model, driven by raw calls;
// and the passthrough allow-list (MAIN) fully implemented.
#include <algorithm>

#include "model_setup.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Status;

namespace {
constexpr std::uint32_t kRip = 0x00020010, kCr0 = 0x00040000, kCr3 = 0x00040002, kCr4 = 0x00040003, kEfer = 0x00080001;

hvcall::HypercallResult set_reg(Model& md, std::uint64_t id, std::uint32_t vp, std::uint32_t name,
                                std::uint64_t value) {
    return md.rep(CallId::set_vp_registers, Bytes{}.at(0, id).at(8, vp).at(16, name).at(32, value), 1);
}
void write_qword(Model& md, std::uint64_t pfn, std::uint64_t index, std::uint64_t v) {
    std::array<std::byte, 8> b;
    std::memcpy(b.data(), &v, 8);
    md.m.memory().write(pfn * 4096 + index * 8, b);
}
}  // namespace

TEST_CASE("every call of the MSHV_ROOT_HVCALL allow-list, and only the model's, is implemented", "[vp][catalogue]") {
    // A-MAIN's list (mshv_passthru_hvcalls), in the kernel's order; an independent list, not
    // derived from the catalogue or the uapi mirror.
    const std::uint16_t allow_list[] = {0x44, 0x101, 0x45, 0x4D, 0x50, 0x51, 0x52,
                                        0x56, 0x91,  0x94, 0xC9, 0xC0, 0xC1, 0xF4};
    for (std::uint16_t code : allow_list) {
        INFO("code " << code);
        const auto* c = hvcall::find_call(code);
        REQUIRE(c != nullptr);
        CHECK(model_implements(c->id));
    }
    CHECK(std::size(allow_list) == 14);
}

TEST_CASE("create, use and delete VPs; the pool pays per VP", "[vp]") {
    Model md;
    const auto id = md.with_vps(2);
    CHECK(md.hv().vp_indices(id) == std::vector<std::uint32_t>{0, 1});
    const auto used = md.hv().partition(id)->pool_used;
    REQUIRE(set_reg(md, id, 1, kRip, 0x1234).ok());
    CHECK(md.hv().vp_register(id, 1, kRip) == std::array<std::uint64_t, 2>{0x1234, 0});
    // Get three registers with time-slice resumption by hand.
    Bytes get = Bytes{}.at(0, id).at(8, 1u).at(16, kRip).at(20, 0x00090003u).at(24, 0x00020011u);
    REQUIRE(md.rep(CallId::get_vp_registers, get, 3).ok());
    CHECK(md.out_qword(0) == 0x1234);
    CHECK(md.out_qword(16) == 1);  // VP index register
    CHECK(md.out_qword(32) == 2);  // RFLAGS reset value
    REQUIRE(md.fast(CallId::delete_vp, id, 1).ok());
    CHECK(md.hv().partition(id)->pool_used == used - 1);
    CHECK(md.hv().vp_indices(id) == std::vector<std::uint32_t>{0});
    md.check();
}

TEST_CASE("VP state round-trips through PFN pages and bytes; state pages are pinned against withdrawal", "[vp]") {
    Model md;
    const auto id = md.with_vps(1);
    const auto pfn = md.take_pages(1)[0];
    REQUIRE(md.raw_varhead(CallId::get_vp_state, Bytes{}.at(0, id).at(16, 0x80000000u).at(40, pfn), 1).ok());
    std::array<std::byte, 4> apic{};
    md.m.memory().read(pfn * 4096 + 0x30, apic);
    CHECK(apic[0] == std::byte{0x14});  // the LAPIC version register
    Bytes timers = Bytes{}.at(0, id).at(16, 0x4u).at(40 + 8, std::uint64_t{0xABCD});
    REQUIRE(md.raw_varhead(CallId::set_vp_state, timers, 25).ok());
    REQUIRE(md.raw(CallId::get_vp_state, Bytes{}.at(0, id).at(16, 0x4u)).ok());
    CHECK(md.out_qword(8) == 0xABCD);

    REQUIRE(md.raw(CallId::map_vp_state_page, Bytes{}.at(0, id)).ok());
    const auto page = md.out_qword();
    REQUIRE(md.raw(CallId::map_vp_state_page, Bytes{}.at(0, id)).ok());
    CHECK(md.out_qword() == page);  // mapping again gives the same page
    CHECK(md.hv().pfn_state(page).owner == PfnOwner::deposited);
    REQUIRE(md.fast(CallId::finalize_partition, id).ok());
    auto r = md.rep(CallId::withdraw_memory, Bytes{}.at(0, id), 256);
    CHECK(r.ok());
    md.check();
}

TEST_CASE("registered CPUID results override the model's leaves when asked", "[vp][intercept]") {
    Model md;
    const auto id = md.with_vps(1);
    Bytes result = Bytes{}.at(0, id).at(12, 2u).at(16, 0x40000000u).at(28, 0x55u).at(32, 0xFFu);  // eax value, mask
    REQUIRE(md.raw(CallId::register_intercept_result, result).ok());
    Bytes get = Bytes{}.at(0, id).at(12, 0u).at(24, 0x40000000u);
    REQUIRE(md.rep(CallId::get_vp_cpuid_values, get, 1).ok());
    CHECK((md.out_qword() & 0xFFFFFFFF) == 0x4000000A);
    REQUIRE(md.rep(CallId::get_vp_cpuid_values, get.at(12, 2u), 1).ok());
    CHECK((md.out_qword() & 0xFFFFFFFF) == 0x40000055);
    REQUIRE(
        md.raw(CallId::install_intercept, Bytes{}.at(0, id).at(8, 1u).at(12, 0u).at(16, std::uint64_t{0x3F8})).ok());
    CHECK(md.hv().digest().find("intercept type 0 access 1 parameter 0x3f8") != std::string::npos);
    md.check();
}

TEST_CASE("asserted interrupts pend; clear takes back the level-triggered ones", "[vp][interrupt]") {
    Model md;
    const auto id = md.with_vps(2);
    REQUIRE(md.raw(CallId::assert_virtual_interrupt, Bytes{}.at(0, id).at(16, std::uint64_t{1}).at(24, 0x30u)).ok());
    REQUIRE(
        md.raw(CallId::assert_virtual_interrupt, Bytes{}.at(0, id).at(12, 1u).at(16, std::uint64_t{0xFF}).at(24, 0x40u))
            .ok());
    CHECK(md.hv().interrupt_pending(id, 1, 0x30));
    CHECK_FALSE(md.hv().interrupt_pending(id, 0, 0x30));
    CHECK(md.hv().interrupt_pending(id, 0, 0x40));
    REQUIRE(md.raw(CallId::clear_virtual_interrupt, Bytes{}.at(0, id)).ok());
    CHECK_FALSE(md.hv().interrupt_pending(id, 0, 0x40));
    CHECK(md.hv().interrupt_pending(id, 1, 0x30));               // edge-triggered: stays
    REQUIRE(md.fast(CallId::clear_virtual_interrupt, id).ok());  // the fast form too
}

TEST_CASE("messages fill a SINT slot; events report whether they were newly signaled", "[vp][synic]") {
    Model md;
    const auto id = md.with_vps(1);
    REQUIRE(
        md.raw(CallId::post_message_direct, Bytes{}.at(0, id).at(16, 3u).at(20, 0x77u).at(24, std::uint8_t{240})).ok());
    CHECK(md.hv().message_type(id, 0, 3) == 0x77);
    Bytes signal = Bytes{}.at(0, id).at(13, std::uint8_t{3}).at(14, std::uint16_t{100});
    REQUIRE(md.raw(CallId::signal_event_direct, signal).ok());
    CHECK(md.out_byte(0) == 1);
    REQUIRE(md.raw(CallId::signal_event_direct, signal).ok());
    CHECK(md.out_byte(0) == 0);
    // Ports: the root's port 5 for the child, a connection, then teardown.
    md.deposit(kSelf, 4);
    REQUIRE(md.raw(CallId::create_port,
                   Bytes{}.at(0, kSelf).at(8, 5u).at(16, id).at(24, 2u).at(32, 3u).at(42, std::uint16_t{16}))
                .ok());
    REQUIRE(md.raw(CallId::connect_port, Bytes{}.at(0, id).at(8, 7u).at(16, kSelf).at(24, 5u).at(32, 2u)).ok());
    REQUIRE(md.fast(CallId::disconnect_port, id, 7 | (1ull << 32)).ok());
    REQUIRE(md.fast(CallId::delete_port, kSelf, 5).ok());
    REQUIRE(md.fast(CallId::notify_port_ring_empty, 3).ok());
    md.check();
}

TEST_CASE("translate walks the guest's 4-level page tables", "[vp][translate]") {
    Model md;
    const auto id = md.with_vps(1);
    // Guest pages 0x10..0x13 hold PML4, PDPT, PD, PT; guest page 0x40 is the data page.
    const auto tables = md.take_pages(4);
    const auto data = md.take_pages(1);
    REQUIRE(md.map(id, 0x10, tables).ok());
    REQUIRE(md.map(id, 0x40, data, kMapRead).ok());
    write_qword(md, tables[0], 0, (0x11ull << 12) | 0x7);
    write_qword(md, tables[1], 0, (0x12ull << 12) | 0x7);
    write_qword(md, tables[2], 0, (0x13ull << 12) | 0x7);
    write_qword(md, tables[3], 5, (0x40ull << 12) | 0x5);  // present, user, read-only
    write_qword(md, tables[3], 6, (0x99ull << 12) | 0x7);  // points at an unmapped GPA
    REQUIRE(set_reg(md, id, 0, kCr3, 0x10ull << 12).ok());
    REQUIRE(set_reg(md, id, 0, kCr4, 1ull << 5).ok());
    REQUIRE(set_reg(md, id, 0, kEfer, (1ull << 8) | (1ull << 10)).ok());
    REQUIRE(set_reg(md, id, 0, kCr0, 0x80010011).ok());
    auto translate = [&](std::uint64_t flags, std::uint64_t gva_page) {
        REQUIRE(md.raw(CallId::translate_virtual_address, Bytes{}.at(0, id).at(16, flags).at(24, gva_page)).ok());
        return std::pair{static_cast<std::uint32_t>(md.out_qword(0)), md.out_qword(8)};
    };
    CHECK(translate(0x1, 5) == std::pair{0u, std::uint64_t{0x40}});
    CHECK(translate(0x2, 5).first == 2u);                            // write to a read-only page: privilege violation
    CHECK(translate(0x1, 6) == std::pair{4u, std::uint64_t{0x99}});  // GPA unmapped
    CHECK(translate(0x1, 7).first == 1u);                            // PTE not present
    CHECK(translate(0x1, 512).first == 1u);                          // PDE index 1 not present
    translate(0x11, 5);                                              // SET_PAGE_TABLE_BITS marks the PTE accessed
    std::array<std::byte, 8> pte{};
    md.m.memory().read(tables[3] * 4096 + 5 * 8, pte);
    CHECK((static_cast<std::uint8_t>(pte[0]) & 0x20) != 0);
    md.check();
}

TEST_CASE("stats pages: one pinned root page per identity, freed on unmap and with their partition", "[vp][stats]") {
    Model md;
    const auto id = md.with_vps(1);
    md.deposit(kSelf, 2);
    Bytes vp_stats = Bytes{}.at(0, 0x00010002u).at(8, id).at(16, 0u);
    REQUIRE(md.raw(CallId::map_stats_page, vp_stats).ok());
    const auto pfn = md.out_qword();
    REQUIRE(md.raw(CallId::map_stats_page, vp_stats).ok());
    CHECK(md.out_qword() == pfn);
    REQUIRE(md.raw(CallId::map_stats_page, Bytes{}.at(0, 1u)).ok());
    REQUIRE(md.raw(CallId::unmap_stats_page, Bytes{}.at(0, 1u)).ok());
    CHECK(md.raw(CallId::unmap_stats_page, Bytes{}.at(0, 1u)).status() == Status::INVALID_PARAMETER);
    REQUIRE(md.fast(CallId::finalize_partition, id).ok());
    CHECK(md.raw(CallId::unmap_stats_page, vp_stats).status() == Status::INVALID_VP_INDEX);  // went with the VP
    md.check();
}
