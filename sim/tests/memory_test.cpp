// Guest memory through the real handlers: map/unmap 4 KiB and 2 MiB, MMIO, remapping,
// table pages from the pool, access states, host access, and extents staying few.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>

#include "model_setup.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Status;

namespace {
constexpr std::uint32_t kRW = kMapRead | kMapWrite;
}

TEST_CASE("4 KiB mappings: what each GFN maps to, ownership, one extent when contiguous", "[memory][map]") {
    Model md;
    const auto id = md.active();
    const auto pfns = md.take_pages(509);
    const auto r = md.map(id, 0x1000, pfns, kRW);
    REQUIRE(r.ok());
    CHECK(r.reps_completed() == 509);
    CHECK(md.hv().gpa_mapping(id, 0x1000) == GpaMapping{pfns[0], kRW, GpaKind::ram, false});
    CHECK(md.hv().gpa_mapping(id, 0x1000 + 508)->pfn == pfns[508]);
    CHECK_FALSE(md.hv().gpa_mapping(id, 0x1000 + 509));
    CHECK(md.hv().gpa_extents(id).size() == 1);
    CHECK(md.hv().pfn_state(pfns[7]) == PfnState{PfnOwner::mapped, id, 1});
    // 0x1000..0x11FC lies in block 8 (512 GFNs each): one table page on top of 200.
    CHECK(md.hv().partition(id)->pool_used == 201);
    md.check();

    SECTION("unmap returns pages and table pages; unmapping twice is ignored") {
        REQUIRE(md.unmap(id, 0x1000, 509).ok());
        CHECK(md.hv().gpa_extents(id).empty());
        CHECK(md.hv().pfn_state(pfns[7]).owner == PfnOwner::free);
        CHECK(md.hv().partition(id)->pool_used == 200);
        CHECK(md.unmap(id, 0x1000, 509).ok());
        md.check();
    }
    SECTION("unmapping the middle splits the extent") {
        REQUIRE(md.unmap(id, 0x1100, 2).ok());
        CHECK(md.hv().gpa_extents(id).size() == 2);
        CHECK(md.hv().gpa_mapping(id, 0x1102)->pfn == pfns[0x102]);
        md.check();
    }
    SECTION("remapping replaces, and an alias within the partition counts references") {
        REQUIRE(md.map(id, 0x1000, {pfns[1]}, kMapRead).ok());
        CHECK(md.hv().gpa_mapping(id, 0x1000) == GpaMapping{pfns[1], kMapRead, GpaKind::ram, false});
        CHECK(md.hv().pfn_state(pfns[0]).owner == PfnOwner::free);
        CHECK(md.hv().pfn_state(pfns[1]).map_count == 2);
        md.check();
    }
    SECTION("a page mapped into one partition cannot be mapped into another or deposited") {
        const auto other = md.active();
        CHECK(md.map(other, 0, {pfns[3]}).status() == Status::OPERATION_DENIED);
        CHECK(md.rule() == RuleId::map_gpa_pages_pfn_in_use);
        CHECK(md.deposit_pfns(other, {pfns[3]}).status() == Status::OPERATION_DENIED);
        CHECK(md.rule() == RuleId::deposit_memory_pfn_in_use);
    }
}

