// Scenario runs to records: the runner reports, this turns each report into a record.
#include "hvsim/traces/scenario_recorder.hpp"

#include <exception>
#include <filesystem>

#include "hvsim/conformance/codecs.hpp"
#include "hvsim/traces/replay.hpp"

namespace hvsim::traces {

namespace {

Record model_record(std::string kind, nlohmann::json args, nlohmann::json result = nullptr) {
    Record r;
    r.model = ModelAction{std::move(kind), std::move(args), std::move(result)};
    return r;
}

// The machine's settings that differ from the defaults (the codec starts from those):
// short "run" records that say what is special about the run.
nlohmann::json machine_changes(const MachineConfig& config) {
    const nlohmann::json defaults = conformance::write_machine(MachineConfig{});
    const nlohmann::json machine = conformance::write_machine(config);
    nlohmann::json changes = nlohmann::json::object();
    for (const auto& [key, value] : machine.items())
        if (defaults.at(key) != value) changes[key] = value;
    return changes;
}

}  // namespace

void ScenarioRecorder::emit(const Record& r) noexcept {
    try {
        sink_(file_, r);
    } catch (const std::exception& e) {
        if (error_.empty()) error_ = e.what();
    } catch (...) {
        if (error_.empty()) error_ = "unknown error from the trace sink";
    }
}

hvcall::Backend& ScenarioRecorder::run_started(const conformance::Scenario& s, const conformance::Variant& v,
                                               const MachineConfig& config, const FaultPlan& plan,
                                               hvcall::Backend& model) {
    file_ = s.file;
    nlohmann::json args;
    args["machine"] = machine_changes(config);
    args["scenario"] = s.file + ": " + s.name;
    args["variant"] = v.name();
    args["faults"] = conformance::write_fault_plan(plan);
    emit(model_record("run", std::move(args)));
    recording_ = std::make_unique<RecordingBackend>(model, [this](const Record& r) { emit(r); });
    return *recording_;
}

void ScenarioRecorder::fault_plan_set(const FaultPlan& plan) {
    emit(model_record("faults", conformance::write_fault_plan(plan)));
}

void ScenarioRecorder::strict_set(bool strict) { emit(model_record("strict", {{"on", strict}})); }

void ScenarioRecorder::guest_access(std::uint64_t partition, std::uint64_t gfn, std::uint64_t count, bool write,
                                    std::uint64_t marked) {
    emit(model_record("guest_access", {{"partition", partition}, {"gfn", gfn}, {"count", count}, {"write", write}},
                      {{"marked", marked}}));
}

TraceOutput::TraceOutput(std::string path, Format format, bool split, Header header)
    : path_(std::move(path)), format_(format), split_(split), header_(std::move(header)) {
    if (!split_) {
        (void)writer_for("");
        return;
    }
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
    if (ec) throw TraceError(path_ + ": cannot create the directory: " + ec.message());
}

TraceWriter& TraceOutput::writer_for(const std::string& scenario_file) {
    std::string path = path_;
    if (split_) {
        const char* ext = format_ == Format::cbor ? ".cbor" : ".jsonl";
        path = (std::filesystem::path(path_) / std::filesystem::path(scenario_file).stem()).string() + ext;
    }
    auto& w = writers_[path];
    if (!w) w = std::make_unique<TraceWriter>(path, format_, header_);
    return *w;
}

void TraceOutput::write(const std::string& scenario_file, const Record& r) { writer_for(scenario_file).write(r); }

std::uint64_t TraceOutput::records() const noexcept {
    std::uint64_t n = 0;
    for (const auto& [path, w] : writers_) n += w->records();
    return n;
}

}  // namespace hvsim::traces
