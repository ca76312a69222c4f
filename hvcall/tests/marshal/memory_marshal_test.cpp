// Guest memory marshalled by hvcall, run on the model: batches, large pages, MMIO, retries,
// rollback, access states, host access, and every local -EINVAL.
#include <catch2/catch_test_macros.hpp>

#include "fixture.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {
constexpr std::uint32_t kRW = map_flags::readable | map_flags::writable;
}

TEST_CASE("map 4 KiB pages in batches of 509; the model sees each PFN at its GFN", "[marshal][map]") {
    Sim s;
    const auto id = s.active();
    const auto pfns = s.ram(1200);
    const auto calls = s.backend.calls;
    const auto r = map_gpa_pages(s.backend, s.pages, id, 0x4000, 1200, kRW, pfns);
    REQUIRE(r.ok());
    CHECK(r.done == 1200);
    CHECK(s.backend.calls - calls == 3);  // 509 + 509 + 182: the pool had room for the tables
    for (std::uint64_t i : {0u, 508u, 509u, 1199u}) CHECK(s.hv().gpa_mapping(id, 0x4000 + i)->pfn == pfns[i]);
    CHECK(s.hv().gpa_extents(id).size() == 1);

    const auto u = unmap_gpa_pages(s.backend, id, 0x4000, 1200, 0);
    CHECK(u.ok());
    CHECK(u.done == 1200);
    CHECK(s.hv().gpa_extents(id).empty());
    s.check_clean();
}

TEST_CASE("unmap goes in batches of 512, its own constant", "[marshal][unmap]") {
    Sim s;
    const auto id = s.active();
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0, 1100, kRW, s.ram(1100)).ok());
    const auto calls = s.backend.calls;
    REQUIRE(unmap_gpa_pages(s.backend, id, 0, 1100, 0).ok());
    CHECK(s.backend.calls - calls == 3);  // 512 + 512 + 76
    s.check_clean();
}

TEST_CASE("large pages: head PFNs only, GFN base in 4 KiB units, unmapped with LARGE_PAGE", "[marshal][large]") {
    Sim s(strict_config(1ull << 31));
    const auto id = s.active();
    const auto heads = s.large_heads(3);
    const auto r = map_gpa_pages(s.backend, s.pages, id, 0x200000, 3 * 512, kRW | map_flags::large_page, heads);
    REQUIRE(r.ok());
    CHECK(r.done == 3 * 512);
    CHECK(s.hv().gpa_mapping(id, 0x200000 + 512)->pfn == heads[1]);
    CHECK(s.hv().gpa_mapping(id, 0x200000 + 512)->large);
    CHECK(s.hv().gpa_mapping(id, 0x200000 + 1030)->pfn == heads[2] + 6);
    REQUIRE(unmap_gpa_pages(s.backend, id, 0x200000, 3 * 512, kUnmapLargePage).ok());
    CHECK(s.hv().gpa_extents(id).empty());
    s.check_clean();
}

TEST_CASE("local -EINVAL checks issue no hypercall", "[marshal][einval]") {
    Sim s;
    const auto id = s.active();
    const auto pfns = s.ram(4);
    const auto calls = s.backend.calls;
    const std::uint64_t mmio = s.machine.config().mmio_ranges()[0].first;
    CHECK(map_gpa_pages(s.backend, s.pages, id, 0, 0, kRW, pfns).error == -EINVAL);  // zero count
    CHECK(map_gpa_pages(s.backend, s.pages, id, 0, 100, kRW | map_flags::large_page, pfns).error ==
          -EINVAL);                                                                  // 2 MiB count
    CHECK(map_gpa_pages(s.backend, s.pages, id, 0, 5, kRW, pfns).error == -EINVAL);  // short list
    CHECK(map_gpa_pages(s.backend, s.pages, id, 0, 1024, kRW | map_flags::large_page, std::span(pfns).first(1)).error ==
          -EINVAL);
    CHECK(map_mmio_pages(s.backend, s.pages, id, 0, pfns[0], 2).error == -EINVAL);  // RAM is not MMIO
    CHECK(map_mmio_pages(s.backend, s.pages, id, 0, mmio, 0).error == -EINVAL);
    CHECK(unmap_gpa_pages(s.backend, id, 0, 0, 0).error == -EINVAL);
    CHECK(unmap_gpa_pages(s.backend, id, 0, 100, kUnmapLargePage).error == -EINVAL);
    CHECK(acquire_sparse_spa_page_host_access(s.backend, id, pfns, 0, 3, host_access::make_shared).error == -EINVAL);
    CHECK(release_sparse_spa_page_host_access(s.backend, id, pfns, 100, 0,
                                              host_access::make_exclusive | host_access::large_page)
              .error == -EINVAL);
    CHECK(release_sparse_spa_page_host_access(s.backend, id, pfns, 5, 0, host_access::make_exclusive).error == -EINVAL);
    std::vector<std::uint8_t> states(3);
    CHECK(get_gpa_pages_access_states(s.backend, id, 0, 4, 0, states).error == -EINVAL);
    CHECK(s.backend.calls == calls);
    // Page list and MMIO together cannot be expressed: map_mmio_pages takes no list.
}

