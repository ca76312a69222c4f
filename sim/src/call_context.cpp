// CallContext's ends of a call, and CallJournal's judgement of a broken rule.
#include "hvsim/call_context.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace hvsim {

bool CallJournal::breach(const Diagnostic& d, bool reject_spec_only) noexcept {
    ++rule_hits[static_cast<std::size_t>(d.rule)];
    if (d.info().strength == Strength::Enforced || reject_spec_only) {
        last = d;
        return true;
    }
    const bool seen =
        std::any_of(violations.begin(), violations.end(), [&](const Diagnostic& v) { return v.rule == d.rule; });
    if (!seen) violations.push_back(d);  // within the capacity reserved for every rule
    return false;
}

Outcome CallContext::reject(EnforcedRule rule, Site site, std::uint32_t offset, std::uint64_t value,
                            std::uint64_t bits) noexcept {
    const auto o = violation(rule.rule(), site, offset, value, bits);
    return o ? *o : Outcome{rule_info(rule.rule()).status};  // enforced: o always holds
}

std::optional<Outcome> CallContext::violation(RuleId rule, Site site, std::uint32_t offset, std::uint64_t value,
                                              std::uint64_t bits) noexcept {
    const Diagnostic d{rule, rule_info(rule).status, site, offset, value, bits};
    if (!model_.journal.breach(d, model_.config.reject_spec_only)) return std::nullopt;
    return Outcome{d.status};
}

void CallContext::outside_block(bool input, std::size_t offset, std::size_t size) const noexcept {
    const char* which = input ? "input" : "output";
    std::fprintf(stderr,
                 "hvsim: precondition failed: %.*s handler %s %zu bytes at %s offset %zu, outside its %zu-byte %s "
                 "block\n",
                 static_cast<int>(call_.name.size()), call_.name.data(), input ? "reads" : "writes", size, which,
                 offset, input ? input_.size() : output_.size(), which);
    std::abort();
}

}  // namespace hvsim
