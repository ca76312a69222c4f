// `hvsim kernel audit TREE`, and its part in `kernel check`: the header audit's findings
// printed, as JSON and as JUnit.
#pragma once

#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "hvsim/kernel/audit.hpp"

namespace CLI {
class App;
}

namespace hvsim::cli {

// The audit of the tree at `root`; a tree it cannot use is a UsageError naming `verb`.
[[nodiscard]] kernel::AuditReport run_audit(const std::string& verb, const kernel::Tree& tree, const std::string& cc);
[[nodiscard]] nlohmann::json audit_json(const kernel::AuditReport& r);
void print_audit(const std::string& tree, const kernel::AuditReport& r, std::ostream& out);
// JUnit test cases: one per kind of check, failing with its findings.
[[nodiscard]] std::string audit_junit_cases(const kernel::AuditReport& r, std::size_t& tests, std::size_t& failures);
[[nodiscard]] std::string_view audit_advice(std::string_view id);

void add_kernel_audit(CLI::App& kernel);

}  // namespace hvsim::cli
