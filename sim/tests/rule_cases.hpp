// Every rule of the catalogue paired with a call that breaks it, over the test matrix:
// memory/fast form x rep start zero/non-zero x strict off/on. The rule tests and the
// rule-coverage test both run this table.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "test_machine.hpp"

namespace hvsim::test {

struct CaseForm {
    bool fast = false;
    std::uint32_t rep_start = 0;  // 0, or a non-zero start where the case has reps
    bool strict = false;
};

std::vector<CaseForm> all_variants();
std::string to_string(const CaseForm& v);

// One issued call: the machine it ran on and what came back.
struct CaseAnswer {
    hvcall::HypercallResult result;
    std::optional<Diagnostic> diagnostic;
    std::vector<Diagnostic> violations;
    std::array<std::uint64_t, kRuleCount> hits{};
};

struct RuleCase {
    RuleId rule;
    std::string_view how;
    bool spec_only_recorded = false;  // the rule shows as a violation (machine proceeds), not a rejection
    // Issues the breaking call for this variant, or nothing when the variant does not apply.
    std::function<std::optional<CaseAnswer>(const CaseForm&)> issue;
};

const std::vector<RuleCase>& rule_cases();

// Families contribute their cases from their own files (rule_cases_<family>.cpp).
using AddCase =
    std::function<void(RuleId, std::string_view, std::function<std::optional<CaseAnswer>(const CaseForm&)>)>;
void add_partition_cases(const AddCase& add);
void add_memory_cases(const AddCase& add);
void add_vp_cases(const AddCase& add);
void add_synic_cases(const AddCase& add);
void add_system_cases(const AddCase& add);
void add_message_cases(const AddCase& add);

inline CaseAnswer capture(Machine& m, hvcall::HypercallResult r) {
    CaseAnswer out{r, m.last_diagnostic(), {m.violations().begin(), m.violations().end()}, {}};
    std::copy(m.rule_hits().begin(), m.rule_hits().end(), out.hits.begin());
    return out;
}

}  // namespace hvsim::test
