// Where the reference driver has a flaw the model can show, run a faithful re-creation of it
// (reference_driver.hpp) and hvcall on the same model and compare what is left behind.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <array>
#include <cstring>

#include "fixture.hpp"
#include "reference_driver.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

constexpr std::uint32_t kRW = map_flags::readable | map_flags::writable;

// Spec-only rules recorded, not rejected, so each flaw shows by itself (strict stays on).
hvsim::MachineConfig recording(std::uint64_t ram = 256ull << 20) {
    auto c = strict_config(ram);
    c.reject_spec_only = false;
    return c;
}

// Fails the `nth` map call (0-based) that reaches its handler.
hvsim::FaultPlan fail_map_call(std::uint64_t nth) {
    hvsim::FaultPlan plan;
    plan.statuses.push_back({info(CallId::map_gpa_pages).code, nth, Status::OPERATION_FAILED});
    return plan;
}

// A page source whose first allocation is scripted, to put a bad page into a deposit.
class Scripted final : public HostPages {
public:
    Scripted(HostPages& inner, std::vector<std::uint64_t> first) : inner_(inner), first_(std::move(first)) {}
    std::size_t allocate(std::span<std::uint64_t> out) noexcept override {
        if (first_.empty()) return inner_.allocate(out);
        const std::size_t n = std::min(out.size(), first_.size());
        std::copy_n(first_.begin(), n, out.begin());
        first_.clear();
        return n;
    }
    void release(std::span<const std::uint64_t> pfns) noexcept override {
        released.insert(released.end(), pfns.begin(), pfns.end());
        inner_.release(pfns);
    }
    bool is_ram(std::uint64_t pfn, std::uint64_t count) const noexcept override { return inner_.is_ram(pfn, count); }
    std::vector<std::uint64_t> released;

private:
    HostPages& inner_;
    std::vector<std::uint64_t> first_;
};

}  // namespace

TEST_CASE("flaw: a 2 MiB rollback count passed as a 4 KiB count leaves the mapping behind", "[flaw][rollback]") {
    // 600 large pages: batch 1 maps 509, batch 2's call fails. done = 509 (2 MiB pages).
    auto run = [](bool use_reference) {
        Sim s(recording(3ull << 30), fail_map_call(1));
        const auto id = s.active();
        REQUIRE(deposit_memory(s.backend, s.pages, id, 8) == 0);  // table pages for 2 x 1 GiB blocks
        const auto heads = s.large_heads(600);
        int error = 0;
        if (use_reference) {
            std::vector<std::uint64_t> page_array(600 * 512);  // one entry per 4 KiB page
            for (std::size_t i = 0; i < heads.size(); ++i) page_array[i * 512] = heads[i];
            error = reference::map_gpa_pages(s.backend, s.pages, id, 0, page_array.size(), kRW | map_flags::large_page,
                                             page_array);
        } else {
            error = map_gpa_pages(s.backend, s.pages, id, 0, 600 * 512, kRW | map_flags::large_page, heads).error;
        }
        CHECK(error == -EIO);
        CHECK(s.backend.first_broken == "");
        return s.hv().partition(id)->gpa_pages;
    };
    // The driver's rollback asks to unmap 509 "4 KiB pages" with LARGE_PAGE: not a multiple of
    // 512, so its own check refuses and all 509 x 2 MiB stay mapped.
    CHECK(run(true) == 509 * 512);
    CHECK(run(false) == 0);
}

TEST_CASE("flaw: reps completed by the failing call are not rolled back", "[flaw][rollback]") {
    auto run = [](bool use_reference) {
        hvsim::FaultPlan plan = fail_map_call(1);
        plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, 100});  // the first call stops after 100 reps
        Sim s(recording(), plan);
        const auto id = s.active();
        const auto pfns = s.ram(300);
        const int error = use_reference ? reference::map_gpa_pages(s.backend, s.pages, id, 0, 300, kRW, pfns)
                                        : map_gpa_pages(s.backend, s.pages, id, 0, 300, kRW, pfns).error;
        CHECK(error == -EIO);
        return s.hv().partition(id)->gpa_pages;
    };
    CHECK(run(true) == 100);  // done was still 0 when the resumed call failed
    CHECK(run(false) == 0);
}

