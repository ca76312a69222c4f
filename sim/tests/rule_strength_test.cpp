// Only the catalogue decides what a broken rule does: every rule, reported by a handler or by
// the machine's generic checks, takes the path its strength gives it, in both machine modes.
// (That reject() does not even compile with a spec-only rule is sim.reject_takes_enforced_rules_only.)
#include <catch2/catch_test_macros.hpp>

#include <cstring>

#include "test_machine.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Control;
using hvcall::Status;

namespace {

constexpr std::uint64_t kIn = kScratch;
constexpr std::uint64_t kOut = kScratch + hvcall::kPageSize;

// Reports the rule whose index is the input's first u16 through violation(), as a handler
// checking a reserved field does, and succeeds when told to go on.
Outcome report_rule_from_input(CallContext& ctx) {
    const auto rule = static_cast<RuleId>(ctx.in<std::uint16_t>(0));
    if (auto o = ctx.violation(rule, Site::input, 0, 1, 1)) return *o;
    return Outcome::ok();
}

struct Seen {
    hvcall::HypercallResult result;
    std::optional<Diagnostic> diagnostic;
    std::vector<Diagnostic> violations;
    std::uint64_t hits = 0;
};

Seen seen(Machine& m, hvcall::HypercallResult r, RuleId rule) {
    return {r,
            m.last_diagnostic(),
            {m.violations().begin(), m.violations().end()},
            m.rule_hits()[static_cast<std::size_t>(rule)]};
}

// What the catalogue says must happen to a call that broke `rule`.
void check_path(const Seen& s, RuleId rule, bool reject_spec_only) {
    const RuleInfo& info = rule_info(rule);
    INFO("rule " << info.id << " (" << to_string(info.strength) << "), reject_spec_only " << reject_spec_only);
    CHECK(s.hits == 1);
    if (info.strength == Strength::Enforced || reject_spec_only) {
        CHECK(s.result.status() == info.status);
        REQUIRE(s.diagnostic.has_value());
        CHECK(s.diagnostic->rule == rule);
        CHECK(s.violations.empty());
    } else {
        CHECK(s.result.ok());
        CHECK_FALSE(s.diagnostic.has_value());
        REQUIRE(s.violations.size() == 1);
        CHECK(s.violations[0].rule == rule);
    }
}

}  // namespace

TEST_CASE("a handler's broken rule rejects or records as its strength and the machine mode say", "[rules]") {
    for (const bool reject_spec_only : {false, true}) {
        auto m = make_machine(false, reject_spec_only);
        m.hypervisor().set_handler(CallId::initialize_partition, {.simple = report_rule_from_input});
        for (const RuleInfo& r : kRules) {
            if (r.rule == RuleId::fault_injected_status) continue;  // its status is the plan's, SUCCESS in the table
            const auto index = static_cast<std::uint16_t>(r.rule);
            const auto before = m.rule_hits()[static_cast<std::size_t>(r.rule)];
            std::array<std::byte, 8> in{};
            std::memcpy(in.data(), &index, sizeof index);
            m.memory().write(kIn, in);
            const auto result = m.call(0, word(code_of(CallId::initialize_partition)), kIn, kOut);
            Seen s = seen(m, result, r.rule);
            s.hits -= before;
            check_path(s, r.rule, reject_spec_only);
        }
    }
}

TEST_CASE("the machine's generic spec-only rules take the same path", "[rules]") {
    const auto nested = Control::from_raw(code_of(CallId::get_partition_id) | Control::kNestedBit);
    // A memory-only call whose 16 input bytes and no output fit the fast registers (stubbed below).
    const auto fast_memory_only = Control::from_raw(code_of(CallId::unmap_vp_state_page) | Control::kFastBit);
    const auto xmm_not_allowed = Control::from_raw(word(code_of(CallId::map_gpa_pages), 1).raw() | Control::kFastBit);
    for (const bool reject_spec_only : {false, true}) {
        {
            auto m = make_machine(false, reject_spec_only);
            check_path(seen(m, m.call(0, nested, 0, kOut), RuleId::control_nested), RuleId::control_nested,
                       reject_spec_only);
        }
        {
            auto m = make_machine(false, reject_spec_only);
            m.hypervisor().set_handler(CallId::unmap_vp_state_page, {.simple = stub_simple});
            hvcall::XmmRegisters regs{};
            check_path(seen(m, m.call_fast_xmm(0, fast_memory_only, regs), RuleId::control_fast_not_allowed),
                       RuleId::control_fast_not_allowed, reject_spec_only);
        }
        {
            // No catalogued call has a register-only fast form and more than 16 input bytes, so
            // this one also breaks control.fast_not_allowed, which comes first.
            auto m = make_machine(false, reject_spec_only);
            hvcall::XmmRegisters regs{};
            const auto r = m.call_fast_xmm(0, xmm_not_allowed, regs);
            if (reject_spec_only) {
                check_path(seen(m, r, RuleId::control_fast_not_allowed), RuleId::control_fast_not_allowed, true);
            } else {
                CHECK(r.ok());
                REQUIRE(m.violations().size() == 2);
                CHECK(m.violations()[1].rule == RuleId::fast_xmm_not_allowed);
            }
        }
        {
            auto m = make_machine(false, reject_spec_only);
            check_path(seen(m, m.call(0, word(code_of(CallId::get_vp_registers), 1), kIn, kIn),
                            RuleId::gpa_input_output_overlap),
                       RuleId::gpa_input_output_overlap, reject_spec_only);
        }
        {
            // An enforced generic rule rejects whatever the mode.
            auto m = make_machine(false, reject_spec_only);
            const auto reserved = Control::from_raw(code_of(CallId::get_partition_id) | (1ull << 27));
            check_path(seen(m, m.call(0, reserved, 0, kOut), RuleId::control_reserved_bits),
                       RuleId::control_reserved_bits, reject_spec_only);
        }
    }
}

TEST_CASE("a rule broken many times in one call is one violation, the first", "[rules]") {
    auto m = make_machine(false, /*reject_spec_only=*/false);
    m.hypervisor().set_handler(CallId::withdraw_memory,
                               {.element = [](CallContext& ctx, const RepHeader&, std::uint32_t i) -> Outcome {
                                   if (auto o = ctx.violation(RuleId::control_nested, Site::input, i, i)) return *o;
                                   return Outcome::ok();
                               }});
    const auto r = m.call(0, word(code_of(CallId::withdraw_memory), 100), kIn, kOut);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 100);
    REQUIRE(m.violations().size() == 1);
    CHECK(m.violations()[0].offset == 0);
    CHECK(m.rule_hits()[static_cast<std::size_t>(RuleId::control_nested)] == 100);
}
