// Runs of consecutive page numbers sharing one value: the model's only way to hold per-page
// state, so a contiguous terabyte is one entry. V needs operator== and advanced(n), the value
// of the page n pages further into the run (a PFN base moves, flags stay).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <vector>

namespace hvsim::state {

struct Unit {
    [[nodiscard]] constexpr Unit advanced(std::uint64_t) const noexcept { return {}; }
    friend constexpr bool operator==(Unit, Unit) noexcept = default;
};

template <class V>
class ExtentMap {
public:
    struct Run {
        std::uint64_t count;
        V value;
    };
    // Nodes come from a pool owned by the map: no malloc header per node, and freed nodes are
    // reused. The pool lives with the map on the heap, so moving the map moves a pointer.
    using Map = std::pmr::map<std::uint64_t, Run>;
    struct Extent {
        std::uint64_t start;
        std::uint64_t count;
        V value;
        [[nodiscard]] std::uint64_t end() const noexcept { return start + count; }
    };

    ExtentMap() : store_(std::make_unique<Store>()), runs_(store_->runs), hint_(runs_.end()) {}
    ExtentMap(const ExtentMap& o) : ExtentMap() {
        runs_ = o.runs_;
        covered_ = o.covered_;
    }
    ExtentMap(ExtentMap&& o) noexcept
        : store_(std::move(o.store_)),
          runs_(store_->runs),
          covered_(o.covered_),
          hint_(o.hint_),
          hint_next_(o.hint_next_) {}
    ExtentMap& operator=(const ExtentMap& o) {
        if (this != &o) {
            runs_ = o.runs_;
            covered_ = o.covered_;
            hint_ = runs_.end();
        }
        return *this;
    }
    ExtentMap& operator=(ExtentMap&&) = delete;  // the runs_ reference cannot be reseated
    ~ExtentMap() = default;

    friend bool operator==(const ExtentMap& a, const ExtentMap& b) {
        if (a.runs_.size() != b.runs_.size()) return false;
        for (auto i = a.runs_.begin(), j = b.runs_.begin(); i != a.runs_.end(); ++i, ++j)
            if (i->first != j->first || i->second.count != j->second.count || !(i->second.value == j->second.value))
                return false;
        return true;
    }

    [[nodiscard]] bool empty() const noexcept { return runs_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return runs_.size(); }
    [[nodiscard]] std::uint64_t covered() const noexcept { return covered_; }
    [[nodiscard]] const Map& runs() const noexcept { return runs_; }
    // Bytes the runs take: one pooled tree node each.
    [[nodiscard]] std::size_t bytes() const noexcept { return runs_.size() * kNodeBytes; }

    // Sorted, non-overlapping, no empty runs, no neighbours that should have merged.
    [[nodiscard]] bool well_formed() const {
        std::uint64_t sum = 0;
        const std::pair<const std::uint64_t, Run>* prev = nullptr;
        for (const auto& kv : runs_) {
            if (kv.second.count == 0) return false;
            if (prev != nullptr) {
                const std::uint64_t pend = prev->first + prev->second.count;
                if (pend > kv.first) return false;
                if (pend == kv.first && prev->second.value.advanced(prev->second.count) == kv.second.value)
                    return false;
            }
            sum += kv.second.count;
            prev = &kv;
        }
        return sum == covered_;
    }

    void clear() noexcept {
        runs_.clear();
        covered_ = 0;
        hint_ = runs_.end();
    }

    // The run containing `key`, whole.
    [[nodiscard]] std::optional<Extent> find(std::uint64_t key) const {
        auto it = containing(key);
        if (it == runs_.end()) return std::nullopt;
        return Extent{it->first, it->second.count, it->second.value};
    }
    // The value at `key` (a run's value advanced to it).
    [[nodiscard]] std::optional<V> at(std::uint64_t key) const {
        auto it = containing(key);
        if (it == runs_.end()) return std::nullopt;
        return it->second.value.advanced(key - it->first);
    }
    [[nodiscard]] bool any_in(std::uint64_t start, std::uint64_t count) const {
        if (count == 0) return false;
        auto it = runs_.lower_bound(start);
        if (it != runs_.end() && it->first < start + count) return true;
        if (it == runs_.begin()) return false;
        --it;
        return it->first + it->second.count > start;
    }
    // Calls f(Extent) for each stored piece of [start, start + count), clipped to it.
    template <class F>
    void for_each_in(std::uint64_t start, std::uint64_t count, F&& f) const {
        const std::uint64_t end = start + count;
        auto it = runs_.upper_bound(start);
        if (it != runs_.begin()) --it;
        for (; it != runs_.end() && it->first < end; ++it) {
            const std::uint64_t s = it->first > start ? it->first : start;
            const std::uint64_t e = it->first + it->second.count < end ? it->first + it->second.count : end;
            if (s < e) f(Extent{s, e - s, it->second.value.advanced(s - it->first)});
        }
    }

    // The O(1) path for the common case: `key` extends the last run built by one page with the
    // value that run predicts, and the page after it is free (no merge needed).
    [[nodiscard]] bool can_append(std::uint64_t key, const V& value) const noexcept {
        if (hint_ == runs_.end()) return false;
        const Run& run = hint_->second;
        return hint_->first + run.count == key && key + 1 < hint_next_ && run.value.advanced(run.count) == value;
    }
    // Extends the hinted run by one page; only after can_append said yes.
    void append() noexcept {
        ++hint_->second.count;
        ++covered_;
    }
    bool try_append(std::uint64_t key, const V& value) noexcept {
        if (!can_append(key, value)) return false;
        append();
        return true;
    }
    // How many pages from `key` on hold nothing (0 when `key` itself is held).
    [[nodiscard]] std::uint64_t free_from(std::uint64_t key) const {
        auto it = runs_.upper_bound(key);
        if (it != runs_.begin()) {
            auto prev = std::prev(it);
            if (key < prev->first + prev->second.count) return 0;
        }
        return it == runs_.end() ? ~0ull - key : it->first - key;
    }