TEST_CASE("flaw: map and unmap leave the header padding as the page held it", "[flaw][padding]") {
    Sim s(recording());
    const auto id = s.active();
    const auto pfns = s.ram(2);
    REQUIRE(reference::map_gpa_pages(s.backend, s.pages, id, 0, 2, kRW, pfns) == 0);
    CHECK(s.machine.rule_hits()[static_cast<std::size_t>(hvsim::RuleId::map_gpa_pages_padding_nonzero)] == 1);
    REQUIRE(reference::unmap_gpa_pages(s.backend, id, 0, 2, 0) == 0);
    CHECK(s.machine.rule_hits()[static_cast<std::size_t>(hvsim::RuleId::unmap_gpa_pages_padding_nonzero)] == 1);
    // hvcall builds each header zeroed: no violation on the same calls.
    REQUIRE(map_gpa_pages(s.backend, s.pages, id, 0, 2, kRW, pfns).ok());
    REQUIRE(unmap_gpa_pages(s.backend, id, 0, 2, 0).ok());
    CHECK(s.machine.rule_hits()[static_cast<std::size_t>(hvsim::RuleId::map_gpa_pages_padding_nonzero)] == 1);
    CHECK(s.machine.rule_hits()[static_cast<std::size_t>(hvsim::RuleId::unmap_gpa_pages_padding_nonzero)] == 1);
}

namespace {

// Every hypercall's recorded violations, by call: Machine::violations() holds only the last call's.
class ViolationLog final : public Backend {
public:
    explicit ViolationLog(hvsim::SimBackend& inner) : inner_(inner) {}
    std::span<std::byte, kPageSize> input_page() noexcept override { return inner_.input_page(); }
    std::span<const std::byte, kPageSize> output_page() const noexcept override { return inner_.output_page(); }
    HypercallResult hypercall(Control c) noexcept override { return log(c, inner_.hypercall(c)); }
    HypercallResult hypercall_fast(Control c, std::uint64_t rdx, std::uint64_t r8) noexcept override {
        return log(c, inner_.hypercall_fast(c, rdx, r8));
    }
    HypercallResult hypercall_fast_xmm(Control c, XmmRegisters& regs) noexcept override {
        return log(c, inner_.hypercall_fast_xmm(c, regs));
    }
    PlacedCall hypercall_at(Control c, std::uint64_t input_gpa, std::span<const std::byte> input,
                            std::uint64_t output_gpa, std::span<std::byte> output) noexcept override {
        PlacedCall placed = inner_.hypercall_at(c, input_gpa, input, output_gpa, output);
        placed.result = log(c, placed.result);
        return placed;
    }
    // The rules recorded as violations by calls of `id`, once each.
    std::vector<hvsim::RuleId> of(CallId id) const {
        std::vector<hvsim::RuleId> out;
        for (const auto& [code, rule] : seen)
            if (code == info(id).code && std::find(out.begin(), out.end(), rule) == out.end()) out.push_back(rule);
        return out;
    }
    std::vector<std::pair<std::uint16_t, hvsim::RuleId>> seen;

private:
    HypercallResult log(Control c, HypercallResult r) {
        for (const auto& d : inner_.machine().violations()) seen.emplace_back(c.code(), d.rule);
        return r;
    }
    hvsim::SimBackend& inner_;
};

}  // namespace

// The upstream driver fills map and unmap headers field by field: the u32 after the flags keeps
// what the previous call left at input offset 20 (here the second register name of a
// get_vp_registers). Hyper-V runs that driver, so the model must too, and still say so.
TEST_CASE("stale map/unmap padding from the previous call: proceeds and is reported by default, rejects on request",
          "[flaw][padding][spec_only]") {
    for (const bool reject_spec_only : {false, true}) {
        INFO("reject_spec_only " << reject_spec_only);
        hvsim::MachineConfig config;  // the defaults but for RAM: not strict, so the page keeps real bytes
        config.ram_bytes = 256ull << 20;
        if (reject_spec_only) config.reject_spec_only = true;  // else as a new machine has it
        hvsim::Machine machine(config);
        hvsim::SimBackend sim(machine);
        ViolationLog backend(sim);
        hvsim::HostPageSource pages(machine);

        std::uint64_t self = 0, id = 0;
        REQUIRE(get_partition_id(backend, self) == 0);
        CreatePartitionArgs args;
        args.flags = creation_flags::always;
        REQUIRE(create_partition(backend, pages, args, self, id) == 0);
        REQUIRE(initialize_partition(backend, pages, id) == 0);
        REQUIRE(create_vp(backend, pages, id, 0, self) == 0);
        const std::array<std::uint32_t, 2> names{0x20000, 0x20001};  // RAX, RCX: names[1] lands at offset 20
        std::array<RegisterValue, 2> values{};
        REQUIRE(get_vp_registers(backend, id, 0, names, values).ok());
        std::uint32_t stale = 0;
        std::memcpy(&stale, backend.input_page().data() + 20, sizeof stale);
        REQUIRE(stale == names[1]);

        const std::vector<std::uint64_t> pfns{0x3000, 0x3001};
        const int mapped = reference::map_gpa_pages(backend, pages, id, 0x100, 2, kRW, pfns);
        if (!reject_spec_only) {
            CHECK(mapped == 0);
            CHECK(machine.hypervisor().gpa_mapping(id, 0x101).has_value());
            CHECK(backend.of(CallId::map_gpa_pages) == std::vector{hvsim::RuleId::map_gpa_pages_padding_nonzero});
            CHECK_FALSE(machine.last_diagnostic().has_value());
            // Unmap's padding sits at the same offset and still holds the register name.
            CHECK(reference::unmap_gpa_pages(backend, id, 0x100, 2, 0) == 0);
            CHECK_FALSE(machine.hypervisor().gpa_mapping(id, 0x101).has_value());
            CHECK(backend.of(CallId::unmap_gpa_pages) == std::vector{hvsim::RuleId::unmap_gpa_pages_padding_nonzero});
        } else {
            CHECK(mapped == -EINVAL);
            REQUIRE(machine.last_diagnostic().has_value());
            CHECK(machine.last_diagnostic()->rule == hvsim::RuleId::map_gpa_pages_padding_nonzero);
            CHECK(machine.last_diagnostic()->offset == 20);
            CHECK(machine.last_diagnostic()->value == names[1]);
            CHECK_FALSE(machine.hypervisor().gpa_mapping(id, 0x100).has_value());
            CHECK(backend.seen.empty());
        }
    }
}

