// Every catalogued rule, each over the matrix memory/fast x rep start 0/non-zero x strict
// off/on, asserting the status and the rule id; then coverage of the catalogue, measured.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>

#include "rule_cases.hpp"

using namespace hvsim;
using namespace hvsim::test;

namespace {

void check_case(const RuleCase& c, const CaseForm& v, const CaseAnswer& got) {
    const RuleInfo& rule = rule_info(c.rule);
    INFO("rule " << rule.id << " (" << c.how << "), " << to_string(v));
    if (c.spec_only_recorded) {
        const bool seen = std::any_of(got.violations.begin(), got.violations.end(),
                                      [&](const Diagnostic& d) { return d.rule == c.rule; });
        CHECK(seen);
        return;
    }
    REQUIRE(got.diagnostic.has_value());
    CHECK(got.diagnostic->rule == c.rule);
    CHECK(got.result.status() == got.diagnostic->status);
    if (c.rule != RuleId::fault_injected_status) CHECK(got.result.status() == rule.status);
    CHECK_FALSE(got.result.ok());
    CHECK(got.result.reserved_bits() == 0);
}

}  // namespace

TEST_CASE("each generic rule rejects with its status and names itself, across the matrix", "[rules]") {
    for (const RuleCase& c : rule_cases()) {
        int applied = 0;
        for (const CaseForm& v : all_variants()) {
            const auto got = c.issue(v);
            if (!got) continue;
            ++applied;
            check_case(c, v, *got);
        }
        INFO("rule " << rule_info(c.rule).id);
        CHECK(applied >= 2);  // at least strict off and on
    }
}

TEST_CASE("every catalogued rule is exercised, as measured by the machine's rule counters", "[rules][coverage]") {
    std::array<std::uint64_t, kRuleCount> fired{};
    for (const RuleCase& c : rule_cases())
        for (const CaseForm& v : all_variants())
            if (const auto got = c.issue(v)) {
                // Count only the rule the case aims at, so one case cannot cover another by accident.
                fired[static_cast<std::size_t>(c.rule)] += got->hits[static_cast<std::size_t>(c.rule)];
            }
    for (const RuleInfo& r : kRules) {
        INFO("rule " << r.id << " is not exercised by any case in sim/tests/rule_cases.cpp");
        CHECK(fired[static_cast<std::size_t>(r.rule)] > 0);
    }
}

TEST_CASE("the rule catalogue is well formed", "[rules]") {
    for (const RuleInfo& r : kRules) {
        INFO(r.id);
        CHECK(r.id.find('.') != std::string_view::npos);
        CHECK_FALSE(r.statement.empty());
        CHECK_FALSE(r.source.empty());
        CHECK(find_rule(r.id) == &r);
    }
    CHECK(find_rule("no.such_rule") == nullptr);
}
