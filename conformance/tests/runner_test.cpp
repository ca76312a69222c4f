// The runner's own checks: the typed registry covers hvcall, every implemented call has a
// suite file, and the built-in suite exercises every catalogued rule, measured by running it.
#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "hvsim/conformance/reports.hpp"
#include "hvsim/conformance/runner.hpp"
#include "hvsim/conformance/suite.hpp"
#include "hvsim/conformance/typed_calls.hpp"
#include "hvsim/hypervisor.hpp"

namespace conf = hvsim::conformance;

namespace {

// not_yet_covered.txt: "rule ID", "suite CALL" and "typed FUNCTION" lines; an entry that is no longer needed
// fails the test too, so the list only ever shrinks.
std::set<std::string> allowed(const std::string& kind) {
    std::ifstream in(HVSIM_ALLOWLIST);
    std::set<std::string> out;
    std::string k, v;
    while (in >> k) {
        if (k.starts_with("#")) {
            std::getline(in, v);
            continue;
        }
        in >> v;
        if (k == kind) out.insert(v);
    }
    return out;
}

}  // namespace

TEST_CASE("every marshalling function in hvcall/calls has a typed adapter", "[runner]") {
    const std::regex decl(R"(^(?:\[\[nodiscard\]\] )?(?:int|Progress) ([a-z_0-9]+)\(Backend&)");
    const auto exempt = allowed("typed");
    std::size_t found = 0;
    for (const auto& entry : std::filesystem::directory_iterator(HVSIM_CALLS_DIR)) {
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line)) {
            std::smatch m;
            if (!std::regex_search(line, m, decl)) continue;
            ++found;
            INFO(entry.path().filename().string() << ": " << m[1]);
            CHECK((conf::find_typed_call(m[1].str()) != nullptr) != exempt.contains(m[1].str()));
        }
    }
    CHECK(found >= 15);
}

TEST_CASE("every implemented call has a suite file", "[runner]") {
    const auto exempt = allowed("suite");
    for (const auto& c : hvcall::kCalls) {
        if (!hvsim::model_implements(c.id)) continue;
        const bool has = std::filesystem::exists(std::string(HVSIM_SUITE_DIR) + "/" + std::string(c.name) + ".json");
        INFO(c.name);
        CHECK(has != exempt.contains(std::string(c.name)));
    }
}

TEST_CASE("the built-in suite passes and exercises every catalogued rule", "[runner]") {
    const auto report = conf::run_scenarios(conf::load_embedded_suite());
    CHECK(report.count(conf::RunVerdict::fail) == 0);
    const auto exempt = allowed("rule");
    for (std::size_t r = 0; r < hvsim::kRuleCount; ++r) {
        const std::string id(hvsim::kRules[r].id);
        INFO(id << (exempt.contains(id) ? " is covered now: drop it from not_yet_covered.txt"
                                        : " is exercised by no scenario"));
        CHECK(report.coverage.covered(r) != exempt.contains(id));
    }
    for (const auto& id : exempt) {
        INFO(id);
        CHECK(hvsim::find_rule(id) != nullptr);
    }
}

TEST_CASE("the matrix: strict always, form and rep start where a raw step leaves them open", "[runner]") {
    const auto s = conf::load_scenarios("m.json", R"({"name": "m", "steps": [
        {"raw": "initialize_partition", "input": [{"offset": 0, "value": 1}]},
        {"raw": "deposit_memory", "elements": [1]}]})");
    CHECK(conf::matrix(s.at(0)).size() == 8);
    const auto pinned =
        conf::load_scenarios("p.json", R"({"name": "p", "strict": true, "steps": [{"raw": "get_partition_id"}]})");
    REQUIRE(conf::matrix(pinned.at(0)).size() == 1);
    CHECK(conf::matrix(pinned.at(0))[0].strict);
}

TEST_CASE("spec-only rules record by default: a step fails on a violation it does not expect, every report shows them",
          "[runner][violations]") {
    const auto scenarios = conf::load_scenarios("v.json", R"([
        {"name": "expected", "strict": false, "steps": [{"raw": "get_partition_id", "nested": true, "expect": {"violations": ["control.nested"]}}]},
        {"name": "not expected", "strict": false, "steps": [{"raw": "get_partition_id", "nested": true}]},
        {"name": "rule in the wrong mode", "strict": false, "steps": [{"raw": "get_partition_id", "nested": true, "expect": {"rule": "control.nested"}}]},
        {"name": "rejected", "strict": false, "spec_only": "reject", "steps": [{"raw": "get_partition_id", "nested": true, "expect": {"rule": "control.nested"}}]}
    ])");
    const auto report = conf::run_scenarios(scenarios);
    REQUIRE(report.runs.size() == 4);
    const auto& expected = report.runs[0];
    CHECK(expected.outcome == conf::RunVerdict::pass);
    REQUIRE(expected.violations.size() == 1);
    CHECK(expected.violations[0].rule == hvsim::RuleId::control_nested);
    CHECK(expected.violations[0].expected);
    CHECK(expected.violations[0].detail.starts_with("control.nested: "));

    const auto& unexpected = report.runs[1];
    CHECK(unexpected.outcome == conf::RunVerdict::fail);
    REQUIRE(unexpected.violations.size() == 1);
    CHECK_FALSE(unexpected.violations[0].expected);
    REQUIRE(unexpected.failure);
    CHECK(unexpected.failure->mismatches.at(0) == "violations: expected none, got control.nested");

    // Expecting a rejection by a spec-only rule where it only records says how to fix the scenario.
    const auto& wrong_mode = report.runs[2];
    CHECK(wrong_mode.outcome == conf::RunVerdict::fail);
    REQUIRE(wrong_mode.failure);
    bool hinted = false;
    for (const auto& m : wrong_mode.failure->mismatches)
        hinted = hinted || m.find("say \"spec_only\": \"reject\"") != std::string::npos;
    CHECK(hinted);

    const auto& rejected = report.runs[3];
    CHECK(rejected.outcome == conf::RunVerdict::pass);
    CHECK(rejected.violations.empty());

    std::ostringstream summary, junit, markdown, html;
    conf::print_summary(summary, report, "t");
    conf::write_junit(junit, report, "t");
    conf::write_markdown(markdown, report, "t");
    conf::write_html(html, report, "t");
    CHECK(summary.str().find(
              "3 spec-only violations recorded (the call went on) in 3 runs, 2 not expected:\n"
              "  control.nested: 3 runs (2 not expected), in v.json: expected; v.json: not expected; +1 more\n") !=
          std::string::npos);
    CHECK(junit.str().find("<testcase classname=\"v.json\" name=\"expected [not strict]\"") != std::string::npos);
    CHECK(junit.str().find("<system-out>step 0: violation (expected): control.nested: ") != std::string::npos);
    CHECK(junit.str().find("<system-out>step 0: violation (NOT expected): control.nested: ") != std::string::npos);
    CHECK(markdown.str().find("- 3 spec-only violations recorded (the call went on) in 3 runs, 2 not expected\n") !=
          std::string::npos);
    CHECK(
        markdown.str().find(
            "| `control.nested` | 3 | **2** | v.json: expected; v.json: not expected; v.json: rule in the wrong mode |") !=
        std::string::npos);
    CHECK(html.str().find("<h2>Spec-only violations recorded</h2>") != std::string::npos);
    CHECK(html.str().find("<b>3 (2 not expected)</b>runs recorded spec-only violations") != std::string::npos);
}
