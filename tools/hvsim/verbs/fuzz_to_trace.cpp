// `hvsim fuzz-input-to-trace`: runs a raw_dispatch_fuzz or same_state_under_schedule_fuzz input
// the way the fuzzer decodes it (the same decoders, fuzz/raw_calls.hpp and schedule_ops.hpp)
// and records what it issued as a trace that `hvsim replay` runs on the model or on hardware.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/scenario_recorder.hpp"
#include "raw_calls.hpp"
#include "schedule_ops.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct FuzzToTraceArgs {
    std::string target, input, output, format;
    bool no_faults = false;
};

std::vector<std::uint8_t> read_input(const std::string& path) {
    std::error_code ec;
    std::ifstream in(path, std::ios::binary);
    if (!std::filesystem::is_regular_file(path, ec) || !in)
        throw UsageError("fuzz-input-to-trace: FILE " + path + ": cannot be read (expected a fuzz input file)");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The trace writer and the records of fault plans and guest accesses, made as a recorded
// scenario run makes them.
class Output {
public:
    Output(const FuzzToTraceArgs& a, const MachineConfig& config) {
        const auto format = a.format.empty() ? traces::format_for_path(a.output)
                                             : traces::format_from_string(a.format).value_or(traces::Format::jsonl);
        const traces::Header header{traces::kFormatVersion, "hvsim " HVSIM_VERSION " fuzz-input-to-trace " + a.target,
                                    traces::profile_for(config)};
        try {
            writer_ = std::make_unique<traces::TraceWriter>(a.output, format, header);
        } catch (const traces::TraceError& e) {
            throw UsageError(std::string("fuzz-input-to-trace: ") + e.what());
        }
    }
    void write(const traces::Record& r) { writer_->write(r); }
    traces::ScenarioRecorder& model() { return model_; }
    [[nodiscard]] std::uint64_t records() const { return writer_->records(); }
    // A write that failed (a full disk) while calls went on.
    void check(const traces::RecordingBackend& rec) const {
        for (const std::string* e : {&rec.sink_error(), &model_.sink_error()})
            if (!e->empty()) throw UsageError("fuzz-input-to-trace: " + *e);
    }

private:
    std::unique_ptr<traces::TraceWriter> writer_;
    traces::ScenarioRecorder model_{[this](const std::string&, const traces::Record& r) { writer_->write(r); }};
};

// RAM bytes at [gpa, gpa + size), or none when they are not all RAM (a replay writes and reads
// off-page blocks only inside RAM).
std::vector<std::byte> ram_bytes(Machine& m, std::uint64_t gpa, std::uint64_t size) {
    if (!m.memory().in_ram(gpa, size)) return {};
    std::vector<std::byte> out(size);
    m.memory().read(gpa, out);
    return out;
}

// A block as the call would read or write it: the catalogue's size, at most the two pages an
// off-page record may hold.
std::uint64_t block_size(std::uint32_t catalogued) {
    return std::min<std::uint64_t>(catalogued, 2 * hvcall::kPageSize);
}

// One raw call, issued through `rec`, which records it. Register calls and blocks at the start
// of the per-CPU pages make ordinary records any backend replays; blocks anywhere else go
// through hypercall_at and make off-page records: the bytes written there before the call, and
// those there after it.
void record_raw_call(Machine& m, traces::RecordingBackend& rec, fuzz::RawCall& call) {
    if (call.registers && call.control.fast()) {
        (void)rec.hypercall_fast_xmm(call.control, call.regs);  // on CPU 0: register calls use no per-CPU page
        return;
    }
    const fuzz::RawGpas at = fuzz::raw_call_gpas(m, call);
    if (!call.registers && at.input == m.input_page_gpa(0) && at.output == m.output_page_gpa(0)) {
        auto page = rec.input_page();
        std::memcpy(page.data(), call.input.data(), call.input.size());
        (void)rec.hypercall(call.control);
        return;
    }
    const hvcall::CallInfo* info = hvcall::find_call(call.control.code());
    const std::uint32_t reps = call.control.rep_count();
    const std::uint32_t in_size = info != nullptr ? info->input_size(call.control.varhead_qwords(), reps) : 0;
    const std::uint32_t out_size = info != nullptr ? info->output_bytes(reps) : 0;
    // A register-path call writes nothing: its input is what lies at RDX, written back as it is
    // and recorded so that a replay (which takes the input page first, poisoning it in strict
    // mode) reads the same. A memory call's input lands in the input page, taken first.
    std::vector<std::byte> input;
    if (call.registers) {
        input = ram_bytes(m, at.input, block_size(in_size));
    } else {
        (void)rec.input_page();
        const auto chunk = std::as_bytes(call.input);
        input.assign(chunk.begin(), chunk.end());
    }
    std::vector<std::byte> output(block_size(out_size));
    (void)rec.hypercall_at(call.control, at.input, input, at.output, output);
}

std::uint64_t convert_raw(const FuzzToTraceArgs& a, const std::vector<std::uint8_t>& bytes) {
    fuzz::Bytes in(bytes.data(), bytes.size());
    const auto setup = fuzz::decode_raw_setup(in);
    Output out(a, setup.config);
    Machine m(setup.config);
    SimBackend sim(m);
    traces::RecordingBackend rec(sim, [&](const traces::Record& r) { out.write(r); });
    if (!a.no_faults && !setup.plan.empty()) {
        out.model().fault_plan_set(setup.plan);
        m.set_fault_plan(setup.plan);
    }
    for (int n = 0; n < fuzz::kMaxRawCalls; ++n) {
        auto call = fuzz::next_raw_call(in, setup.config);
        if (!call) break;
        record_raw_call(m, rec, *call);
    }
    out.check(rec);
    return out.records();
}

// The schedule target runs its ops twice, without and with the fault plan; the trace is the
// run under the plan (what a finding is about), or with --no-faults the one without it.
std::uint64_t convert_schedule(const FuzzToTraceArgs& a, const std::vector<std::uint8_t>& bytes) {
    fuzz::Bytes in(bytes.data(), bytes.size());
    const auto input = fuzz::decode_schedule(in);
    const MachineConfig& config = a.no_faults ? input.config : input.faulty;
    Output out(a, config);
    Machine m(config);
    SimBackend sim(m);
    traces::RecordingBackend rec(sim, [&](const traces::Record& r) { out.write(r); });
    if (!a.no_faults && !input.plan.empty()) {
        out.model().fault_plan_set(input.plan);
        m.set_fault_plan(input.plan);
    }
    (void)fuzz::run_schedule(m, rec, input.ops,
                             [&](std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write,
                                 std::uint64_t marked) { out.model().guest_access(id, gfn, count, write, marked); });
    out.check(rec);
    return out.records();
}

void run_fuzz_to_trace(const FuzzToTraceArgs& a) {
    const auto bytes = read_input(a.input);
    const std::uint64_t records = a.target == "raw_dispatch_fuzz" ? convert_raw(a, bytes) : convert_schedule(a, bytes);
    std::cout << a.output << ": " << records << " records from " << a.target << " input " << a.input << "\n";
}

}  // namespace

