// Stats pages marshalled by hvcall on the strict model: each identity form maps a zeroed page,
// the deposit retry pays from the caller's own pool, errnos, and the input bytes.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>

#include "capture.hpp"
#include "fixture.hpp"
#include "hvcall/calls/stats.hpp"
#include "hvcall/calls/vp.hpp"

using namespace hvcall;
using namespace hvcall::test;

TEST_CASE("map_stats_page: every identity form maps a page, once per identity; unmap gives it back",
          "[marshal][stats]") {
    Sim s;
    const auto id = s.active_with_vps({1});
    const StatsObject objects[] = {hypervisor_stats(stats_area::self), logical_processor_stats(1, stats_area::self),
                                   partition_stats(id, stats_area::parent), vp_stats(id, 1, stats_area::self),
                                   vp_stats(id, 1, stats_area::parent)};
    std::vector<std::uint64_t> pfns;
    for (const auto& o : objects) {
        std::uint64_t pfn = 0;
        REQUIRE(map_stats_page(s.backend, s.pages, o, s.self, pfn) == 0);
        CHECK(s.hv().pfn_state(pfn).owner == hvsim::PfnOwner::deposited);
        pfns.push_back(pfn);
    }
    std::sort(pfns.begin(), pfns.end());
    CHECK(std::adjacent_find(pfns.begin(), pfns.end()) == pfns.end());  // five identities, five pages

    std::uint64_t again = 0;
    REQUIRE(map_stats_page(s.backend, s.pages, objects[3], s.self, again) == 0);
    CHECK(std::binary_search(pfns.begin(), pfns.end(), again));  // a mapped identity: the same page
    for (const auto& o : objects) REQUIRE(unmap_stats_page(s.backend, o) == 0);
    CHECK(s.hv().digest().find("stats ") == std::string::npos);
    s.check_clean();
}

TEST_CASE("map_stats_page deposits one page at a time into the caller's partition", "[marshal][stats][deposit]") {
    Sim s;
    const auto id = s.active();
    CapturingBackend cap(s.backend);
    std::uint64_t pfn = 0;
    REQUIRE(map_stats_page(cap, s.pages, partition_stats(id, stats_area::self), s.self, pfn) == 0);
    REQUIRE(cap.count(CallId::deposit_memory) == 1);  // the root's pool starts without a free page
    CHECK(cap.last(CallId::deposit_memory).at<std::uint64_t>(0) == s.self);
    CHECK(cap.count(CallId::map_stats_page) == 2);
    s.check_clean();
}

TEST_CASE("stats rejections map to the driver's errnos", "[marshal][stats][errno]") {
    Sim s;
    const auto id = s.active();
    std::uint64_t pfn = 0;
    CHECK(map_stats_page(s.backend, s.pages, logical_processor_stats(64, stats_area::self), s.self, pfn) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::stats_page_lp_invalid);  // INVALID_LP_INDEX: -EINVAL, Linux's first entry
    CHECK(map_stats_page(s.backend, s.pages, vp_stats(id, 4, stats_area::self), s.self, pfn) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::vp_index_unknown);
    CHECK(map_stats_page(s.backend, s.pages, hypervisor_stats(3), s.self, pfn) == -EINVAL);  // areas 0-2
    CHECK(s.last_rule() == hvsim::RuleId::stats_page_type_invalid);
    CHECK(unmap_stats_page(s.backend, partition_stats(id, stats_area::self)) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::unmap_stats_page_not_mapped);
    s.check_clean();
}

TEST_CASE("stats inputs byte for byte (HDKMINI)", "[marshal][stats][layout]") {
    Sim s;
    const auto id = s.active_with_vps({3});
    CapturingBackend cap(s.backend);
    std::uint64_t pfn = 0;
    REQUIRE(map_stats_page(cap, s.pages, vp_stats(id, 3, stats_area::parent), s.self, pfn) == 0);
    const auto& vp = cap.last(CallId::map_stats_page);
    CHECK(vp.control.raw() == 0x6C);
    REQUIRE(vp.input.size() == 24);
    CHECK(vp.at<std::uint32_t>(0) == stats_type::vp);
    CHECK(vp.zero(4, 8));
    CHECK(vp.at<std::uint64_t>(8) == id);
    CHECK(vp.at<std::uint32_t>(16) == 3);
    CHECK(vp.zero(20, 23));  // flags, reserved
    CHECK(vp.at<std::uint8_t>(23) == stats_area::parent);

    REQUIRE(unmap_stats_page(cap, logical_processor_stats(1, stats_area::internal)) == -EINVAL);  // never mapped
    const auto& lp = cap.last(CallId::unmap_stats_page);
    CHECK(lp.control.raw() == 0x6D);
    CHECK(lp.at<std::uint32_t>(0) == stats_type::logical_processor);
    CHECK(lp.at<std::uint32_t>(8) == 1);
    CHECK(lp.zero(12, 23));
    CHECK(lp.at<std::uint8_t>(23) == stats_area::internal);

    REQUIRE(map_stats_page(cap, s.pages, hypervisor_stats(stats_area::self), s.self, pfn) == 0);
    const auto& hv = cap.last(CallId::map_stats_page);
    CHECK(hv.at<std::uint32_t>(0) == stats_type::hypervisor);
    CHECK(hv.zero(4, 24));
    s.check_clean();
}

TEST_CASE("stats structs are the catalogue's sizes", "[agreement][stats]") {
    CHECK(sizeof(InputStatsPage) == info(CallId::map_stats_page).input_header_size);
    CHECK(sizeof(InputStatsPage) == info(CallId::unmap_stats_page).input_header_size);
    CHECK(sizeof(OutputMapStatsPage) == info(CallId::map_stats_page).output_size);
}