TEST_CASE("MMIO pages map with NOT_CACHED from consecutive device PFNs", "[marshal][mmio]") {
    Sim s;
    const auto id = s.active();
    const std::uint64_t mmio = s.machine.config().mmio_ranges()[0].first;
    const auto r = map_mmio_pages(s.backend, s.pages, id, 0xF0000, mmio, 600);
    REQUIRE(r.ok());
    CHECK(s.hv().gpa_mapping(id, 0xF0000 + 599) ==
          hvsim::GpaMapping{mmio + 599, kMmioMapFlags, hvsim::GpaKind::mmio, false});
    s.check_clean();
}

TEST_CASE("no-access mappings send zeros", "[marshal][map]") {
    Sim s;
    const auto id = s.active();
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0x10, 3, map_flags::no_access, {}).ok());
    CHECK(s.hv().gpa_mapping(id, 0x12)->kind == hvsim::GpaKind::no_access);
    s.check_clean();
}

TEST_CASE("INSUFFICIENT_MEMORY while mapping: deposit 256, resume at the completed rep", "[marshal][map][pool]") {
    auto config = strict_config();
    config.costs.initialize_partition = 208;  // nothing left for table pages after initialization
    Sim s(config);
    const auto id = s.active();
    const auto pfns = s.ram(2048);
    const auto r = map_gpa_pages(s.backend, s.pages, id, 0, 2048, kRW, pfns);
    REQUIRE(r.ok());
    CHECK(s.hv().partition(id)->pool_pages == 208 + kMapGpaDepositPages);
    CHECK(s.hv().partition(id)->pool_used == 208 + 4);
    CHECK(s.hv().gpa_extents(id).size() == 1);
    s.check_clean();
}

TEST_CASE("a failure after progress rolls the mapping back", "[marshal][map][rollback]") {
    Sim s;
    const auto id = s.active();
    auto pfns = s.ram(1000);
    pfns[700] = s.machine.input_page_gpa(0) / kPageSize;  // a hypercall page: pfn_in_use at element 700
    const auto r = map_gpa_pages(s.backend, s.pages, id, 0, 1000, kRW, pfns);
    CHECK(r.error == -EIO);  // OPERATION_DENIED
    CHECK(r.done == 0);
    CHECK(s.hv().gpa_extents(id).empty());
    CHECK(s.hv().pfn_state(pfns[0]).owner == hvsim::PfnOwner::free);
    s.check_clean();
}

TEST_CASE("access states: batches of 4095, only completed bytes read", "[marshal][access]") {
    Sim s;
    const auto id = s.active();
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0, 5000, kRW, s.ram(5000)).ok());
    s.hv().guest_access(id, 4094, 3, true);
    s.hv().guest_access(id, 10, 1, false);
    std::vector<std::uint8_t> states(6000, 0xEE);
    const auto calls = s.backend.calls;
    const auto r = get_gpa_pages_access_states(s.backend, id, 0, 6000, access_flags::clear_dirty, states);
    REQUIRE(r.ok());
    CHECK(r.done == 6000);
    CHECK(s.backend.calls - calls == 2);  // 4095 + 1905
    CHECK(states[10] == kGpaPageAccessed);
    CHECK(states[4094] == (kGpaPageAccessed | kGpaPageDirty));
    CHECK(states[4096] == (kGpaPageAccessed | kGpaPageDirty));
    CHECK(states[4097] == 0);
    CHECK(states[5999] == 0);                                       // unmapped
    CHECK(s.hv().page_access_state(id, 4095) == kGpaPageAccessed);  // dirty cleared
    s.check_clean();
}

TEST_CASE("host access: unshare then share, partition id only with MAKE_EXCLUSIVE", "[marshal][host_access]") {
    Sim s(strict_config(1ull << 31));
    const auto id = s.active();
    const auto heads = s.large_heads(2);
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0, 1024, kRW | map_flags::large_page, heads).ok());
    auto r = release_sparse_spa_page_host_access(s.backend, id, heads, 1024, 0,
                                                 host_access::make_exclusive | host_access::large_page);
    REQUIRE(r.ok());
    CHECK(r.done == 1024);
    CHECK(s.hv().host_access(heads[1] + 7) == hvsim::HostAccess{0, id});
    r = acquire_sparse_spa_page_host_access(s.backend, id, std::span(heads).first(1), 512,
                                            host_access::readable | host_access::writable,
                                            host_access::make_shared | host_access::large_page);
    REQUIRE(r.ok());
    CHECK(s.hv().host_access(heads[0]) == hvsim::HostAccess{});
    CHECK(s.hv().host_access(heads[1]) == hvsim::HostAccess{0, id});
    s.check_clean();
}
