// Runs of consecutive page numbers sharing one value: the model's only way to hold per-page
// state, so a contiguous terabyte is one entry. V needs operator== and advanced(n), the value
// of the page n pages further into the run (a PFN base moves, flags stay).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
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
    // One stored run, shaped like a map's element so callers read kv.first and kv.second.
    struct Entry {
        std::uint64_t first;
        Run second;
    };
    struct Extent {
        std::uint64_t start;
        std::uint64_t count;
        V value;
        [[nodiscard]] std::uint64_t end() const noexcept { return start + count; }
    };

private:
    // Runs live in sorted chunks of at most kChunk entries, found through a sorted index of the
    // chunks' first keys. An insert moves at most one chunk's entries (and, on a split, the
    // chunk handles), so the store stays dense without a tree node per run.
    static constexpr std::size_t kChunk = 256;
    static constexpr std::size_t kFirstChunk = 8;   // runs a new chunk has room for
    static constexpr std::size_t kSpareChunk = 32;  // the most runs a kept spare chunk has room for
    using Chunk = std::vector<Entry>;
    struct Pos {
        std::size_t c = 0, i = 0;  // chunk, entry; the end is {chunks, 0}
        friend bool operator==(Pos, Pos) noexcept = default;
    };
    static constexpr Pos kNoHint{~std::size_t{0}, 0};

