// The page walker alone: tables written into host memory behind a GPA map that does not map
// guest pages to the same host pages, so a walk that skipped the map would read zeros.
#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstring>

#include "state/page_walk.hpp"

using hvsim::GpaKind;
using hvsim::state::GpaValue;
using hvsim::state::PagingRegisters;
using hvsim::state::Walk;
using hvsim::state::WalkAccess;
using hvsim::state::WalkResult;

namespace {

constexpr std::uint64_t kP = 0x1, kRw = 0x2, kUs = 0x4, kA = 0x20, kD = 0x40, kPs = 0x80, kPat = 1ull << 12;
constexpr std::uint64_t kNx = 1ull << 63;
constexpr std::uint64_t kCr0Pg = 1ull << 31, kCr0Wp = 1ull << 16, kEferLma = 1ull << 10, kEferNxe = 1ull << 11;
constexpr std::uint64_t kHostOffset = 0x100;  // a guest page's host PFN is its GFN plus this
constexpr std::uint64_t kPml4 = 0x10, kPdpt = 0x11, kPd = 0x12, kPt = 0x13, kData = 0x40;
// The GVA walked by default: index 1, 2, 3, 4 at PML4, PDPT, PD, PT.
constexpr std::uint64_t kGvaPage = (1ull << 27) | (2ull << 18) | (3ull << 9) | 4;

struct Guest {
    hvsim::PhysicalMemory mem{1ull << 32};
    hvsim::state::ExtentMap<GpaValue> gpa;
    PagingRegisters regs{kCr0Pg | kCr0Wp, kPml4 << 12, kEferLma | kEferNxe};
    unsigned address_bits = 40;

    // The four tables of kGvaPage, every entry present, writable and user, ending at kData.
    Guest() {
        gpa.assign(kPml4, 4, {kPml4 + kHostOffset, 0x3, GpaKind::ram});
        set(kPml4, 1, (kPdpt << 12) | kP | kRw | kUs);
        set(kPdpt, 2, (kPd << 12) | kP | kRw | kUs);
        set(kPd, 3, (kPt << 12) | kP | kRw | kUs);
        set(kPt, 4, (kData << 12) | kP | kRw | kUs);
    }
    [[nodiscard]] std::uint64_t host(std::uint64_t table_gfn, std::uint64_t index) const {
        return (table_gfn + kHostOffset) * 4096 + index * 8;
    }
    void set(std::uint64_t table_gfn, std::uint64_t index, std::uint64_t entry) {
        std::array<std::byte, 8> raw{};
        std::memcpy(raw.data(), &entry, 8);
        mem.write(host(table_gfn, index), raw);
    }
    [[nodiscard]] std::uint64_t entry(std::uint64_t table_gfn, std::uint64_t index) const {
        std::array<std::byte, 8> raw{};
        mem.read(host(table_gfn, index), raw);
        std::uint64_t e = 0;
        std::memcpy(&e, raw.data(), 8);
        return e;
    }
    Walk walk(const WalkAccess& access = {}, std::uint64_t gva_page = kGvaPage) {
        return hvsim::state::walk_page_tables(mem, gpa, regs, address_bits, gva_page, access);
    }
};

bool translated_to(const Walk& w, std::uint64_t gpa_page) {
    return w.result == WalkResult::translated && w.gpa_page == gpa_page;
}

}  // namespace

TEST_CASE("page walk: four levels, each indexed by its nine GVA bits, read through the GPA map", "[page_walk]") {
    Guest g;
    CHECK(translated_to(g.walk(), kData));
    // Another PT index reaches another entry; the walk keeps nothing from the previous one.
    g.set(kPt, 5, (0x41ull << 12) | kP);
    CHECK(translated_to(g.walk({}, kGvaPage + 1), 0x41));
    // An index at an upper level that holds nothing: a zero entry is not present.
    CHECK(g.walk({}, kGvaPage + (1ull << 9)).result == WalkResult::not_present);
}

