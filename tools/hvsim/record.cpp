// `hvsim record`: run built-in workloads on the model through the recording backend.
#include <iostream>

#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvtrace/recording_backend.hpp"
#include "hvtrace/replay.hpp"
#include "hvtrace/workload.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct RecordArgs {
    std::vector<std::string> workloads;
    std::string output, format;
    bool strict = false;
};

void run_record(const RecordArgs& a) {
    for (const auto& w : a.workloads) {
        bool known = w.starts_with("scale:");
        for (const auto& n : traces::workload_names()) known |= n == w;
        if (!known) {
            std::string names;
            for (const auto& n : traces::workload_names()) names += (names.empty() ? "" : ", ") + n;
            throw UsageError("record: unknown workload '" + w + "' (expected one of: " + names + ")");
        }
    }
    const auto format = a.format.empty() ? traces::format_for_path(a.output)
                                         : (a.format == "cbor" ? traces::Format::cbor : traces::Format::jsonl);
    MachineConfig config;
    config.strict = a.strict;
    Machine machine(config);
    SimBackend sim(machine);
    HostPageSource pages(machine);
    std::unique_ptr<traces::TraceWriter> writer;
    try {
        writer = std::make_unique<traces::TraceWriter>(
            a.output, format, traces::Header{traces::kFormatVersion, "hvsim " HVSIM_VERSION " record", traces::profile_for(config)});
    } catch (const traces::TraceError& e) {
        throw UsageError(std::string("record: ") + e.what());
    }
    traces::RecordingBackend rec(sim, [&](const traces::Record& r) { writer->write(r); });
    traces::WorkloadEnv env{rec, pages, config.root_partition_id};
    for (const auto& w : a.workloads)
        if (!traces::run_workload(w, env)) throw UsageError("record: bad workload '" + w + "' (scale:N wants N >= 1)");
    if (!rec.sink_error().empty()) throw std::runtime_error(rec.sink_error());
    std::cout << a.output << ": " << writer->records() << " records\n";
}

}  // namespace

void add_record(CLI::App& app) {
    auto* verb = app.add_subcommand("record", "Run workloads on the model and record every hypercall into a trace");
    auto a = std::make_shared<RecordArgs>();
    verb->add_option("WORKLOAD", a->workloads, "built-in workloads: lifecycle, passthrough, scale:N")->required();
    verb->add_option("-o,--output", a->output, "the trace file (.cbor: CBOR, else JSON Lines)")->required();
    verb->add_option("--format", a->format, "jsonl or cbor (default: by extension)")->check(CLI::IsMember({"jsonl", "cbor"}));
    verb->add_flag("--strict", a->strict, "strict mode: poisoned pages");
    verb->footer("Scenario files are not accepted yet: the scenario runner has no hook to run over a given Backend.");
    verb->callback([a] { run_record(*a); });
}

}  // namespace hvsim::cli
