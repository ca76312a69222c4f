// The VP register page (map_vp_state_page type REGISTERS) read back from the model's memory:
// its fields against get_vp_registers, and kept up to date by set_vp_registers.
#include <algorithm>
#include <array>
#include <utility>

#include "model_setup.hpp"

using namespace hvsim;
using namespace hvsim::test;

namespace {
constexpr std::uint16_t kRegisters = 0, kInterceptMessage = 1;

// hv_register_name and the field's offset in struct hv_vp_register_page, taken from Linux
// include/hyperv/hvhdk.h with the 8 reserved bytes after rflags (patch "mshv: add a missing
// padding field"): written out here, not taken from the model's layout.
constexpr std::pair<std::uint32_t, std::size_t> kFields[] = {
    {0x00020000, 8},   {0x00020002, 24},  {0x00020008, 72},  {0x0002000F, 128}, {0x00020010, 136}, {0x00020011, 144},
    {0x00040000, 352}, {0x00040002, 360}, {0x00040003, 368}, {0x00040004, 376}, {0x00080001, 384},
};
constexpr std::uint32_t kRax = 0x00020000, kR8 = 0x00020008, kRip = 0x00020010, kCr3 = 0x00040002, kEfer = 0x00080001;

std::uint64_t map_page(Model& md, std::uint64_t id, std::uint32_t vp, std::uint16_t type) {
    REQUIRE(md.raw(CallId::map_vp_state_page, Bytes{}.at(0, id).at(8, vp).at(12, type)).ok());
    return md.out_qword();
}
void unmap_page(Model& md, std::uint64_t id, std::uint32_t vp, std::uint16_t type) {
    REQUIRE(md.raw(CallId::unmap_vp_state_page, Bytes{}.at(0, id).at(8, vp).at(12, type)).ok());
}
void set_reg(Model& md, std::uint64_t id, std::uint32_t vp, std::uint32_t name, std::uint64_t value) {
    REQUIRE(md.rep(CallId::set_vp_registers, Bytes{}.at(0, id).at(8, vp).at(16, name).at(32, value), 1).ok());
}
std::uint64_t get_reg(Model& md, std::uint64_t id, std::uint32_t vp, std::uint32_t name) {
    REQUIRE(md.rep(CallId::get_vp_registers, Bytes{}.at(0, id).at(8, vp).at(16, name), 1).ok());
    return md.out_qword();
}
template <typename T>
T page_value(Model& md, std::uint64_t pfn, std::size_t offset) {
    std::array<std::byte, sizeof(T)> b{};
    md.m.memory().read(pfn * 4096 + offset, b);
    T v;
    std::memcpy(&v, b.data(), sizeof v);
    return v;
}
bool page_zero(Model& md, std::uint64_t pfn, std::size_t offset, std::size_t size) {
    std::vector<std::byte> b(size);
    md.m.memory().read(pfn * 4096 + offset, b);
    return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}
void check_page_shows_registers(Model& md, std::uint64_t id, std::uint32_t vp, std::uint64_t pfn) {
    CHECK(page_value<std::uint16_t>(md, pfn, 0) == 1);  // HV_VP_REGISTER_PAGE_VERSION_1
    CHECK(page_value<std::uint8_t>(md, pfn, 2) == 1);   // isvalid
    CHECK(page_value<std::uint32_t>(md, pfn, 4) == 0);  // dirty
    for (const auto& [name, offset] : kFields) {
        INFO("register " << name << " at " << offset);
        CHECK(page_value<std::uint64_t>(md, pfn, offset) == get_reg(md, id, vp, name));
    }
}
}  // namespace

TEST_CASE("a mapped register page shows the VP's registers at the header's offsets", "[vp][register_page]") {
    Model md;
    const auto id = md.with_vps(2);
    set_reg(md, id, 1, kRax, 0x1111);
    set_reg(md, id, 1, kEfer, 0x500);
    const auto pfn = map_page(md, id, 1, kRegisters);
    check_page_shows_registers(md, id, 1, pfn);
    CHECK(page_value<std::uint64_t>(md, pfn, 8) == 0x1111);
    CHECK(page_value<std::uint64_t>(md, pfn, 136) == 0xFFF0);  // the reset RIP, not a zeroed page
    // The padding, xmm and segment registers, dr7 to xfem: registers the model does not track.
    CHECK(page_zero(md, pfn, 152, 200));
    CHECK(page_zero(md, pfn, 392, 40));
    md.check();
}

TEST_CASE("set_vp_registers shows through a mapped register page; only that VP's page", "[vp][register_page]") {
    Model md;
    const auto id = md.with_vps(2);
    const auto page0 = map_page(md, id, 0, kRegisters);
    const auto page1 = map_page(md, id, 1, kRegisters);
    REQUIRE(page0 != page1);
    set_reg(md, id, 0, kRip, 0x1000);
    set_reg(md, id, 0, kR8, 0x88);
    set_reg(md, id, 0, kCr3, 0x5000);
    CHECK(page_value<std::uint64_t>(md, page0, 136) == 0x1000);
    CHECK(page_value<std::uint64_t>(md, page0, 72) == 0x88);
    CHECK(page_value<std::uint64_t>(md, page0, 360) == 0x5000);
    check_page_shows_registers(md, id, 0, page0);
    CHECK(page_value<std::uint64_t>(md, page1, 136) == 0xFFF0);
    check_page_shows_registers(md, id, 1, page1);
    md.check();
}

TEST_CASE("an intercept message page is left as it was by register changes", "[vp][register_page]") {
    Model md;
    const auto id = md.with_vps(1);
    const auto message = map_page(md, id, 0, kInterceptMessage);
    CHECK(page_zero(md, message, 0, 4096));
    const std::array marker{std::byte{0xA5}, std::byte{0x5A}};
    md.m.memory().write(message * 4096 + 136, marker);
    const auto registers = map_page(md, id, 0, kRegisters);
    set_reg(md, id, 0, kRip, 0x2000);
    CHECK(page_value<std::uint64_t>(md, registers, 136) == 0x2000);
    CHECK(page_value<std::uint16_t>(md, message, 136) == 0x5AA5);
    CHECK(page_zero(md, message, 0, 136));
    CHECK(page_zero(md, message, 138, 4096 - 138));
    md.check();
}

TEST_CASE("a register page mapped again after an unmap shows the registers of now", "[vp][register_page]") {
    Model md;
    const auto id = md.with_vps(1);
    map_page(md, id, 0, kRegisters);
    set_reg(md, id, 0, kRax, 0xAAAA);
    unmap_page(md, id, 0, kRegisters);
    set_reg(md, id, 0, kRax, 0xBBBB);  // while unmapped: nothing to keep up to date
    const auto pfn = map_page(md, id, 0, kRegisters);
    CHECK(page_value<std::uint64_t>(md, pfn, 8) == 0xBBBB);
    check_page_shows_registers(md, id, 0, pfn);
    md.check();
}