public:
    // Walks the runs in key order, across chunks.
    class Iterator {
    public:
        using iterator_category = std::bidirectional_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using pointer = const Entry*;
        using reference = const Entry&;

        Iterator() = default;
        reference operator*() const { return (*chunks_)[pos_.c][pos_.i]; }
        pointer operator->() const { return &**this; }
        Iterator& operator++() {
            if (++pos_.i == (*chunks_)[pos_.c].size()) pos_ = {pos_.c + 1, 0};
            return *this;
        }
        Iterator operator++(int) {
            Iterator was = *this;
            ++*this;
            return was;
        }
        Iterator& operator--() {
            if (pos_.i == 0) pos_ = {pos_.c - 1, (*chunks_)[pos_.c - 1].size()};
            --pos_.i;
            return *this;
        }
        Iterator operator--(int) {
            Iterator was = *this;
            --*this;
            return was;
        }
        friend bool operator==(const Iterator& a, const Iterator& b) noexcept { return a.pos_ == b.pos_; }

    private:
        friend class ExtentMap;
        Iterator(const std::vector<Chunk>* chunks, Pos pos) : chunks_(chunks), pos_(pos) {}
        const std::vector<Chunk>* chunks_ = nullptr;
        Pos pos_;
    };
    // What runs() returns: the runs in key order, forwards or backwards.
    class Runs {
    public:
        [[nodiscard]] Iterator begin() const { return {&map_->chunks_, Pos{}}; }
        [[nodiscard]] Iterator end() const { return {&map_->chunks_, Pos{map_->chunks_.size(), 0}}; }
        [[nodiscard]] std::reverse_iterator<Iterator> rbegin() const { return std::reverse_iterator(end()); }
        [[nodiscard]] std::reverse_iterator<Iterator> rend() const { return std::reverse_iterator(begin()); }
        [[nodiscard]] std::size_t size() const noexcept { return map_->size(); }
        [[nodiscard]] bool empty() const noexcept { return map_->empty(); }

    private:
        friend class ExtentMap;
        explicit Runs(const ExtentMap* map) : map_(map) {}
        const ExtentMap* map_;
    };

    ExtentMap() = default;
    ExtentMap(const ExtentMap& o) : chunks_(o.chunks_), firsts_(o.firsts_), size_(o.size_), covered_(o.covered_) {}
    ExtentMap(ExtentMap&& o) noexcept
        : chunks_(std::move(o.chunks_)),
          firsts_(std::move(o.firsts_)),
          size_(std::exchange(o.size_, 0)),
          covered_(std::exchange(o.covered_, 0)),
          hint_(std::exchange(o.hint_, kNoHint)),
          hint_next_(o.hint_next_) {
        o.clear();
    }
    ExtentMap& operator=(const ExtentMap& o) {
        if (this != &o) {
            chunks_ = o.chunks_;
            firsts_ = o.firsts_;
            size_ = o.size_;
            covered_ = o.covered_;
            hint_ = kNoHint;
        }
        return *this;
    }
    ExtentMap& operator=(ExtentMap&& o) noexcept {
        if (this != &o) {
            chunks_ = std::move(o.chunks_);
            firsts_ = std::move(o.firsts_);
            size_ = std::exchange(o.size_, 0);
            covered_ = std::exchange(o.covered_, 0);
            hint_ = std::exchange(o.hint_, kNoHint);
            hint_next_ = o.hint_next_;
            o.clear();
        }
        return *this;
    }
    ~ExtentMap() = default;

    friend bool operator==(const ExtentMap& a, const ExtentMap& b) {
        if (a.size_ != b.size_) return false;
        const Runs ra = a.runs(), rb = b.runs();
        for (auto i = ra.begin(), j = rb.begin(); i != ra.end(); ++i, ++j)
            if (i->first != j->first || i->second.count != j->second.count || !(i->second.value == j->second.value))
                return false;
        return true;
    }

    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::uint64_t covered() const noexcept { return covered_; }
    [[nodiscard]] Runs runs() const noexcept { return Runs(this); }
    // Bytes the store holds: every chunk's capacity, the index and the scratch, not just the
    // runs in use.
    [[nodiscard]] std::size_t bytes() const noexcept {
        std::size_t n = chunks_.capacity() * sizeof(Chunk) + firsts_.capacity() * sizeof(std::uint64_t) +
                        pieces_.capacity() * sizeof(Piece);
        for (const Chunk& ch : chunks_) n += ch.capacity() * sizeof(Entry);
        return n + spare_.capacity() * sizeof(Entry);
    }

    // Sorted, non-overlapping, no empty runs, no neighbours that should have merged; and the
    // chunks neither empty nor over-full, each indexed by its first key.
    [[nodiscard]] bool well_formed() const {
        if (firsts_.size() != chunks_.size()) return false;
        std::size_t entries = 0;
        for (std::size_t c = 0; c < chunks_.size(); ++c) {
            if (chunks_[c].empty() || chunks_[c].size() > kChunk || firsts_[c] != chunks_[c].front().first)
                return false;
            entries += chunks_[c].size();
        }
        if (entries != size_) return false;
        std::uint64_t sum = 0;
        const Entry* prev = nullptr;
        for (const Entry& kv : runs()) {
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
        if (!chunks_.empty()) retire(std::move(chunks_.front()));
        chunks_.clear();
        firsts_.clear();
        size_ = 0;
        covered_ = 0;
        hint_ = kNoHint;
    }

    // The run containing `key`, whole.
    [[nodiscard]] std::optional<Extent> find(std::uint64_t key) const {
        const Entry* e = containing(key);
        if (e == nullptr) return std::nullopt;
        return Extent{e->first, e->second.count, e->second.value};
    }
    // The value at `key` (a run's value advanced to it).
    [[nodiscard]] std::optional<V> at(std::uint64_t key) const {
        const Entry* e = containing(key);
        if (e == nullptr) return std::nullopt;
        return e->second.value.advanced(key - e->first);
    }
    [[nodiscard]] bool any_in(std::uint64_t start, std::uint64_t count) const {
        if (count == 0) return false;
        const Pos p = upper(start);  // a run starting at `start` is before p
        if (valid(p) && entry(p).first < start + count) return true;
        if (p == Pos{}) return false;
        const Entry& e = entry(prev(p));
        return e.first + e.second.count > start;
    }
    // Calls f(Extent) for each stored piece of [start, start + count), clipped to it.
    template <class F>
    void for_each_in(std::uint64_t start, std::uint64_t count, F&& f) const {
        const std::uint64_t end = start + count;
        Pos p = upper(start);
        if (p != Pos{}) p = prev(p);
        for (; valid(p) && entry(p).first < end; p = next(p)) {
            const Entry& e = entry(p);
            const std::uint64_t s = e.first > start ? e.first : start;
            const std::uint64_t e_end = e.first + e.second.count < end ? e.first + e.second.count : end;
            if (s < e_end) f(Extent{s, e_end - s, e.second.value.advanced(s - e.first)});
        }
    }

    // The O(1) path for the common case: `key` extends the last run built by one page with the
    // value that run predicts, and the page after it is free (no merge needed).
    [[nodiscard]] bool can_append(std::uint64_t key, const V& value) const noexcept {
        if (hint_ == kNoHint) return false;
        const Entry& e = entry(hint_);
        return e.first + e.second.count == key && key + 1 < hint_next_ &&
               e.second.value.advanced(e.second.count) == value;
    }
    // Extends the hinted run by one page; only after can_append said yes.
    void append() noexcept {
        ++chunks_[hint_.c][hint_.i].second.count;
        ++covered_;
    }
    bool try_append(std::uint64_t key, const V& value) noexcept {
        if (!can_append(key, value)) return false;
        append();
        return true;
    }
    // How many pages from `key` on hold nothing (0 when `key` itself is held).
    [[nodiscard]] std::uint64_t free_from(std::uint64_t key) const {
        const Pos p = upper(key);
        if (p != Pos{}) {
            const Entry& e = entry(prev(p));
            if (key < e.first + e.second.count) return 0;
        }
        return valid(p) ? entry(p).first - key : ~0ull - key;
    }

    // [start, start + count) holds `value` (advanced per page) afterwards.
    void assign(std::uint64_t start, std::uint64_t count, const V& value) {
        if (count == 0) return;
        erase_range(start, count);
        const Pos p = insert(upper(start), Entry{start, Run{count, value}});
        covered_ += count;
        set_hint(merge_around(p));
    }
    // [start, start + count) holds nothing afterwards.
    void erase(std::uint64_t start, std::uint64_t count) {
        if (count == 0) return;
        erase_range(start, count);
        hint_ = kNoHint;
    }
    // Rewrites [start, start + count) piece by piece, gaps included: f(std::optional<V> old)
    // returns the new value of the piece (nothing to clear it).
    template <class F>
    void update(std::uint64_t start, std::uint64_t count, F&& f) {
        if (count == 0) return;
        const std::uint64_t end = start + count;
        // Collect first: rewriting while walking would invalidate the walk.
        std::uint64_t pos = start;
        Pos it = upper(start);
        if (it != Pos{}) it = prev(it);
        pieces_.clear();
        while (pos < end) {
            while (valid(it) && entry(it).first + entry(it).second.count <= pos) it = next(it);
            if (!valid(it) || entry(it).first >= end) {
                pieces_.push_back({pos, end - pos, f(std::optional<V>{})});
                break;
            }
            const Entry& e = entry(it);
            if (e.first > pos) {
                pieces_.push_back({pos, e.first - pos, f(std::optional<V>{})});
                pos = e.first;
                continue;
            }
            const std::uint64_t e_end = std::min(end, e.first + e.second.count);
            pieces_.push_back({pos, e_end - pos, f(std::optional<V>{e.second.value.advanced(pos - e.first)})});
            pos = e_end;
        }
        erase_range(start, count);
        for (const Piece& piece : pieces_) {
            if (!piece.value) continue;
            merge_around(insert(upper(piece.start), Entry{piece.start, Run{piece.count, *piece.value}}));
            covered_ += piece.count;
        }
        hint_ = kNoHint;
    }

private:
    [[nodiscard]] bool valid(Pos p) const noexcept { return p.c < chunks_.size(); }
    [[nodiscard]] const Entry& entry(Pos p) const noexcept { return chunks_[p.c][p.i]; }
    [[nodiscard]] Entry& entry(Pos p) noexcept { return chunks_[p.c][p.i]; }
    [[nodiscard]] Pos next(Pos p) const noexcept {
        return p.i + 1 == chunks_[p.c].size() ? Pos{p.c + 1, 0} : Pos{p.c, p.i + 1};
    }
    [[nodiscard]] Pos prev(Pos p) const noexcept {
        return p.i == 0 ? Pos{p.c - 1, chunks_[p.c - 1].size() - 1} : Pos{p.c, p.i - 1};
    }

    // The first run starting after `key` (the end when none does): two binary searches.
    [[nodiscard]] Pos upper(std::uint64_t key) const noexcept {
        const auto f = std::upper_bound(firsts_.begin(), firsts_.end(), key);
        if (f == firsts_.begin()) return {};
        const auto c = static_cast<std::size_t>(f - firsts_.begin()) - 1;
        const Chunk& ch = chunks_[c];
        const auto e =
            std::upper_bound(ch.begin(), ch.end(), key, [](std::uint64_t k, const Entry& x) { return k < x.first; });
        const auto i = static_cast<std::size_t>(e - ch.begin());
        return i == ch.size() ? Pos{c + 1, 0} : Pos{c, i};
    }
    [[nodiscard]] const Entry* containing(std::uint64_t key) const noexcept {
        const Pos p = upper(key);
        if (p == Pos{}) return nullptr;
        const Entry& e = entry(prev(p));
        return key < e.first + e.second.count ? &e : nullptr;
    }
    // Where the run starting at `key` is; only for a key that starts one.
    [[nodiscard]] Pos starting(std::uint64_t key) const noexcept { return prev(upper(key)); }

    // Puts `e` before position p, splitting a full chunk; returns where `e` went.
    Pos insert(Pos p, const Entry& e) {
        ++size_;
        if (chunks_.empty()) {
            chunks_.push_back(fresh());
            chunks_.back().push_back(e);
            firsts_.push_back(e.first);
            return {};
        }
        // Between two chunks, the earlier one takes it while it has room: keys inserted in
        // order then fill each chunk before starting the next.
        if (p.i == 0 && p.c > 0 && (p.c == chunks_.size() || chunks_[p.c - 1].size() < kChunk))
            p = {p.c - 1, chunks_[p.c - 1].size()};
        if (chunks_[p.c].size() == kChunk) {
            if (p.i == kChunk || p.i == 0) {  // at either end of a full chunk: a new chunk of its own
                const std::size_t c = p.i == 0 ? p.c : p.c + 1;
                chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c), fresh())->push_back(e);
                firsts_.insert(firsts_.begin() + static_cast<std::ptrdiff_t>(c), e.first);
                return {c, 0};
            }
            // Keys arriving in order just before a few runs that stay put, like the pool at the
            // top of the owners map, would leave every chunk half full if split in the middle:
            // near its end, the chunk splits where the key goes.
            const std::size_t at = p.i > kChunk - kChunk / 16 ? p.i : kChunk / 2;
            split(p.c, at);
            if (p.i > at) p = {p.c + 1, p.i - at};
        }
        Chunk& ch = chunks_[p.c];
        if (ch.size() == ch.capacity()) ch.reserve(std::min(kChunk, 2 * ch.size()));  // never past a chunk
        ch.insert(ch.begin() + static_cast<std::ptrdiff_t>(p.i), e);
        if (p.i == 0) firsts_[p.c] = e.first;
        return p;
    }
    // Moves the entries of chunk c from `at` on into the next chunk when they fit there (keys
    // arriving in reverse then fill it instead of leaving a chunk per run), else into a new one.
    void split(std::size_t c, std::size_t at) {
        const auto from = chunks_[c].begin() + static_cast<std::ptrdiff_t>(at);
        if (c + 1 < chunks_.size() && chunks_[c + 1].size() + (kChunk - at) <= kChunk) {
            Chunk& after = chunks_[c + 1];
            after.reserve(kChunk);
            after.insert(after.begin(), from, chunks_[c].end());
            firsts_[c + 1] = after.front().first;
            chunks_[c].erase(from, chunks_[c].end());
            return;
        }
        Chunk upper_part(from, chunks_[c].end());
        chunks_[c].erase(from, chunks_[c].end());
        firsts_.insert(firsts_.begin() + static_cast<std::ptrdiff_t>(c) + 1, upper_part.front().first);
        chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper_part));
    }

    // Drops the runs in [a, b), which may span chunks.
    void remove(Pos a, Pos b) {
        if (a == b) return;
        for (Pos p = a; p != b; p = next(p)) --size_;
        auto chunk_at = [&](std::size_t c) { return chunks_.begin() + static_cast<std::ptrdiff_t>(c); };
        auto entry_at = [&](std::size_t c, std::size_t i) {
            return chunks_[c].begin() + static_cast<std::ptrdiff_t>(i);
        };
        if (a.c == b.c) {
            chunks_[a.c].erase(entry_at(a.c, a.i), entry_at(b.c, b.i));
        } else {
            chunks_[a.c].erase(entry_at(a.c, a.i), chunks_[a.c].end());
            if (valid(b)) chunks_[b.c].erase(chunks_[b.c].begin(), entry_at(b.c, b.i));
            chunks_.erase(chunk_at(a.c + 1), chunk_at(b.c));
            firsts_.erase(firsts_.begin() + static_cast<std::ptrdiff_t>(a.c) + 1,
                          firsts_.begin() + static_cast<std::ptrdiff_t>(b.c));
        }
        tidy(a.c);
    }
    // After a removal touched chunks c and c + 1: drops them if empty, re-indexes them, joins
    // neighbours that fit in half a chunk together and gives back capacity a chunk no longer
    // needs, so a map that shrank holds memory in proportion to what is left.
    void tidy(std::size_t c) {
        for (std::size_t k = std::min(c + 2, chunks_.size()); k-- > c;) {
            if (!chunks_[k].empty()) continue;
            retire(std::move(chunks_[k]));
            chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(k));
            firsts_.erase(firsts_.begin() + static_cast<std::ptrdiff_t>(k));
        }
        for (std::size_t k = c; k < std::min(c + 2, chunks_.size()); ++k) firsts_[k] = chunks_[k].front().first;
        for (std::size_t k = c > 0 ? c - 1 : 0; k + 1 < chunks_.size() && k <= c + 1;) {
            if (chunks_[k].size() + chunks_[k + 1].size() > kChunk / 2) {
                ++k;
                continue;
            }
            chunks_[k].insert(chunks_[k].end(), chunks_[k + 1].begin(), chunks_[k + 1].end());
            retire(std::move(chunks_[k + 1]));
            chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(k) + 1);
            firsts_.erase(firsts_.begin() + static_cast<std::ptrdiff_t>(k) + 1);
        }
        for (std::size_t k = c > 0 ? c - 1 : 0; k < std::min(c + 2, chunks_.size()); ++k)
            if (chunks_[k].capacity() > 8 && chunks_[k].capacity() > 4 * chunks_[k].size()) chunks_[k].shrink_to_fit();
        if (chunks_.empty()) {
            chunks_.shrink_to_fit();
            firsts_.shrink_to_fit();
        }
    }

    // A chunk to fill: the spare one when there is one. A map that empties and fills again
    // (every fuzz input resets the machine) then allocates nothing.
    Chunk fresh() {
        Chunk c = std::move(spare_);
        spare_ = Chunk{};
        c.clear();
        if (c.capacity() == 0) c.reserve(kFirstChunk);
        return c;
    }
    // Keeps the larger of a chunk that goes and the spare one, up to a small size: a map that
    // shrank still gives its memory back.
    void retire(Chunk&& c) noexcept {
        if (c.capacity() <= kSpareChunk && c.capacity() > spare_.capacity()) spare_ = std::move(c);
    }

    // Replaces the run at p by its part from `end` on.
    void keep_tail(Pos p, std::uint64_t end) {
        Entry& e = entry(p);
        e = Entry{end, Run{e.first + e.second.count - end, e.second.value.advanced(end - e.first)}};
        if (p.i == 0) firsts_[p.c] = end;
    }

    // Removes [start, start + count), splitting runs that stick out on either side.
    void erase_range(std::uint64_t start, std::uint64_t count) {
        const std::uint64_t end = start + count;
        hint_ = kNoHint;
        Pos p = upper(start);
        if (p != Pos{}) {
            const Pos q = prev(p);
            Entry& e = entry(q);
            const std::uint64_t pend = e.first + e.second.count;
            if (pend > start && e.first == start) {
                p = q;                  // the run starts with the range: it goes with the others below
            } else if (pend > start) {  // it starts before the range: keep its head
                const Entry tail{end, Run{pend - end, e.second.value.advanced(end - e.first)}};
                e.second.count = start - e.first;
                covered_ -= std::min(pend, end) - start;
                if (pend > end) insert(p, tail);  // and its tail, when it sticks out past the range
                if (pend >= end) return;
            }
        }
        // Every run from p on that starts before the end goes, but for the tail of the last.
        const Pos b = upper(end - 1);
        if (p == b) return;
        Pos stop = b;
        const Pos last = prev(b);
        if (const Entry& l = entry(last); l.first + l.second.count > end) {
            covered_ -= end - l.first;
            keep_tail(last, end);
            stop = last;
        }
        for (Pos r = p; r != stop; r = next(r)) covered_ -= entry(r).second.count;
        remove(p, stop);
    }

    void set_hint(Pos p) {
        hint_ = p;
        const Pos n = next(p);
        hint_next_ = valid(n) ? entry(n).first : ~0ull;
    }

    [[nodiscard]] bool continues(const Entry& a, const Entry& b) const {
        return a.first + a.second.count == b.first && a.second.value.advanced(a.second.count) == b.second.value;
    }
    // Joins the run at p with neighbours that continue it; returns where the survivor is.
    Pos merge_around(Pos p) {
        if (p != Pos{}) {
            const Pos q = prev(p);
            if (continues(entry(q), entry(p))) {
                entry(q).second.count += entry(p).second.count;
                const std::uint64_t key = entry(q).first;
                remove(p, next(p));
                p = starting(key);
            }
        }
        const Pos n = next(p);
        if (valid(n) && continues(entry(p), entry(n))) {
            entry(p).second.count += entry(n).second.count;
            const std::uint64_t key = entry(p).first;
            remove(n, next(n));
            p = starting(key);
        }
        return p;
    }

    struct Piece {
        std::uint64_t start, count;
        std::optional<V> value;
    };

    std::vector<Chunk> chunks_;          // never an empty one
    std::vector<std::uint64_t> firsts_;  // the first key of each chunk, for the binary search
    std::size_t size_ = 0;               // runs in all chunks
    std::uint64_t covered_ = 0;
    Pos hint_ = kNoHint;           // the run last built or extended: where the next page likely goes
    std::uint64_t hint_next_ = 0;  // start of the run after hint_ (UINT64_MAX: none)
    std::vector<Piece> pieces_;    // scratch for update(), kept to avoid an allocation per call
    Chunk spare_;                  // a chunk that went, kept for the next one (fresh())
};

}  // namespace hvsim::state