TEST_CASE("page walk: large pages at PDPT (1 GiB) and PD (2 MiB) keep the GVA's low bits", "[page_walk]") {
    Guest g;
    constexpr std::uint64_t kGiB = 1ull << 18, kMiB2 = 1ull << 9;  // in 4 KiB pages
    g.set(kPdpt, 2, ((3 * kGiB) << 12) | kPs | kP | kRw | kUs);
    CHECK(translated_to(g.walk(), 3 * kGiB + (3 << 9) + 4));
    g.set(kPdpt, 2, (kPd << 12) | kP | kRw | kUs);
    g.set(kPd, 3, ((5 * kMiB2) << 12) | kPs | kP | kRw | kUs);
    CHECK(translated_to(g.walk(), 5 * kMiB2 + 4));
    // Bit 12 of a large-page entry is its PAT bit, not part of the base.
    g.set(kPd, 3, ((5 * kMiB2) << 12) | kPat | kPs | kP | kRw | kUs);
    CHECK(translated_to(g.walk(), 5 * kMiB2 + 4));
}

TEST_CASE("page walk: reserved bits make the tables invalid", "[page_walk]") {
    Guest g;
    SECTION("PS in a PML4E") {
        g.set(kPml4, 1, (kPdpt << 12) | kPs | kP | kRw | kUs);
        CHECK(g.walk().result == WalkResult::invalid_flags);
    }
    SECTION("a 2 MiB page's base below its size, above the PAT bit") {
        g.set(kPd, 3, (0x202ull << 12) | kPs | kP | kRw | kUs);
        CHECK(g.walk().result == WalkResult::invalid_flags);
    }
    SECTION("a 1 GiB page's base below its size") {
        g.set(kPdpt, 2, (((1ull << 18) | 0x200) << 12) | kPs | kP | kRw | kUs);
        CHECK(g.walk().result == WalkResult::invalid_flags);
    }
    SECTION("address bits beyond the GPA space, in a table pointer or a leaf") {
        g.set(kPt, 4, (((1ull << 28) - 1) << 12) | kP);  // the last GFN of a 40-bit space: valid
        CHECK(translated_to(g.walk(), (1ull << 28) - 1));
        g.set(kPt, 4, ((1ull << 28) << 12) | kP);
        CHECK(g.walk().result == WalkResult::invalid_flags);
        g.address_bits = 41;
        CHECK(translated_to(g.walk(), 1ull << 28));
        g.set(kPdpt, 2, (kPd << 12) | (1ull << 45) | kP | kRw | kUs);
        CHECK(g.walk().result == WalkResult::invalid_flags);
    }
    SECTION("NX without EFER.NXE") {
        g.set(kPd, 3, (kPt << 12) | kNx | kP | kRw | kUs);
        CHECK(translated_to(g.walk(), kData));
        g.regs.efer = kEferLma;
        CHECK(g.walk().result == WalkResult::invalid_flags);
    }
}

TEST_CASE("page walk: a not-present entry at any level stops the walk", "[page_walk]") {
    for (const auto& [table, index] : {std::pair{kPml4, 1}, {kPdpt, 2}, {kPd, 3}, {kPt, 4}}) {
        Guest g;
        g.set(table, static_cast<std::uint64_t>(index), g.entry(table, static_cast<std::uint64_t>(index)) & ~kP);
        const auto w = g.walk();
        CHECK(w.result == WalkResult::not_present);
        CHECK(w.gpa_page == 0);
    }
}

TEST_CASE("page walk: a table outside mapped RAM names its page", "[page_walk]") {
    Guest g;
    g.set(kPd, 3, (0x99ull << 12) | kP | kRw | kUs);  // unmapped
    Walk w = g.walk();
    CHECK(w.result == WalkResult::table_unmapped);
    CHECK(w.gpa_page == 0x99);
    g.gpa.assign(0x99, 1, {0x500, 0x3, GpaKind::mmio});  // MMIO is not RAM either
    CHECK(g.walk().result == WalkResult::table_unmapped);
    g.regs.cr3 = 0x77ull << 12;  // CR3 itself
    w = g.walk();
    CHECK(w.result == WalkResult::table_unmapped);
    CHECK(w.gpa_page == 0x77);
}