TEST_CASE("table pages come from the pool: INSUFFICIENT_MEMORY with reps completed, then resume", "[memory][pool]") {
    Model md;
    const auto id = md.create();
    md.deposit(id, 201);  // 200 for initialization, one table page
    REQUIRE(md.fast(CallId::initialize_partition, id).ok());
    const auto pfns = md.take_pages(600);
    auto r = md.map(id, 0, std::vector<std::uint64_t>(pfns.begin(), pfns.begin() + 509));
    REQUIRE(r.ok());
    r = md.raw(CallId::map_gpa_pages,
               md.map_input(id, 509, kRW, std::vector<std::uint64_t>(pfns.begin() + 509, pfns.end())), 91);
    CHECK(r.status() == Status::INSUFFICIENT_MEMORY);
    CHECK(r.reps_completed() == 3);  // GFNs 509..511 share block 0; GFN 512 needs a new table page
    CHECK(md.hv().gpa_mapping(id, 511).has_value());
    CHECK_FALSE(md.hv().gpa_mapping(id, 512).has_value());
    md.check();
    md.deposit(id, 1);
    r = md.raw(CallId::map_gpa_pages,
               md.map_input(id, 509, kRW, std::vector<std::uint64_t>(pfns.begin() + 509, pfns.end())), 91, 3);
    CHECK(r.ok());
    CHECK(md.hv().gpa_extents(id).size() == 1);
    md.check();
}

TEST_CASE("2 MiB mappings: head PFNs, 512 pages each, unmapped with LARGE_PAGE", "[memory][large]") {
    Model md;
    const auto id = md.active();
    const auto a = md.take_large_page(), b = md.take_large_page();
    REQUIRE(md.map(id, 0x400, {a, b}, kRW | kMapLarge).ok());
    CHECK(md.hv().gpa_mapping(id, 0x400) == GpaMapping{a, kRW | kMapLarge, GpaKind::ram, true});
    CHECK(md.hv().gpa_mapping(id, 0x400 + 511)->pfn == a + 511);
    CHECK(md.hv().gpa_mapping(id, 0x600)->pfn == b);
    CHECK(md.hv().gpa_extents(id).size() == 1);      // b follows a: one run
    CHECK(md.hv().partition(id)->pool_used == 201);  // one 1 GiB-level table page
    md.check();

    CHECK(md.unmap(id, 0x500, 1).status() == Status::INVALID_PARAMETER);
    CHECK(md.rule() == RuleId::unmap_gpa_pages_partial_large_page);
    REQUIRE(md.unmap(id, 0x400, 1, 0x2).ok());  // one 2 MiB page
    CHECK_FALSE(md.hv().gpa_mapping(id, 0x400));
    CHECK(md.hv().gpa_mapping(id, 0x600)->pfn == b);
    REQUIRE(md.unmap(id, 0x600, 1, 0x2).ok());
    CHECK(md.hv().partition(id)->pool_used == 200);
    md.check();
}

TEST_CASE("a 2 MiB mapping replaces the 4 KiB mappings of its block and reuses their table page", "[memory][large]") {
    Model md;
    const auto id = md.active();
    REQUIRE(md.map(id, 0, md.take_pages(3)).ok());
    CHECK(md.hv().partition(id)->pool_used == 201);
    REQUIRE(md.map(id, 0, {md.take_large_page()}, kRW | kMapLarge).ok());
    CHECK(md.hv().partition(id)->pool_used == 201);
    CHECK(md.hv().gpa_extents(id).size() == 1);
    md.check();
}

TEST_CASE("MMIO: mapped from the MMIO range, untracked, never as large pages", "[memory][mmio]") {
    Model md;
    const auto id = md.active();
    const auto mmio = md.m.config().mmio_ranges()[0].first;
    REQUIRE(md.map(id, 0x80000, {mmio, mmio + 1}, kRW | kMapNotCached).ok());
    CHECK(md.hv().gpa_mapping(id, 0x80001) == GpaMapping{mmio + 1, kRW | kMapNotCached, GpaKind::mmio, false});
    CHECK(md.hv().pfn_state(mmio).owner == PfnOwner::mmio);
    const auto other = md.active();
    CHECK(md.map(other, 0, {mmio}).ok());  // devices may be shared
    md.check();
}

TEST_CASE("no-access mappings ignore the element and hold the GFN", "[memory][map]") {
    Model md;
    const auto id = md.active();
    REQUIRE(md.map(id, 0x10, {0, 0, 0}, kMapNoAccess).ok());
    CHECK(md.hv().gpa_mapping(id, 0x12) == GpaMapping{0, kMapNoAccess, GpaKind::no_access, false});
    md.check();
}