    // [start, start + count) holds `value` (advanced per page) afterwards.
    void assign(std::uint64_t start, std::uint64_t count, const V& value) {
        if (count == 0) return;
        erase_range(start, count);
        auto it = runs_.emplace(start, Run{count, value}).first;
        covered_ += count;
        set_hint(merge_around(it));
    }
    // [start, start + count) holds nothing afterwards.
    void erase(std::uint64_t start, std::uint64_t count) {
        if (count == 0) return;
        erase_range(start, count);
        hint_ = runs_.end();
    }
    // Rewrites [start, start + count) piece by piece, gaps included: f(std::optional<V> old)
    // returns the new value of the piece (nothing to clear it).
    template <class F>
    void update(std::uint64_t start, std::uint64_t count, F&& f) {
        if (count == 0) return;
        const std::uint64_t end = start + count;
        // Collect first: rewriting while walking would invalidate the walk.
        std::uint64_t pos = start;
        auto it = runs_.upper_bound(start);
        if (it != runs_.begin()) --it;
        pieces_.clear();
        for (; pos < end;) {
            while (it != runs_.end() && it->first + it->second.count <= pos) ++it;
            if (it == runs_.end() || it->first >= end) {
                pieces_.push_back({pos, end - pos, f(std::optional<V>{})});
                break;
            }
            if (it->first > pos) {
                pieces_.push_back({pos, it->first - pos, f(std::optional<V>{})});
                pos = it->first;
                continue;
            }
            const std::uint64_t e = std::min(end, it->first + it->second.count);
            pieces_.push_back({pos, e - pos, f(std::optional<V>{it->second.value.advanced(pos - it->first)})});
            pos = e;
        }
        erase_range(start, count);
        for (const Piece& p : pieces_) {
            if (!p.value) continue;
            auto at = runs_.emplace(p.start, Run{p.count, *p.value}).first;
            covered_ += p.count;
            merge_around(at);
        }
        hint_ = runs_.end();
    }

private:
    static constexpr std::size_t kNodeBytes =
        (sizeof(typename Map::value_type) + 32 + 7) / 8 * 8;  // tree links + entry, pooled

    typename Map::const_iterator containing(std::uint64_t key) const {
        auto it = runs_.upper_bound(key);
        if (it == runs_.begin()) return runs_.end();
        --it;
        return key < it->first + it->second.count ? it : runs_.end();
    }

    // Removes [start, start + count), splitting runs that stick out on either side.
    void erase_range(std::uint64_t start, std::uint64_t count) {
        const std::uint64_t end = start + count;
        hint_ = runs_.end();
        auto it = runs_.upper_bound(start);
        if (it != runs_.begin()) {
            auto prev = std::prev(it);
            const std::uint64_t pend = prev->first + prev->second.count;
            if (pend > start) {
                if (pend > end)  // the run sticks out past the range: keep its tail
                    runs_.emplace_hint(it, end, Run{pend - end, prev->second.value.advanced(end - prev->first)});
                covered_ -= std::min(pend, end) - start;
                if (prev->first == start)
                    runs_.erase(prev);
                else
                    prev->second.count = start - prev->first;
                if (pend >= end) return;
            }
        }
        while (it != runs_.end() && it->first < end) {
            const std::uint64_t iend = it->first + it->second.count;
            if (iend > end) {
                const Run tail{iend - end, it->second.value.advanced(end - it->first)};
                covered_ -= end - it->first;
                it = runs_.erase(it);
                runs_.emplace_hint(it, end, tail);
                return;
            }
            covered_ -= it->second.count;
            it = runs_.erase(it);
        }
    }

    void set_hint(typename Map::iterator it) {
        hint_ = it;
        auto next = std::next(it);
        hint_next_ = next == runs_.end() ? ~0ull : next->first;
    }

    // Joins `it` with neighbours that continue it; returns the surviving run.
    typename Map::iterator merge_around(typename Map::iterator it) {
        if (it != runs_.begin()) {
            auto prev = std::prev(it);
            if (prev->first + prev->second.count == it->first &&
                prev->second.value.advanced(prev->second.count) == it->second.value) {
                prev->second.count += it->second.count;
                runs_.erase(it);
                it = prev;
            }
        }
        auto next = std::next(it);
        if (next != runs_.end() && it->first + it->second.count == next->first &&
            it->second.value.advanced(it->second.count) == next->second.value) {
            it->second.count += next->second.count;
            runs_.erase(next);
        }
        return it;
    }

    struct Piece {
        std::uint64_t start, count;
        std::optional<V> value;
    };

    struct Store {
        // Chunks of at most 1024 nodes: a big map wastes at most one part-used chunk.
        std::pmr::unsynchronized_pool_resource pool{std::pmr::pool_options{1024, 256}};
        Map runs{&pool};
    };

    std::unique_ptr<Store> store_;
    Map& runs_;
    std::uint64_t covered_ = 0;
    typename Map::iterator hint_;  // the run last built or extended: where the next page likely goes
    std::uint64_t hint_next_ = 0;  // start of the run after hint_ (UINT64_MAX: none)
    std::vector<Piece> pieces_;    // scratch for update(), kept to avoid an allocation per call
};

}  // namespace hvsim::state