TEST_CASE("flaw: a failed deposit frees pages the hypervisor already took, and returns a raw status",
          "[flaw][deposit]") {
    auto run = [](bool use_reference) {
        Sim s;
        const auto id = s.create();
        auto good = s.ram(3);
        const std::uint64_t bad = s.machine.input_page_gpa(0) / kPageSize;  // a hypercall page: OPERATION_DENIED
        Scripted pages(s.pages, {good[0], good[1], bad, good[2]});
        const int error =
            use_reference ? reference::deposit_pages(s.backend, pages, id, 4) : deposit_memory(s.backend, pages, id, 4);
        // The allocator now believes it owns every released page; the model says who really does.
        std::size_t owned_by_hypervisor = 0;
        for (auto pfn : pages.released)
            if (s.hv().pfn_state(pfn).owner == hvsim::PfnOwner::deposited) ++owned_by_hypervisor;
        return std::pair{error, owned_by_hypervisor};
    };
    const auto [ref_error, ref_double] = run(true);
    CHECK(ref_error == static_cast<int>(Status::OPERATION_DENIED));  // positive: indistinguishable from an fd
    CHECK(ref_double == 2);                                          // pages 0 and 1: deposited and "free"
    const auto [error, doubled] = run(false);
    CHECK(error == -EIO);
    CHECK(doubled == 0);
}

TEST_CASE("flaw: the driver's in-loop page index check can never fire; hvcall checks the list up front",
          "[flaw][index_check]") {
    // A backend that completes every rep, with time-slice ends, so only the marshalling runs.
    struct Completing final : Backend {
        std::array<std::byte, kPageSize> in{}, out{};
        std::uint32_t slice = 1;
        std::span<std::byte, kPageSize> input_page() noexcept override { return in; }
        std::span<const std::byte, kPageSize> output_page() const noexcept override { return out; }
        HypercallResult hypercall(Control c) noexcept override {
            slice = slice % 97 + 13;
            return HypercallResult::make(Status::SUCCESS, std::min(c.rep_count(), c.rep_start() + slice));
        }
        HypercallResult hypercall_fast(Control, std::uint64_t, std::uint64_t) noexcept override { return {}; }
        HypercallResult hypercall_fast_xmm(Control, XmmRegisters&) noexcept override { return {}; }
        PlacedCall hypercall_at(Control, std::uint64_t, std::span<const std::byte>, std::uint64_t,
                                std::span<std::byte>) noexcept override {
            return {};
        }
    } backend;
    struct NoPages final : HostPages {
        std::size_t allocate(std::span<std::uint64_t>) noexcept override { return 0; }
        void release(std::span<const std::uint64_t>) noexcept override {}
        bool is_ram(std::uint64_t, std::uint64_t) const noexcept override { return false; }
    } none;
    int fired = 0;
    std::vector<std::uint64_t> array(8 * 512 + 2000, 7);
    for (std::uint64_t count = 1; count <= 2000; ++count)
        CHECK(reference::map_gpa_pages(backend, none, 1, 0, count, kRW, std::span(array).first(count), &fired) == 0);
    for (std::uint64_t large = 1; large <= 8; ++large)
        CHECK(reference::map_gpa_pages(backend, none, 1, 0, large * 512, kRW | map_flags::large_page,
                                       std::span(array).first(large * 512), &fired) == 0);
    CHECK(fired == 0);

    // hvcall bounds the list by its span before issuing anything.
    Sim s;
    const auto id = s.active();
    const auto calls = s.backend.calls;
    CHECK(map_gpa_pages(s.backend, s.pages, id, 0, 1024, kRW, s.ram(600)).error == -EINVAL);
    CHECK(s.backend.calls == calls);
    CHECK(s.hv().gpa_extents(id).empty());
}
