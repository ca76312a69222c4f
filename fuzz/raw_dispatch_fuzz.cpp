// Property: any control word, registers and input bytes give a well-formed result word
// (reserved bits zero, reps completed within the rep count), every non-success names a
// catalogued rule with that status, and the model's invariants hold after every call.
#include <cstdio>
#include <cstdlib>

#include "domains.hpp"
#include "hvsim/machine.hpp"

namespace {

using hvcall::Control;
using hvcall::HypercallResult;

// Budgets: calls per input keep one execution short; the input block is one page at most.
constexpr int kMaxCalls = 16;

[[noreturn]] void fail(const char* what, std::uint64_t control, std::uint64_t result, const std::string& more = {}) {
    std::fprintf(stderr, "raw_dispatch: %s (control 0x%016llx, result 0x%016llx) %s\n", what,
                 static_cast<unsigned long long>(control), static_cast<unsigned long long>(result), more.c_str());
    std::abort();
}

void check(const hvsim::Machine& m, Control c, HypercallResult r) {
    if (r.reserved_bits() != 0) fail("reserved result bits set", c.raw(), r.raw());
    if (r.reps_completed() > c.rep_count()) fail("reps completed above the rep count", c.raw(), r.raw());
    if (!r.ok()) {
        const auto& d = m.last_diagnostic();
        if (!d) fail("failure without a diagnostic", c.raw(), r.raw());
        if (d->status != r.status()) fail("diagnostic status differs from the result", c.raw(), r.raw());
        if (d->rule != hvsim::RuleId::fault_injected_status && hvsim::rule_info(d->rule).status != r.status())
            fail("rule status differs from the result", c.raw(), r.raw(), std::string(d->info().id));
    } else if (m.last_diagnostic()) {
        fail("success with a rejection diagnostic", c.raw(), r.raw());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hvsim::fuzz::Bytes in(data, size);
    hvsim::MachineConfig config;
    config.ram_bytes = 16ull << 20;  // small RAM: a fresh machine per input stays cheap
    const std::uint8_t flags = in.take<std::uint8_t>();
    config.strict = (flags & 1) != 0;
    config.reject_spec_only = (flags & 2) == 0;
    config.hypervisor_restarts_reps = (flags & 4) != 0;
    hvsim::FaultPlan plan;
    if ((flags & 8) != 0) {
        plan.seed = in.take<std::uint8_t>();
        plan.early_end_per_mille = in.below(1001);
    }
    hvsim::Machine m(config, plan);

    for (int n = 0; n < kMaxCalls && !in.empty(); ++n) {
        const auto c = Control::from_raw(in.take<std::uint64_t>());
        const std::uint8_t form = in.take<std::uint8_t>();
        hvcall::HypercallResult r;
        if (c.fast() || (form & 1) != 0) {
            hvcall::XmmRegisters regs{};
            for (auto& q : regs) q = in.take<std::uint64_t>();
            r = m.call_fast_xmm(form >> 7, c, regs);
        } else {
            // Input bytes at an offset into the page; the output GPA anywhere near it.
            const std::uint32_t offset = in.below(hvcall::kPageSize);
            const auto bytes = in.chunk(in.below(hvcall::kPageSize - offset + 1));
            auto page = m.input_page(0);
            std::memcpy(page.data() + offset, bytes.data(), bytes.size());
            const std::uint64_t out = (form & 2) != 0 ? m.output_page_gpa(0) + in.below(hvcall::kPageSize)
                                                      : in.take<std::uint64_t>() % (config.ram_bytes + 0x10000);
            r = m.call(0, c, m.input_page_gpa(0) + offset, out);
        }
        check(m, c, r);
        if (const std::string broken = m.hypervisor().check_invariants(); !broken.empty())
            fail("model invariant broken", c.raw(), r.raw(), broken);
    }
    return 0;
}