TEST_CASE("page walk: permissions accumulate over the levels", "[page_walk]") {
    Guest g;
    const WalkAccess write{.write = true}, user{.user = true}, execute{.execute = true};
    SECTION("read-only at one level denies writes: a supervisor's only with CR0.WP") {
        g.set(kPdpt, 2, (kPd << 12) | kP | kUs);
        CHECK(g.walk().result == WalkResult::translated);
        CHECK(g.walk(write).result == WalkResult::privilege_violation);
        CHECK(g.walk({.write = true, .user = true}).result == WalkResult::privilege_violation);
        g.regs.cr0 = kCr0Pg;
        CHECK(g.walk(write).result == WalkResult::translated);
        CHECK(g.walk({.write = true, .user = true}).result == WalkResult::privilege_violation);
    }
    SECTION("supervisor-only at one level denies user accesses") {
        CHECK(g.walk(user).result == WalkResult::translated);
        g.set(kPml4, 1, (kPdpt << 12) | kP | kRw);
        CHECK(g.walk(user).result == WalkResult::privilege_violation);
        CHECK(g.walk().result == WalkResult::translated);
    }
    SECTION("NX at one level denies execution") {
        CHECK(g.walk(execute).result == WalkResult::translated);
        g.set(kPd, 3, (kPt << 12) | kNx | kP | kRw | kUs);
        CHECK(g.walk(execute).result == WalkResult::privilege_violation);
    }
    SECTION("SMAP denies supervisor accesses to user pages") {
        CHECK(g.walk({.supervisor_smap = true}).result == WalkResult::privilege_violation);
        g.set(kPt, 4, (kData << 12) | kP | kRw);
        CHECK(g.walk({.supervisor_smap = true}).result == WalkResult::translated);
    }
    SECTION("privilege-exempt skips every check") {
        g.set(kPt, 4, (kData << 12) | kNx | kP);
        CHECK(g.walk({.write = true, .execute = true, .user = true}).result == WalkResult::privilege_violation);
        const auto w = g.walk({.write = true, .execute = true, .user = true, .privilege_exempt = true});
        CHECK(translated_to(w, kData));
    }
}

TEST_CASE("page walk: set_accessed_dirty marks the entries walked, and only a successful walk", "[page_walk]") {
    Guest g;
    const std::array<std::pair<std::uint64_t, std::uint64_t>, 4> path{{{kPml4, 1}, {kPdpt, 2}, {kPd, 3}, {kPt, 4}}};
    auto bits = [&](std::size_t level) { return g.entry(path[level].first, path[level].second) & (kA | kD); };
    REQUIRE(g.walk({.write = true}).result == WalkResult::translated);
    CHECK(bits(0) == 0);                      // without the flag nothing changes
    g.set(kPt, 4, (kData << 12) | kP | kUs);  // read-only: a write fails
    REQUIRE(g.walk({.write = true, .set_accessed_dirty = true}).result == WalkResult::privilege_violation);
    CHECK(bits(0) == 0);
    REQUIRE(g.walk({.set_accessed_dirty = true}).result == WalkResult::translated);
    for (std::size_t l = 0; l < 4; ++l) CHECK(bits(l) == kA);  // a read sets no D
    g.set(kPt, 4, (kData << 12) | kP | kRw | kUs);
    REQUIRE(g.walk({.write = true, .set_accessed_dirty = true}).result == WalkResult::translated);
    for (std::size_t l = 0; l < 3; ++l) CHECK(bits(l) == kA);
    CHECK(bits(3) == (kA | kD));  // D in the leaf only
}

TEST_CASE("page walk: a large page's walk marks its leaf, not the table below it", "[page_walk]") {
    Guest g;
    g.set(kPd, 3, (0x200ull << 12) | kPs | kP | kRw | kUs);
    REQUIRE(translated_to(g.walk({.write = true, .set_accessed_dirty = true}), 0x204));
    CHECK((g.entry(kPd, 3) & (kA | kD)) == (kA | kD));
    CHECK((g.entry(kPdpt, 2) & (kA | kD)) == kA);
    CHECK((g.entry(kPt, 4) & (kA | kD)) == 0);
}
