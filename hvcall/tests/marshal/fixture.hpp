// hvcall's marshalling run against the model: a strict-mode Machine (input pages poisoned,
// undefined output poisoned) behind SimBackend, with root pages from the model's free RAM.
#pragma once

#include <catch2/catch_test_macros.hpp>

#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/machine.hpp"

namespace hvcall::test {

inline hvsim::MachineConfig strict_config(std::uint64_t ram_bytes = 256ull << 20) {
    hvsim::MachineConfig c;
    c.ram_bytes = ram_bytes;
    c.strict = true;  // the whole marshalling suite runs strict
    c.reject_spec_only = true;
    return c;
}

// Checks the model after every hypercall, as the fuzzers do.
class CheckingBackend final : public Backend {
public:
    explicit CheckingBackend(hvsim::SimBackend& inner) : inner_(inner) {}
    std::span<std::byte, kPageSize> input_page() noexcept override { return inner_.input_page(); }
    std::span<const std::byte, kPageSize> output_page() const noexcept override { return inner_.output_page(); }
    HypercallResult hypercall(Control c) noexcept override { return check(inner_.hypercall(c)); }
    HypercallResult hypercall_fast(Control c, std::uint64_t rdx, std::uint64_t r8) noexcept override {
        return check(inner_.hypercall_fast(c, rdx, r8));
    }
    HypercallResult hypercall_fast_xmm(Control c, XmmRegisters& regs) noexcept override {
        return check(inner_.hypercall_fast_xmm(c, regs));
    }
    PlacedCall hypercall_at(Control c, std::uint64_t input_gpa, std::span<const std::byte> input,
                            std::uint64_t output_gpa, std::span<std::byte> output) noexcept override {
        PlacedCall placed = inner_.hypercall_at(c, input_gpa, input, output_gpa, output);
        placed.result = check(placed.result);
        return placed;
    }
    std::string first_broken;  // the first invariant report, empty while all held
    std::uint64_t calls = 0;

private:
    HypercallResult check(HypercallResult r) {
        ++calls;
        if (first_broken.empty()) first_broken = inner_.machine().hypervisor().check_invariants();
        return r;
    }
    hvsim::SimBackend& inner_;
};

struct Sim {
    explicit Sim(hvsim::MachineConfig config = strict_config(), hvsim::FaultPlan plan = {})
        : machine(std::move(config), std::move(plan)), sim(machine), backend(sim), pages(machine) {
        REQUIRE(get_partition_id(backend, self) == 0);
    }
    hvsim::Hypervisor& hv() { return machine.hypervisor(); }
    std::uint64_t create(std::uint64_t flags = creation_flags::always | creation_flags::gpa_super_pages_enabled) {
        std::uint64_t id = 0;
        CreatePartitionArgs args;
        args.flags = flags;
        REQUIRE(create_partition(backend, pages, args, self, id) == 0);
        return id;
    }
    std::uint64_t active() {
        const std::uint64_t id = create();
        REQUIRE(initialize_partition(backend, pages, id) == 0);
        return id;
    }
    // An active partition with these VPs.
    std::uint64_t active_with_vps(std::initializer_list<std::uint32_t> vps) {
        const std::uint64_t id = active();
        for (std::uint32_t vp : vps) REQUIRE(create_vp(backend, pages, id, vp, self) == 0);
        return id;
    }
    // Free pages for mapping, from the lower half of RAM (the page source owns the upper half).
    std::vector<std::uint64_t> ram(std::uint64_t n) {
        std::vector<std::uint64_t> v;
        for (std::uint64_t i = 0; i < n; ++i) v.push_back(next_ram++);
        return v;
    }
    std::vector<std::uint64_t> large_heads(std::uint64_t n) {
        next_ram = (next_ram + 511) / 512 * 512;
        std::vector<std::uint64_t> v;
        for (std::uint64_t i = 0; i < n; ++i, next_ram += 512) v.push_back(next_ram);
        return v;
    }
    // The rule behind the model's last rejection, to show which check an errno came from.
    std::optional<hvsim::RuleId> last_rule() const {
        const auto& d = machine.last_diagnostic();
        return d ? std::optional(d->rule) : std::nullopt;
    }
    // Invariants held after every call, and no spec-only rule (reserved field, padding) ever
    // fired: with strict mode's poisoned pages, a field hvcall forgot would have.
    void check_clean() {
        CHECK(backend.first_broken == "");
        for (const auto& r : hvsim::kRules)
            if (r.strength == hvsim::Strength::SpecOnly) {
                INFO(r.id);
                CHECK(machine.rule_hits()[static_cast<std::size_t>(r.rule)] == 0);
            }
    }

    hvsim::Machine machine;
    hvsim::SimBackend sim;
    CheckingBackend backend;
    hvsim::HostPageSource pages;
    std::uint64_t self = 0;
    std::uint64_t next_ram = 0x1000;  // 16 MiB: above the per-CPU pages
};

}  // namespace hvcall::test
