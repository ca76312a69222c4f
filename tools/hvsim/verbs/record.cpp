// `hvsim record`: run scenarios (or built-in workloads) on the model and record every hypercall,
// and the model-only actions between them, into a trace (conformance/TRACES.md).
#include <algorithm>
#include <iostream>

#include "hvsim/conformance/output_file.hpp"
#include "hvsim/conformance/suite.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/scenario_recorder.hpp"
#include "hvsim/traces/workload.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct RecordArgs {
    std::vector<std::string> scenarios, workloads;
    std::string output, format;
    bool suite = false, split = false, strict = false, reject_spec_only = false;
};

traces::Format output_format(const RecordArgs& a) {
    if (!a.format.empty()) return traces::format_from_string(a.format).value_or(traces::Format::jsonl);
    return a.split ? traces::Format::jsonl : traces::format_for_path(a.output);
}

traces::Header header(nlohmann::json profile) {
    return traces::Header{traces::kFormatVersion, "hvsim " HVSIM_VERSION " record", std::move(profile)};
}

// The summary goes where the trace does not: standard error when the trace is standard output.
std::ostream& summary(const RecordArgs& a) { return conformance::is_stdout_path(a.output) ? std::cerr : std::cout; }

void check_workloads(const std::vector<std::string>& workloads) {
    std::string names;
    for (const auto& n : traces::workload_names()) names += (names.empty() ? "" : ", ") + n;
    for (const auto& w : workloads) {
        bool known = w.starts_with("scale:");
        for (const auto& n : traces::workload_names()) known |= n == w;
        if (!known) throw UsageError("record: unknown workload '" + w + "' (expected one of: " + names + ")");
    }
}

int record_workloads(const RecordArgs& a) {
    check_workloads(a.workloads);
    MachineConfig config;
    config.strict = a.strict;
    config.reject_spec_only = a.reject_spec_only;
    Machine machine(config);
    SimBackend sim(machine);
    HostPageSource pages(machine);
    std::unique_ptr<traces::TraceWriter> writer;
    try {
        writer = std::make_unique<traces::TraceWriter>(a.output, output_format(a), header(traces::profile_for(config)));
    } catch (const traces::TraceError& e) {
        throw UsageError(std::string("record: ") + e.what());
    }
    traces::RecordingBackend rec(sim, [&](const traces::Record& r) { writer->write(r); });
    traces::WorkloadEnv env{rec, pages, config.root_partition_id};
    for (const auto& w : a.workloads)
        if (!traces::run_workload(w, env)) throw UsageError("record: bad workload '" + w + "' (scale:N wants N >= 1)");
    if (!rec.sink_error().empty()) throw UsageError("record: " + rec.sink_error());
    summary(a) << a.output << ": " << writer->records() << " records\n";
    return 0;
}

std::vector<conformance::Scenario> load_scenarios(const RecordArgs& a) {
    std::vector<conformance::Scenario> all;
    try {
        if (a.suite) all = conformance::load_embedded_suite();
        for (const auto& p : a.scenarios) {
            auto s = conformance::load_path(p);
            all.insert(all.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
        }
    } catch (const conformance::LoadError& e) {
        throw UsageError(e.what());
    }
    return all;
}

// Each run starts with a "run" record naming its machine, so the header only says so.
int record_scenarios(const RecordArgs& a) {
    const auto scenarios = load_scenarios(a);
    std::unique_ptr<traces::TraceOutput> out;
    try {
        out = std::make_unique<traces::TraceOutput>(a.output, output_format(a), a.split,
                                                    header({{"backend", "sim"}, {"machines", "per run"}}));
    } catch (const traces::TraceError& e) {
        throw UsageError(std::string("record: ") + e.what());
    }
    traces::ScenarioRecorder recorder([&](const std::string& file, const traces::Record& r) { out->write(file, r); });
    conformance::RunOptions options;
    options.observer = &recorder;
    const auto report = conformance::run_scenarios(scenarios, options);
    if (!recorder.sink_error().empty()) throw UsageError("record: " + recorder.sink_error());
    const std::size_t failed = report.count(conformance::RunVerdict::fail);
    const auto violating = std::count_if(report.runs.begin(), report.runs.end(),
                                         [](const conformance::RunResult& r) { return !r.violations.empty(); });
    summary(a) << a.output << ": " << out->records() << " records in " << out->traces() << " trace(s) from "
               << report.runs.size() << " runs (" << failed << " failed, "
               << report.count(conformance::RunVerdict::skip) << " skipped, " << violating
               << " recorded spec-only violations)\n";
    return failed == 0 ? 0 : 1;
}

int run_record(RecordArgs a) {
    const bool scenarios = a.suite || !a.scenarios.empty();
    if (a.output.empty()) throw UsageError("record -o: expected a non-empty value");
    if (a.split && conformance::is_stdout_path(a.output))
        throw UsageError("record --split -o " + a.output +
                         ": --split writes a directory of traces, not standard output");
    check_outputs("record", {{"-o", a.output}}, a.scenarios);
    if (a.output == "-") a.output = "/dev/stdout";
    if (scenarios == !a.workloads.empty())
        throw UsageError("record: give scenario files (or --suite) or --workload, not both and not neither");
    if (a.split && !scenarios) throw UsageError("record: --split is for scenarios (one trace per scenario file)");
    if (a.strict && scenarios)
        throw UsageError("record: --strict is for workloads; scenarios choose their own strict mode");
    if (a.reject_spec_only && scenarios)
        throw UsageError("record: --reject-spec-only is for workloads; scenarios choose their own (\"spec_only\")");
    return scenarios ? record_scenarios(a) : record_workloads(a);
}

}  // namespace

void add_record(CLI::App& app) {
    auto* verb = app.add_subcommand(
        "record", "Run scenarios (or workloads) on the model and record every hypercall into a trace");
    auto a = std::make_shared<RecordArgs>();
    verb->add_option("SCENARIO", a->scenarios, "scenario files, or directories searched for *.json");
    verb->add_flag("--suite", a->suite, "record the built-in conformance suite");
    verb->add_option("--workload", a->workloads, "built-in workloads instead: lifecycle, passthrough, scale:N");
    verb->add_option("-o,--output", a->output,
                     "the trace file (.cbor: CBOR, else JSON Lines); with --split, a directory")
        ->required();
    verb->add_flag("--split", a->split, "one trace per scenario file in the --output directory");
    verb->add_option("--format", a->format, "jsonl or cbor (default: by extension; jsonl with --split)")
        ->check(CLI::IsMember(traces::format_names()));
    verb->add_flag("--strict", a->strict, "workloads only: strict mode (poisoned pages)");
    verb->add_flag("--reject-spec-only", a->reject_spec_only,
                   "workloads only: spec-only rules reject (default: recorded as violations, the call proceeds)");
    verb->footer(
        "Exit status: 0 recorded (every scenario passed), 1 a scenario failed (its trace is still written), "
        "2 bad arguments or files.\nRe-record the golden traces: hvsim record --suite --split -o corpus/traces/suite");
    verb->callback([a] {
        const int rc = run_record(*a);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace hvsim::cli
