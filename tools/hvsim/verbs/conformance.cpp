// `hvsim conformance`: the built-in suite (embedded at build time) on the model.
#include <iostream>
#include <memory>

#include "hvsim/conformance/runner.hpp"
#include "hvsim/conformance/suite.hpp"
#include "verbs.hpp"

namespace hvsim::cli {

void add_report_options(CLI::App& verb, std::string& junit, std::vector<std::string>& reports, bool& full_coverage);
int run_conformance_session(const std::vector<conformance::Scenario>& scenarios, const std::string& title,
                            const std::string& junit, const std::vector<std::string>& reports, bool full_coverage,
                            conformance::RunObserver* observer = nullptr);

namespace {

struct ConformanceArgs {
    std::string junit;
    std::vector<std::string> reports;
    bool full_coverage = false, list = false;
};

}  // namespace

void add_conformance(CLI::App& app) {
    auto* verb =
        app.add_subcommand("conformance", "Run the built-in conformance suite on the model: summary and rule coverage");
    auto a = std::make_shared<ConformanceArgs>();
    add_report_options(*verb, a->junit, a->reports, a->full_coverage);
    verb->add_flag("--list", a->list, "list the suite's files and scenarios instead of running them");
    verb->footer(
        "Exit status: 0 all passed, 1 a scenario failed (or coverage short with --require-full-coverage), 2 bad arguments.");
    verb->callback([a, verb] {
        reject_empty_values(*verb, "conformance", {"--junit", "--report"});
        std::vector<conformance::Scenario> suite;
        try {
            suite = conformance::load_embedded_suite();
        } catch (const conformance::LoadError& e) {
            throw UsageError(std::string("the built-in suite is malformed: ") + e.what());
        }
        if (a->list) {
            for (const auto& s : suite) std::cout << s.file << ": " << s.name << "\n";
            return;
        }
        const int rc = run_conformance_session(suite, "hvsim conformance", a->junit, a->reports, a->full_coverage);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace hvsim::cli
