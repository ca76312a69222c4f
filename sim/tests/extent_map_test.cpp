// The extent map against a page-by-page reference: random assigns, erases and updates over a
// small key space, checking every key and the map's shape after each step.
#include <catch2/catch_test_macros.hpp>

#include <initializer_list>
#include <map>
#include <random>

#include "state/extent_map.hpp"

using hvsim::state::ExtentMap;

namespace {

// A value whose base moves with the page, like a PFN.
struct Base {
    std::uint64_t base = 0;
    std::uint32_t tag = 0;
    [[nodiscard]] Base advanced(std::uint64_t n) const noexcept { return {base + n, tag}; }
    friend bool operator==(const Base&, const Base&) = default;
};

}  // namespace

TEST_CASE("extent map agrees with a per-page reference under random operations", "[extent]") {
    constexpr std::uint64_t kKeys = 300;
    std::mt19937_64 rng(7);
    for (int round = 0; round < 20; ++round) {
        ExtentMap<Base> map;
        std::map<std::uint64_t, Base> ref;
        for (int step = 0; step < 300; ++step) {
            const std::uint64_t start = rng() % kKeys;
            const std::uint64_t count = 1 + rng() % 40;
            const Base v{rng() % 4 * 100, static_cast<std::uint32_t>(rng() % 2)};
            switch (rng() % 4) {
                case 0:
                case 1:
                    map.assign(start, count, v);
                    for (std::uint64_t k = 0; k < count; ++k) ref[start + k] = v.advanced(k);
                    break;
                case 2:
                    map.erase(start, count);
                    for (std::uint64_t k = 0; k < count; ++k) ref.erase(start + k);
                    break;
                default: {  // toggle: each gap becomes a run of v, what was held is cleared
                    map.update(start, count, [&](std::optional<Base> old) -> std::optional<Base> {
                        if (old) return std::nullopt;
                        return v;
                    });
                    std::uint64_t gap_start = 0;
                    bool in_gap = false;
                    for (std::uint64_t k = start; k < start + count; ++k) {
                        if (ref.erase(k)) {
                            in_gap = false;
                            continue;
                        }
                        if (!in_gap) gap_start = k, in_gap = true;
                        ref[k] = v.advanced(k - gap_start);
                    }
                    break;
                }
            }
            if (step % 3 == 2) {  // the append fast path, where it applies
                const std::uint64_t key = rng() % kKeys;
                const Base want = ref.count(key - 1) ? ref[key - 1].advanced(1) : Base{};
                if (key > 0 && !ref.count(key) && map.try_append(key, want)) ref[key] = want;
            }
            REQUIRE(map.well_formed());
            std::uint64_t covered = 0;
            for (std::uint64_t k = 0; k < kKeys + 50; ++k) {
                const auto got = map.at(k);
                const auto it = ref.find(k);
                INFO("round " << round << " step " << step << " key " << k);
                REQUIRE(got.has_value() == (it != ref.end()));
                if (got) {
                    ++covered;
                    REQUIRE(*got == it->second);
                }
            }
            REQUIRE(map.covered() == covered);
        }
    }
}

TEST_CASE("extent map: contiguous assigns merge, a split and rejoin leave one run", "[extent]") {
    ExtentMap<Base> map;
    map.assign(0, 100, Base{1000, 1});
    map.assign(100, 50, Base{1100, 1});
    CHECK(map.size() == 1);
    map.erase(40, 10);
    CHECK(map.size() == 2);
    CHECK(map.at(55)->base == 1055);
    map.assign(40, 10, Base{1040, 1});
    CHECK(map.size() == 1);
    CHECK(map.covered() == 150);
    CHECK(map.free_from(150) == ~0ull - 150);
    CHECK(map.free_from(149) == 0);
    CHECK(map.try_append(150, Base{1150, 1}));
    CHECK_FALSE(map.try_append(152, Base{1152, 1}));
    CHECK(map.well_formed());
}

namespace {

// A per-page reference map and the checks that the extent map holds exactly it.
using Reference = std::map<std::uint64_t, Base>;

void require_same(const ExtentMap<Base>& map, const Reference& ref, std::uint64_t keys) {
    REQUIRE(map.well_formed());
    for (std::uint64_t k = 0; k < keys; ++k) {
        const auto got = map.at(k);
        const auto it = ref.find(k);
        INFO("key " << k);
        REQUIRE(got.has_value() == (it != ref.end()));
        if (got) REQUIRE(*got == it->second);
    }
    REQUIRE(map.covered() == ref.size());
}

// Single pages at every other key, each with a value of its own: nothing merges.
ExtentMap<Base> sparse(std::uint64_t runs) {
    ExtentMap<Base> map;
    for (std::uint64_t i = 0; i < runs; ++i) map.assign(2 * i, 1, Base{1000 * i, 0});
    return map;
}

}  // namespace

