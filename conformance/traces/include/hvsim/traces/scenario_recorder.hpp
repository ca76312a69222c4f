// Records scenario runs as traces: the runner's observer (conformance::RunObserver). Each run
// becomes a "run" model record followed by its hypercalls and model-only actions, so a trace
// replays every run on a fresh machine (conformance/TRACES.md, "Recording scenarios").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "hvsim/conformance/runner.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/trace.hpp"

namespace hvsim::traces {

class ScenarioRecorder final : public conformance::RunObserver {
public:
    // Told each record with the scenario file of the run it belongs to (traces split per file).
    using Sink = std::function<void(const std::string& scenario_file, const Record&)>;
    explicit ScenarioRecorder(Sink sink) : sink_(std::move(sink)) {}

    hvcall::Backend& run_started(const conformance::Scenario& s, const conformance::Variant& v,
                                 const MachineConfig& config, const FaultPlan& plan, hvcall::Backend& model) override;
    void fault_plan_set(const FaultPlan& plan) override;
    void strict_set(bool strict) override;
    void guest_access(std::uint64_t partition, std::uint64_t gfn, std::uint64_t count, bool write,
                      std::uint64_t marked) override;

    // The first error a sink threw (a full disk): recording goes on, the runs stand.
    [[nodiscard]] const std::string& sink_error() const noexcept { return error_; }

private:
    void emit(const Record& r) noexcept;
    Sink sink_;
    std::string file_;
    std::unique_ptr<RecordingBackend> recording_;
    std::string error_;
};

// Where recorded scenario runs go: one trace, or (split) one per scenario file in a directory,
// named after the file ("suite/map_gpa_pages.json" -> DIR/map_gpa_pages.jsonl), so that the
// traces of different files stay independent. Throws TraceError when a trace cannot be made.
class TraceOutput {
public:
    TraceOutput(std::string path, Format format, bool split, Header header);
    void write(const std::string& scenario_file, const Record& r);
    [[nodiscard]] std::uint64_t records() const noexcept;
    [[nodiscard]] std::size_t traces() const noexcept { return writers_.size(); }

private:
    TraceWriter& writer_for(const std::string& scenario_file);
    std::string path_;
    Format format_;
    bool split_;
    Header header_;
    std::map<std::string, std::unique_ptr<TraceWriter>> writers_;  // by trace path
};

}  // namespace hvsim::traces
