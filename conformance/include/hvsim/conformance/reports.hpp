// What a run tells people and CI: the console summary, JUnit XML, and the rule-coverage
// matrix (calls x rules) as Markdown or self-contained HTML.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "hvsim/conformance/runner.hpp"

namespace hvsim::conformance {

// Counts, every failure (step, expected vs got, the model's diagnostic), skips, coverage.
void print_summary(std::ostream& out, const Report& report, const std::string& title);

void write_junit(std::ostream& out, const Report& report, const std::string& suite_name);
void write_markdown(std::ostream& out, const Report& report, const std::string& title);
void write_html(std::ostream& out, const Report& report, const std::string& title);

// Text for XML attributes and content (&, <, >, " escaped); JUnit writers share it.
[[nodiscard]] std::string xml_escape(std::string_view s);

// The catalogued rules no passing step exercised, by id.
[[nodiscard]] std::vector<std::string> uncovered_rules(const Report& report);

}  // namespace hvsim::conformance