TEST_CASE("a terabyte of 2 MiB pages is a handful of entries", "[memory][extent]") {
    MachineConfig config = test_config();
    config.ram_bytes = (1ull << 40) + (64ull << 20);
    Model md(config);
    const auto id = md.active();
    const std::uint64_t head = 1ull << 14;  // 64 MiB: the pages above
    std::vector<std::uint64_t> heads(509);
    std::uint64_t done = 0, total = (1ull << 40) / (2ull << 20);
    md.deposit(id, 4);  // 1 TiB spans 1024 blocks of 1 GiB: one table page each
    md.deposit(id, 1100);
    while (done < total) {
        const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(509, total - done));
        for (std::uint32_t i = 0; i < n; ++i) heads[i] = head + (done + i) * 512;
        const auto r =
            md.map(id, done * 512, std::vector<std::uint64_t>(heads.begin(), heads.begin() + n), kRW | kMapLarge);
        REQUIRE(r.ok());
        done += n;
    }
    CHECK(md.hv().gpa_extents(id).size() == 1);
    CHECK(md.hv().partition(id)->gpa_pages == (1ull << 28));
    CHECK(md.hv().gpa_map_bytes(id) < 1024);
    md.check();
}

TEST_CASE("access states: report then set/clear, per page, unmapped pages read 0", "[memory][access]") {
    Model md;
    const auto id = md.active();
    REQUIRE(md.map(id, 0, md.take_pages(8)).ok());
    CHECK(md.hv().guest_access(id, 2, 2, /*write=*/true) == 2);
    CHECK(md.hv().guest_access(id, 5, 1, false) == 1);
    CHECK(md.hv().guest_access(id, 100, 1, true) == 0);  // unmapped
    auto query = [&](std::uint64_t flags, std::uint32_t count = 10) {
        REQUIRE(
            md.raw(CallId::get_gpa_pages_access_states, Bytes{}.at(0, id).at(8, flags).at(16, std::uint64_t{0}), count)
                .ok());
        std::vector<std::uint8_t> out;
        for (std::uint32_t i = 0; i < count; ++i) out.push_back(md.out_byte(i));
        return out;
    };
    CHECK(query(0x4) == std::vector<std::uint8_t>{0, 0, 3, 3, 0, 1, 0, 0, 0, 0});  // and clear dirty
    CHECK(query(0x1) == std::vector<std::uint8_t>{0, 0, 1, 1, 0, 1, 0, 0, 0, 0});  // and clear accessed
    CHECK(query(0x8) == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // and set dirty (mapped only)
    CHECK(md.hv().page_access_state(id, 7) == kPageDirty);
    CHECK(md.hv().page_access_state(id, 8) == 0);
    md.check();
    REQUIRE(md.unmap(id, 0, 8).ok());
    CHECK(md.hv().page_access_state(id, 7) == 0);  // bits go with the mapping
    md.check();
}

TEST_CASE("host access: release makes pages exclusive, acquire shares them back", "[memory][host_access]") {
    Model md;
    const auto id = md.active();
    const auto pfns = md.take_pages(4);
    REQUIRE(md.map(id, 0, pfns).ok());
    Bytes rel = Bytes{}.at(0, std::uint32_t{0}).at(4, std::uint32_t{1}).at(8, id);
    for (int i = 0; i < 4; ++i) rel.at(16 + 8 * i, pfns[static_cast<std::size_t>(i)]);
    REQUIRE(md.raw(CallId::release_sparse_spa_page_host_access, rel, 4).ok());
    CHECK(md.hv().host_access(pfns[2]) == HostAccess{0, id});
    Bytes acq = Bytes{}.at(0, std::uint32_t{3}).at(4, std::uint32_t{2}).at(16, pfns[2]);
    REQUIRE(md.raw(CallId::acquire_sparse_spa_page_host_access, acq, 1).ok());
    CHECK(md.hv().host_access(pfns[2]) == HostAccess{});
    CHECK(md.hv().host_access(pfns[3]) == HostAccess{0, id});
    md.check();
    REQUIRE(md.fast(CallId::finalize_partition, id).ok());
    CHECK(md.hv().host_access(pfns[3]) == HostAccess{});  // finalization hands pages back
    md.check();
}

TEST_CASE("a time-slice end after every element gives the same state as one pass", "[memory][faults]") {
    auto run = [](FaultPlan plan) {
        Model md(false, true, std::move(plan));
        const auto id = md.active();
        const auto pfns = md.take_pages(300);
        auto resume = [&](CallId call, const Bytes& in, std::uint32_t count) {
            std::uint32_t start = 0;
            for (;;) {
                const auto r = md.raw(call, in, count, start);
                REQUIRE(r.ok());
                if (r.reps_completed() == count) break;
                start = r.reps_completed();
            }
        };
        resume(CallId::map_gpa_pages, md.map_input(id, 500, kRW, pfns), 300);
        md.hv().guest_access(id, 510, 40, true);
        resume(CallId::get_gpa_pages_access_states,
               Bytes{}.at(0, id).at(8, std::uint64_t{0x4}).at(16, std::uint64_t{505}), 30);
        resume(CallId::unmap_gpa_pages, Bytes{}.at(0, id).at(8, std::uint64_t{600}), 50);
        md.check();
        return md.hv().digest();
    };
    FaultPlan every;
    every.early_end_per_mille = 1000;
    CHECK(run(every) == run({}));
}

TEST_CASE("the bulk forms of map, unmap, deposit and access states give the element handler's results",
          "[memory][bulk]") {
    auto run = [](bool bulk) {
        Model md;
        if (!bulk)  // the same handlers without their bulk steps: element by element
            for (const CallId call : {CallId::map_gpa_pages, CallId::unmap_gpa_pages, CallId::deposit_memory,
                                      CallId::get_gpa_pages_access_states}) {
                Handler h = md.hv().handler(call);
                h.batch = nullptr;
                md.hv().set_handler(call, h);
            }
        const auto id = md.create(kSuperPages);
        md.deposit(id, 204);  // initialization, then four table pages
        REQUIRE(md.fast(CallId::initialize_partition, id).ok());
        std::vector<std::uint64_t> results;
        auto map = [&](std::uint64_t gfn, const std::vector<std::uint64_t>& pfns, std::uint32_t flags = kRW) {
            const auto r = md.raw(CallId::map_gpa_pages, md.map_input(id, gfn, flags, pfns),
                                  static_cast<std::uint32_t>(pfns.size()));
            results.push_back(r.raw());
        };
        auto pfns = md.take_pages(1500);
        pfns[300] = pfns[299];                                   // an alias: breaks the run, still valid
        pfns[400] = md.m.input_page_gpa(0) / hvcall::kPageSize;  // in use: rejected
        for (std::uint64_t gfn : {0x1F0ull, 0x3FF0ull}) {
            for (std::size_t at = 0; at < pfns.size(); at += 500) {
                const std::vector<std::uint64_t> chunk(
                    pfns.begin() + static_cast<std::ptrdiff_t>(at),
                    pfns.begin() + static_cast<std::ptrdiff_t>(std::min(at + 500, pfns.size())));
                map(gfn + at, chunk);
            }
        }
        // Deposits: a run that meets a mapped page, and one that runs off the end of RAM.
        auto deposit = pfns;
        deposit.erase(deposit.begin(), deposit.begin() + 10);
        deposit.resize(20);
        for (auto& pfn : deposit) pfn += 1500;  // fresh pages, then a mapped one
        deposit.push_back(pfns[2]);
        results.push_back(md.deposit_pfns(id, deposit).raw());
        const std::uint64_t ram_end = kRam / hvcall::kPageSize;
        results.push_back(md.deposit_pfns(id, {ram_end - 2, ram_end - 1, ram_end}).raw());
        // Remapping: fresh pages over 4 KiB mappings and holes, then over a 2 MiB page.
        md.deposit(id, 8);
        map(0x1F0 + 450, md.take_pages(200), kMapRead);
        map(0x8000, {md.take_large_page()}, kRW | kMapLarge);
        map(0x8000 - 100, md.take_pages(150));
        // Access states across mapped and unmapped pages and the 2 MiB page: report and clear
        // dirty, then report and set accessed; every output byte counts.
        md.hv().guest_access(id, 0x1F0 + 440, 300, true);
        md.hv().guest_access(id, 0x1F0 + 800, 40, false);
        for (const std::uint64_t flags : {0x4ull, 0x2ull}) {
            const std::uint32_t count = 2000;
            const auto r = md.raw(CallId::get_gpa_pages_access_states,
                                  Bytes{}.at(0, id).at(8, flags).at(16, std::uint64_t{0x1F0 + 400}), count);
            results.push_back(r.raw());
            std::vector<std::byte> states(count);
            md.m.memory().read(Model::kOut, states);
            for (const std::byte b : states) results.push_back(static_cast<std::uint64_t>(b));
        }
        // Unmapping across 4 KiB mappings, holes and into the 2 MiB page, then the 2 MiB page.
        for (auto [gfn, count] : {std::pair{0x1F0ull + 100, 900u}, {0x8000ull - 120, 200u}}) {
            const auto r = md.raw(CallId::unmap_gpa_pages, Bytes{}.at(0, id).at(8, gfn), count);
            results.push_back(r.raw());
        }
        results.push_back(
            md.raw(CallId::unmap_gpa_pages, Bytes{}.at(0, id).at(8, std::uint64_t{0x8000}).at(16, std::uint32_t{2}), 1)
                .raw());
        md.check();
        return std::pair{results, md.hv().digest()};
    };
    const auto bulk = run(true);
    CHECK(bulk == run(false));
    // The schedule meets each path: the in-use page, a success, the pool running dry, a split
    // 2 MiB page refused.
    CHECK(bulk.first[0] == hvcall::HypercallResult::make(Status::OPERATION_DENIED, 400).raw());
    auto saw = [&](Status st) {
        return std::any_of(bulk.first.begin(), bulk.first.end(),
                           [&](std::uint64_t r) { return hvcall::HypercallResult::from_raw(r).status() == st; });
    };
    CHECK(saw(Status::SUCCESS));
    CHECK(saw(Status::INSUFFICIENT_MEMORY));
    REQUIRE(bulk.first.size() == 14 + 2 * 2001);
    // The first report saw written pages (accessed and dirty) and read ones (accessed); the
    // second sees them all accessed only: the first cleared dirty.
    const auto first_report = bulk.first.begin() + 12, second_report = first_report + 2001;
    const auto written = std::count(first_report, first_report + 2000, 3);
    const auto read = std::count(first_report, first_report + 2000, 1);
    CHECK(written > 100);
    CHECK(read > 0);
    CHECK(std::count(second_report, second_report + 2000, 1) == written + read);
    CHECK(bulk.first[6] == hvcall::HypercallResult::make(Status::OPERATION_DENIED, 20).raw());  // the mapped page
    CHECK(hvcall::HypercallResult::from_raw(bulk.first[7]).reps_completed() == 2);              // past RAM
    for (const std::size_t at :
         {std::size_t{10}, std::size_t{12 + 2 * 2001}}) {  // the map and unmap into the 2 MiB page
        const auto r = hvcall::HypercallResult::from_raw(bulk.first[at]);
        CHECK(r.status() == Status::INVALID_PARAMETER);
        CHECK(r.reps_completed() == (at == 10 ? 100 : 120));
    }
}
