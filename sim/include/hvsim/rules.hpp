// The rule catalogue, expanded from rules.def. Every rejection the model makes names one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hvcall/status.hpp"

namespace hvsim {

enum class Strength : std::uint8_t { Enforced, SpecOnly };

enum class RuleId : std::uint16_t {
#define HV_RULE(ident, id, status, strength, statement, source) ident,
#include "hvsim/rules.def"
#undef HV_RULE
};

struct RuleInfo {
    RuleId rule;
    std::string_view id;
    hvcall::Status status;
    Strength strength;
    std::string_view statement;
    std::string_view source;
};

inline constexpr std::array kRules = {
#define HV_RULE(ident, id, status, strength, statement, source) \
    RuleInfo{RuleId::ident, id, hvcall::Status::status, Strength::strength, statement, source},
#include "hvsim/rules.def"
#undef HV_RULE
};

inline constexpr std::size_t kRuleCount = kRules.size();

[[nodiscard]] constexpr const RuleInfo& rule_info(RuleId r) noexcept { return kRules[static_cast<std::size_t>(r)]; }

[[nodiscard]] constexpr const RuleInfo* find_rule(std::string_view id) noexcept {
    for (const auto& r : kRules)
        if (r.id == id) return &r;
    return nullptr;
}

[[nodiscard]] constexpr std::string_view to_string(Strength s) noexcept {
    return s == Strength::Enforced ? "enforced" : "spec-only";
}

// An enforced rule, checked at compile time: the `reject` functions take only these, so no
// call site can end a call on a spec-only rule. Those go through `violation`, where the
// machine decides from the catalogue (Machine::breach).
class EnforcedRule {
public:
    // Implicit, so `reject(RuleId::x, ...)` reads as a rule id; a spec-only x does not compile.
    consteval EnforcedRule(RuleId r) : rule_(r) {  // NOLINT(google-explicit-constructor)
        if (rule_info(r).strength != Strength::Enforced) spec_only_rule_cannot_reject_use_violation();
    }
    [[nodiscard]] constexpr RuleId rule() const noexcept { return rule_; }

private:
    // Never defined: reaching it in the constructor above is the compile error, named for the fix.
    static void spec_only_rule_cannot_reject_use_violation();
    RuleId rule_;
};

namespace rule_checks {
constexpr bool ids_unique_and_in_order() {
    for (std::size_t i = 0; i < kRules.size(); ++i) {
        if (static_cast<std::size_t>(kRules[i].rule) != i) return false;
        for (std::size_t j = i + 1; j < kRules.size(); ++j)
            if (kRules[i].id == kRules[j].id) return false;
    }
    return true;
}
// A rule rejects with an error; only the injected-status rule takes its status from the plan.
constexpr bool rejections_are_errors() {
    for (const auto& r : kRules)
        if (r.status == hvcall::Status::SUCCESS && r.rule != RuleId::fault_injected_status) return false;
    return true;
}
static_assert(ids_unique_and_in_order(), "rules.def: duplicate rule id");
static_assert(rejections_are_errors(), "rules.def: a rule that rejects with SUCCESS");
}  // namespace rule_checks

}  // namespace hvsim
