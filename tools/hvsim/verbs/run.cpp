// `hvsim run FILE_OR_DIR...`: load every scenario first (one bad file stops everything with
// exit 2), then run them over their matrices and report.
#include <memory>

#include "hvsim/conformance/scenario.hpp"
#include "hvsim/conformance/session.hpp"
#include "hvsim/traces/scenario_recorder.hpp"
#include "verbs.hpp"

namespace hvsim::cli {

namespace {

struct RunArgs {
    std::vector<std::string> paths;
    std::string junit;
    std::vector<std::string> reports;
    bool full_coverage = false;
    std::string record;
};

}  // namespace

// Shared with `conformance`: report options and the session, errors as one line.
void add_report_options(CLI::App& verb, std::string& junit, std::vector<std::string>& reports, bool& full_coverage) {
    verb.add_option("--junit", junit, "write JUnit XML for CI to FILE")->type_name("FILE");
    verb.add_option("--report", reports, "write the rule-coverage matrix to FILE.html or FILE.md (repeatable)")
        ->type_name("FILE");
    verb.add_flag("--require-full-coverage", full_coverage,
                  "exit 1 unless every catalogued rule was exercised and expected");
}

int run_conformance_session(const std::vector<conformance::Scenario>& scenarios, const std::string& title,
                            const std::string& junit, const std::vector<std::string>& reports, bool full_coverage,
                            conformance::RunObserver* observer) {
    for (const auto& r : reports)
        if (!conformance::is_report_path(r))
            throw UsageError("--report '" + r + "' (expected a file name ending in .html or .md)");
    conformance::SessionOptions o;
    o.title = title;
    o.junit = junit;
    o.reports = reports;
    o.require_full_coverage = full_coverage;
    o.observer = observer;
    try {
        return conformance::run_session(scenarios, o);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
}

void add_run(CLI::App& app) {
    auto* verb =
        app.add_subcommand("run", "Run scenario files (JSON; see conformance/README.md) on the model and report");
    auto a = std::make_shared<RunArgs>();
    verb->add_option("FILE_OR_DIR", a->paths, "scenario files, or directories searched for *.json")->required();
    add_report_options(*verb, a->junit, a->reports, a->full_coverage);
    verb->add_option("--record", a->record,
                     "also record every run's hypercalls into this trace (conformance/TRACES.md)")
        ->type_name("TRACE");
    verb->footer("Exit status: 0 all passed, 1 a scenario failed, 2 bad arguments or a malformed scenario file.");
    verb->callback([a, verb] {
        reject_empty_values(*verb, "run", {"--junit", "--report", "--record"});
        std::vector<std::pair<std::string, std::string>> outputs = {{"--junit", a->junit}, {"--record", a->record}};
        for (const auto& r : a->reports) outputs.emplace_back("--report", r);
        check_outputs("run", outputs, a->paths);
        std::vector<conformance::Scenario> all;
        try {
            for (const auto& p : a->paths) {
                auto s = conformance::load_path(p);
                all.insert(all.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
            }
        } catch (const conformance::LoadError& e) {
            throw UsageError(e.what());
        }
        std::unique_ptr<traces::TraceOutput> trace;
        std::unique_ptr<traces::ScenarioRecorder> recorder;
        if (!a->record.empty()) {
            try {
                trace = std::make_unique<traces::TraceOutput>(
                    a->record, traces::format_for_path(a->record), false,
                    traces::Header{traces::kFormatVersion,
                                   "hvsim " HVSIM_VERSION " run",
                                   {{"backend", "sim"}, {"machines", "per run"}}});
            } catch (const traces::TraceError& e) {
                throw UsageError(std::string("--record: ") + e.what());
            }
            recorder = std::make_unique<traces::ScenarioRecorder>(
                [&](const std::string& file, const traces::Record& r) { trace->write(file, r); });
        }
        const int rc =
            run_conformance_session(all, "hvsim run", a->junit, a->reports, a->full_coverage, recorder.get());
        if (recorder && !recorder->sink_error().empty()) throw UsageError("--record: " + recorder->sink_error());
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace hvsim::cli
