// Per-execution cost of each fuzz target, without libFuzzer: one fixed input of each target
// (a checked-in corpus file, named below) through the target's LLVMFuzzerTestOneInput, as the
// plain replay driver runs it. libFuzzer's exec/s moves with the mutations it happens to try
// and with the machine's load; this measures the same bytes every time, so a change to a
// target or to the model shows as a change of its time per execution, and the ratios printed
// at the end (each target against raw_dispatch_fuzz, measured in the same run) hold across
// machines. kernel_tree_fuzz is left out: it compiles a kernel tree at start-up.
//
// Each target's source is compiled into this program with its entry point renamed
// (tools/bench/CMakeLists.txt), so all of them link into one binary.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#define HVSIM_FUZZ_TARGETS(X)                                        \
    X(raw_dispatch_fuzz, "2689585c196e230638d7b27ab2b46d9bfad97943") \
    X(same_state_under_schedule_fuzz, "map_then_states_early_ends")  \
    X(control_result_roundtrip_fuzz, nullptr)                        \
    X(trace_roundtrip_fuzz, nullptr)                                 \
    X(scenario_reader_fuzz, nullptr)                                 \
    X(trace_reader_fuzz, nullptr)                                    \
    X(devmshv_ioctl_fuzz, "passthrough_shaped")

#define DECLARE(target, input) extern "C" int hvsim_bench_##target(const std::uint8_t* data, std::size_t size);
HVSIM_FUZZ_TARGETS(DECLARE)
#undef DECLARE

namespace {

using Entry = int (*)(const std::uint8_t*, std::size_t);

// The named corpus file, or the first of the target's corpus in name order.
std::vector<std::uint8_t> input_of(const std::string& target, const char* name) {
    const std::string dir = std::string(HVSIM_SOURCE_DIR) + "/corpus/" + target;
    std::string path = name != nullptr ? dir + "/" + name : std::string();
    if (path.empty()) {
        std::vector<std::string> files;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.is_regular_file()) files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        if (!files.empty()) path = files.front();
    }
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void run(benchmark::State& state, Entry entry, const std::string& target, const char* name) {
    const std::vector<std::uint8_t> input = input_of(target, name);
    if (input.empty()) {
        state.SkipWithError(("no input in corpus/" + target).c_str());
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(entry(input.data(), input.size()));
    state.counters["exec/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.SetLabel(std::to_string(input.size()) + " bytes");
}

#define REGISTER(target, input) \
    benchmark::RegisterBenchmark(#target, [](benchmark::State& s) { run(s, hvsim_bench_##target, #target, input); });

}  // namespace

int main(int argc, char** argv) {
    HVSIM_FUZZ_TARGETS(REGISTER)
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    struct Collect : benchmark::ConsoleReporter {
        std::map<std::string, double> rates;  // exec/s per target
        void ReportRuns(const std::vector<Run>& runs) override {
            for (const auto& r : runs) {
                const auto it = r.counters.find("exec/s");
                if (it != r.counters.end() && !r.error_occurred) rates[r.benchmark_name()] = it->second.value;
            }
            ConsoleReporter::ReportRuns(runs);
        }
    } reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    std::printf("\n%-34s %14s %22s\n", "target (one fixed input)", "exec/s", "time vs raw_dispatch");
    const auto base = reporter.rates.find("raw_dispatch_fuzz");
    for (const auto& [target, rate] : reporter.rates) {
        if (base != reporter.rates.end() && rate > 0)
            std::printf("%-34s %14.0f %21.3gx\n", target.c_str(), rate, base->second / rate);
        else
            std::printf("%-34s %14.0f\n", target.c_str(), rate);
    }
    return 0;
}
