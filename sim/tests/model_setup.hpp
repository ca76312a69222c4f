// A machine with the real handlers, and raw hypercalls to set it up: input bytes written at
// the offsets the spec gives, independent of hvcall's marshalling (hvcall has its own tests).
#pragma once

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <vector>

#include "hvsim/hypervisor.hpp"
#include "test_machine.hpp"

namespace hvsim::test {

inline constexpr std::uint64_t kFirstFreePfn = 0x2000;   // 32 MiB: tests hand out pages from here
inline constexpr std::uint64_t kSuperPages = 1ull << 4;  // creation flag GPA_SUPER_PAGES_ENABLED
inline constexpr std::uint32_t kMapRead = 0x1, kMapWrite = 0x2, kMapNoAccess = 0x10000, kMapNotCached = 0x200000;
inline constexpr std::uint32_t kMapLarge = 0x80000000;
inline constexpr std::uint64_t kSelf = ~0ull;

// An input block built field by field at byte offsets.
struct Bytes {
    std::vector<std::byte> b = std::vector<std::byte>(hvcall::kPageSize);
    template <class T>
    Bytes& at(std::size_t offset, T value) {
        std::memcpy(b.data() + offset, &value, sizeof value);
        return *this;
    }
};

class Model {
public:
    static constexpr std::uint64_t kIn = kScratch;
    static constexpr std::uint64_t kOut = kScratch + hvcall::kPageSize;

    explicit Model(bool strict = false, bool reject_spec_only = true, FaultPlan plan = {})
        : m(test_config(strict, reject_spec_only), std::move(plan)) {}
    explicit Model(MachineConfig config, FaultPlan plan = {}) : m(std::move(config), std::move(plan)) {}

    Hypervisor& hv() { return m.hypervisor(); }

    hvcall::HypercallResult raw(CallId id, const Bytes& in, std::uint32_t reps = 0, std::uint32_t start = 0) {
        m.memory().write(kIn, in.b);
        return m.call(0, word(code_of(id), reps, start), kIn, kOut);
    }
    // A rep call resumed after time-slice ends, as Linux's hv_do_rep_hypercall does.
    hvcall::HypercallResult rep(CallId id, const Bytes& in, std::uint32_t reps) {
        std::uint32_t start = 0;
        for (;;) {
            const auto r = raw(id, in, reps, start);
            if (!r.ok() || r.reps_completed() == reps) return r;
            start = r.reps_completed();
        }
    }
    // A simple memory call with a variable header of `varhead` qwords.
    hvcall::HypercallResult raw_varhead(CallId id, const Bytes& in, std::uint32_t varhead) {
        m.memory().write(kIn, in.b);
        return m.call(0, word(code_of(id), 0, 0, varhead), kIn, kOut);
    }
    hvcall::HypercallResult fast(CallId id, std::uint64_t rdx, std::uint64_t r8 = 0) {
        return m.call_fast(0, hvcall::Control::fast_simple(code_of(id)), rdx, r8);
    }
    std::uint64_t out_qword(std::size_t offset = 0) {
        std::array<std::byte, 8> b{};
        m.memory().read(kOut + offset, b);
        std::uint64_t v;
        std::memcpy(&v, b.data(), 8);
        return v;
    }
    std::uint8_t out_byte(std::size_t offset) {
        std::array<std::byte, 1> b{};
        m.memory().read(kOut + offset, b);
        return static_cast<std::uint8_t>(b[0]);
    }
    std::optional<RuleId> rule() const {
        if (!m.last_diagnostic()) return std::nullopt;
        return m.last_diagnostic()->rule;
    }

    std::vector<std::uint64_t> take_pages(std::uint64_t n) {
        std::vector<std::uint64_t> v;
        for (std::uint64_t i = 0; i < n; ++i) v.push_back(next_pfn++);
        return v;
    }
    // A 2 MiB-aligned run of 512 free pages.
    std::uint64_t take_large_page() {
        next_pfn = (next_pfn + 511) / 512 * 512;
        const std::uint64_t head = next_pfn;
        next_pfn += 512;
        return head;
    }

    hvcall::HypercallResult deposit_pfns(std::uint64_t id, const std::vector<std::uint64_t>& pfns) {
        Bytes in;
        in.at(0, id);
        for (std::size_t i = 0; i < pfns.size(); ++i) in.at(8 + 8 * i, pfns[i]);
        return rep(CallId::deposit_memory, in, static_cast<std::uint32_t>(pfns.size()));
    }
    void deposit(std::uint64_t id, std::uint64_t pages) {
        while (pages > 0) {
            const std::uint64_t n = std::min<std::uint64_t>(pages, 511);
            const auto r = deposit_pfns(id, take_pages(n));
            REQUIRE(r.ok());
            pages -= n;
        }
    }
    hvcall::HypercallResult create_raw(std::uint64_t flags = kSuperPages, std::uint64_t isolation = 0) {
        return raw(CallId::create_partition, Bytes{}.at(0, flags).at(48, isolation));
    }
    std::uint64_t create(std::uint64_t flags = kSuperPages, std::uint64_t isolation = 0) {
        auto r = create_raw(flags, isolation);
        if (r.status() == hvcall::Status::INSUFFICIENT_MEMORY) {
            deposit(kSelf, 1);
            r = create_raw(flags, isolation);
        }
        REQUIRE(r.ok());
        return out_qword();
    }
    // Created, 256 pages deposited (initialization takes 200 by default), initialized.
    std::uint64_t active(std::uint64_t flags = kSuperPages) {
        const std::uint64_t id = create(flags);
        deposit(id, 256);
        REQUIRE(fast(CallId::initialize_partition, id).ok());
        return id;
    }
    // An active partition with VPs 0..vps-1.
    std::uint64_t with_vps(std::uint32_t vps) {
        const std::uint64_t id = active();
        for (std::uint32_t i = 0; i < vps; ++i) REQUIRE(raw(CallId::create_vp, Bytes{}.at(0, id).at(8, i)).ok());
        return id;
    }
    Bytes map_input(std::uint64_t id, std::uint64_t gfn, std::uint32_t flags, const std::vector<std::uint64_t>& pfns) {
        Bytes in;
        in.at(0, id).at(8, gfn).at(16, flags);
        for (std::size_t i = 0; i < pfns.size(); ++i) in.at(24 + 8 * i, pfns[i]);
        return in;
    }
    hvcall::HypercallResult map(std::uint64_t id, std::uint64_t gfn, const std::vector<std::uint64_t>& pfns,
                                std::uint32_t flags = kMapRead | kMapWrite) {
        return rep(CallId::map_gpa_pages, map_input(id, gfn, flags, pfns), static_cast<std::uint32_t>(pfns.size()));
    }
    hvcall::HypercallResult unmap(std::uint64_t id, std::uint64_t gfn, std::uint32_t count, std::uint32_t flags = 0) {
        return rep(CallId::unmap_gpa_pages, Bytes{}.at(0, id).at(8, gfn).at(16, flags), count);
    }
    void check() { CHECK(m.hypervisor().check_invariants() == ""); }

    Machine m;
    std::uint64_t next_pfn = kFirstFreePfn;
};

}  // namespace hvsim::test