void add_fuzz_input_to_trace(CLI::App& app) {
    auto* verb = app.add_subcommand("fuzz-input-to-trace", "Turn a fuzz input into a trace of the hypercalls it makes");
    auto a = std::make_shared<FuzzToTraceArgs>();
    verb->add_option("TARGET", a->target, "raw_dispatch_fuzz or same_state_under_schedule_fuzz")
        ->required()
        ->check(CLI::IsMember({"raw_dispatch_fuzz", "same_state_under_schedule_fuzz"}));
    verb->add_option("FILE", a->input, "the fuzz input (a corpus file or a crash-* file)")->required();
    verb->add_option("-o,--output", a->output, "the trace file (.cbor: CBOR, else JSON Lines)")->required();
    verb->add_option("--format", a->format, "jsonl or cbor (default: by extension)")
        ->check(CLI::IsMember(traces::format_names()));
    verb->add_flag("--no-faults", a->no_faults,
                   "record the run without the input's fault plan (every call then replays on hardware)");
    verb->footer(
        "Exit status: 0 written, 2 bad arguments or files. Replay: hvsim replay TRACE --backend sim (or mshv).");
    verb->callback([a, verb] {
        reject_empty_values(*verb, "fuzz-input-to-trace", {"-o"});
        check_outputs("fuzz-input-to-trace", {{"-o", a->output}}, {a->input});
        run_fuzz_to_trace(*a);
    });
}

}  // namespace hvsim::cli