TEST_CASE("extent map agrees with a per-page reference across many chunks", "[extent]") {
    // Thousands of runs, so chunks split, join and empty; short and long ranges both, so
    // operations cross chunk boundaries.
    constexpr std::uint64_t kKeys = 6000;
    std::mt19937_64 rng(11);
    ExtentMap<Base> map;
    Reference ref;
    for (std::uint64_t k = 0; k < kKeys; k += 2) {
        map.assign(k, 1, Base{k * 7, 0});
        ref[k] = Base{k * 7, 0};
    }
    REQUIRE(map.size() == kKeys / 2);
    for (int step = 0; step < 4000; ++step) {
        const std::uint64_t start = rng() % kKeys;
        const std::uint64_t count = rng() % 8 == 0 ? 1 + rng() % 2000 : 1 + rng() % 6;
        const Base v{rng() % 1000 * 10, static_cast<std::uint32_t>(rng() % 2)};
        switch (rng() % 3) {
            case 0:
                map.assign(start, count, v);
                for (std::uint64_t k = 0; k < count; ++k) ref[start + k] = v.advanced(k);
                break;
            case 1:
                map.erase(start, count);
                for (std::uint64_t k = 0; k < count; ++k) ref.erase(start + k);
                break;
            default:  // shift the tag of what is held, fill the gaps with v
                map.update(start, count, [&](std::optional<Base> old) -> std::optional<Base> {
                    if (old) return Base{old->base, old->tag + 1};
                    return v;
                });
                for (std::uint64_t k = start, gap = start; k < start + count; ++k) {
                    auto it = ref.find(k);
                    if (it != ref.end()) {
                        ++it->second.tag;
                        gap = k + 1;
                    } else {
                        ref[k] = v.advanced(k - gap);
                    }
                }
                break;
        }
        REQUIRE(map.well_formed());
        if (step % 100 == 99) require_same(map, ref, kKeys + 2100);
    }
    require_same(map, ref, kKeys + 2100);
}

TEST_CASE("extent map: runs inserted in order, in reverse and in the middle fill chunks", "[extent]") {
    constexpr std::uint64_t kRuns = 5000;
    const ExtentMap<Base> forward = sparse(kRuns);
    ExtentMap<Base> backward, middle;
    for (std::uint64_t i = kRuns; i-- > 0;) backward.assign(2 * i, 1, Base{1000 * i, 0});
    for (std::uint64_t i = 0; i < kRuns; i += 2) middle.assign(2 * i, 1, Base{1000 * i, 0});
    for (std::uint64_t i = 1; i < kRuns; i += 2) middle.assign(2 * i, 1, Base{1000 * i, 0});
    for (const ExtentMap<Base>* m : std::initializer_list<const ExtentMap<Base>*>{&forward, &backward, &middle}) {
        REQUIRE(m->well_formed());
        REQUIRE(m->size() == kRuns);
        CHECK(*m == forward);
        CHECK(m->at(2 * 4321)->base == 4321000);
        CHECK_FALSE(m->at(2 * 4321 + 1));
    }
    // In order or in reverse, chunks fill before the next starts; split halves fill too.
    const std::size_t entry = sizeof(ExtentMap<Base>::Entry);
    CHECK(forward.bytes() >= kRuns * entry);
    CHECK(forward.bytes() < kRuns * entry * 11 / 10);
    CHECK(backward.bytes() < kRuns * entry * 11 / 10);
    CHECK(middle.bytes() < kRuns * entry * 2);
    // In order below a few runs that stay put (the owners map below its pool pages): the
    // chunks split where the keys go and stay full, rather than half full.
    ExtentMap<Base> below;
    for (std::uint64_t k = 0; k < 3; ++k) below.assign(1'000'000 + 2 * k, 1, Base{k, 1});
    for (std::uint64_t i = 0; i < kRuns; ++i) below.assign(2 * i, 1, Base{1000 * i, 0});
    REQUIRE(below.well_formed());
    CHECK(below.size() == kRuns + 3);
    CHECK(below.bytes() < kRuns * entry * 11 / 10);
    CHECK(below.at(1'000'004)->base == 2);
    // runs() walks every chunk both ways.
    std::uint64_t expect = 0, seen = 0;
    for (const auto& [key, run] : forward.runs()) {
        CHECK(key == expect);
        CHECK(run.count == 1);
        expect += 2;
        ++seen;
    }
    CHECK(seen == kRuns);
    const auto runs = backward.runs();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        expect -= 2;
        CHECK(it->first == expect);
        CHECK(it->second.value.base == expect / 2 * 1000);
    }
    CHECK(expect == 0);
}

