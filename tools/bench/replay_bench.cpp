// Replay throughput on the sim backend: parse a trace from memory and re-issue every record on
// the model, in records per second. Goals: >= 300,000/s for JSON Lines, >= 1,000,000/s for CBOR.
// The parse-only runs show how much of it is the reader.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/workload.hpp"

namespace {

using namespace hvsim::traces;

// The "scale:N" workload recorded in `format`, as the bytes of a trace file.
std::string recorded(Format format) {
    const auto path = std::filesystem::temp_directory_path() / ("hvsim-replay-bench-" + std::to_string(::getpid()) +
                                                                (format == Format::cbor ? ".cbor" : ".jsonl"));
    {
        hvsim::Machine machine;
        hvsim::SimBackend sim(machine);
        hvsim::HostPageSource pages(machine);
        TraceWriter writer(path.string(), format,
                           Header{kFormatVersion, "replay_bench", profile_for(machine.config())});
        RecordingBackend rec(sim, [&](const Record& r) { writer.write(r); });
        WorkloadEnv env{rec, pages, machine.config().root_partition_id};
        (void)run_workload("scale:5000", env);
    }
    std::string bytes = slurp(path.string());
    std::filesystem::remove(path);
    return bytes;
}

const std::string& trace_bytes(Format format) {
    static const std::string jsonl = recorded(Format::jsonl), cbor = recorded(Format::cbor);
    return format == Format::cbor ? cbor : jsonl;
}

void set_rate(benchmark::State& state, std::uint64_t records) {
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void BM_replay(benchmark::State& state, Format format) {
    const std::string& bytes = trace_bytes(format);
    std::uint64_t records = 0;
    for (auto _ : state) {
        TraceReader reader(std::string_view(bytes), "bench");
        SimTarget sim(hvsim::MachineConfig{});
        const auto res = replay(reader, sim);
        if (res.divergence) state.SkipWithError("the replay diverged");
        records += res.records;
    }
    set_rate(state, records);
}
BENCHMARK_CAPTURE(BM_replay, jsonl, Format::jsonl)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_replay, cbor, Format::cbor)->Unit(benchmark::kMillisecond);

void BM_parse(benchmark::State& state, Format format) {
    const std::string& bytes = trace_bytes(format);
    std::uint64_t records = 0;
    Record r;
    for (auto _ : state) {
        TraceReader reader(std::string_view(bytes), "bench");
        while (reader.next(r)) ++records;
    }
    set_rate(state, records);
}
BENCHMARK_CAPTURE(BM_parse, jsonl, Format::jsonl)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_parse, cbor, Format::cbor)->Unit(benchmark::kMillisecond);

}  // namespace

// Runs the benchmarks, then prints the replay rates against their goals, from this one run.
int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    struct Collect : benchmark::ConsoleReporter {
        double jsonl = 0, cbor = 0;
        void ReportRuns(const std::vector<Run>& runs) override {
            for (const auto& r : runs) {
                const auto it = r.counters.find("records/s");
                if (it == r.counters.end()) continue;
                if (r.benchmark_name() == "BM_replay/jsonl") jsonl = it->second.value;
                if (r.benchmark_name() == "BM_replay/cbor") cbor = it->second.value;
            }
            ConsoleReporter::ReportRuns(runs);
        }
    } reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    auto verdict = [](const char* what, double rate, double goal) {
        if (rate > 0)
            std::printf("%s replay on sim: %.0f records/s (goal >= %.0f): %s\n", what, rate, goal,
                        rate >= goal ? "met" : "NOT met");
    };
    std::printf("\n");
    verdict("JSON Lines", reporter.jsonl, 300'000);
    verdict("CBOR", reporter.cbor, 1'000'000);
    return 0;
}
