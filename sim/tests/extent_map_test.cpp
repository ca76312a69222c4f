// The extent map against a page-by-page reference: random assigns, erases and updates over a
// small key space, checking every key and the map's shape after each step.
#include <catch2/catch_test_macros.hpp>

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
