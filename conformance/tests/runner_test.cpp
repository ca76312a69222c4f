// The runner's own checks: the typed registry covers hvcall, every implemented call has a
// suite file, and the built-in suite exercises every catalogued rule, measured by running it.
#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "hvsim/hypervisor.hpp"
#include "runner.hpp"
#include "suite.hpp"
#include "typed_calls.hpp"

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
    CHECK(report.count(conf::Outcome::fail) == 0);
    const auto exempt = allowed("rule");
    for (std::size_t r = 0; r < hvsim::kRuleCount; ++r) {
        const std::string id(hvsim::kRules[r].id);
        INFO(id << (exempt.contains(id) ? " is covered now: drop it from not_yet_covered.txt" : " is exercised by no scenario"));
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
    const auto pinned = conf::load_scenarios("p.json", R"({"name": "p", "strict": true, "steps": [{"raw": "get_partition_id"}]})");
    REQUIRE(conf::matrix(pinned.at(0)).size() == 1);
    CHECK(conf::matrix(pinned.at(0))[0].strict);
}