TEST_CASE("extent map: a range erased across chunks keeps both clipped ends", "[extent]") {
    ExtentMap<Base> map = sparse(4000);
    map.assign(1001, 1000, Base{5, 1});  // one long run over pages held and not
    REQUIRE(map.well_formed());
    map.erase(501, 1000);  // from inside the run at 500's neighbour to inside the long run
    CHECK(map.well_formed());
    CHECK(map.at(500)->base == 250000);
    CHECK_FALSE(map.at(501));
    CHECK_FALSE(map.at(1500));
    CHECK(map.at(1501)->base == 505);
    CHECK(map.find(1501)->count == 500);
    CHECK(map.find(1501)->start == 1501);
    // Nearly everything goes: the chunks join and give their memory back.
    const std::size_t full = map.bytes();
    map.erase(0, 7990);
    CHECK(map.well_formed());
    CHECK(map.size() == 5);
    CHECK(map.bytes() * 50 < full);
    CHECK(map.at(7990)->base == 3995000);
    map.erase(0, ~0ull - 1);
    CHECK(map.empty());
    CHECK(map.covered() == 0);
    CHECK(map.well_formed());
}

TEST_CASE("extent map: updates and merges reach across chunks", "[extent]") {
    ExtentMap<Base> map;
    for (std::uint64_t k = 0; k < 6000; k += 2) map.assign(k, 1, Base{k, 0});
    REQUIRE(map.size() == 3000);
    // Rewriting what is held over many chunks, leaving the gaps alone.
    map.update(1, 5000, [](std::optional<Base> old) -> std::optional<Base> {
        if (old) return Base{old->base, 1};
        return std::nullopt;
    });
    CHECK(map.well_formed());
    CHECK(map.size() == 3000);
    CHECK(map.at(0)->tag == 0);
    CHECK(map.at(2)->tag == 1);
    CHECK(map.at(5000)->tag == 1);
    CHECK(map.at(5002)->tag == 0);
    // Each gap filled with the page its neighbours predict joins them, chunk boundaries or not.
    for (std::uint64_t k = 1; k < 6000; k += 2) map.assign(k, 1, Base{k, k < 5001 ? 1u : 0u});
    CHECK(map.well_formed());
    CHECK(map.size() == 3);  // split only where the tag changes: [0, 1), [1, 5001), [5001, 6000)
    CHECK(map.find(3333)->start == 1);
    CHECK(map.find(3333)->count == 5000);
    CHECK(map.at(3333)->base == 3333);
    CHECK(map.find(5999)->start == 5001);
    CHECK(map.find(5999)->count == 999);
}

TEST_CASE("extent map: copies compare equal, a moved-from map is empty and usable", "[extent]") {
    ExtentMap<Base> map = sparse(1000);
    ExtentMap<Base> copy(map);
    CHECK(copy == map);
    CHECK(copy.well_formed());
    copy.assign(1, 1, Base{1, 0});
    CHECK_FALSE(copy == map);
    ExtentMap<Base> moved(std::move(map));
    CHECK(moved.size() == 1000);
    CHECK(moved.well_formed());
    CHECK(map.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    CHECK(map.well_formed());
    map.assign(5, 2, Base{9, 0});
    CHECK(map.at(6)->base == 10);
    ExtentMap<Base> assigned;
    assigned = std::move(moved);
    CHECK(assigned.size() == 1000);
    CHECK(moved.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    // The append hint moves with the map: the run built last is still where the next page goes.
    assigned.assign(4000, 1, Base{1, 0});
    ExtentMap<Base> again(std::move(assigned));
    CHECK(again.try_append(4001, Base{2, 0}));
    CHECK_FALSE(again.try_append(4003, Base{4, 0}));
    CHECK(again.find(4000)->count == 2);
    CHECK(again.well_formed());
}
