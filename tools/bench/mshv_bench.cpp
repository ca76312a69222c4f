// MSHV_ROOT_HVCALL round trips carrying GET_PARTITION_PROPERTY (0x44), per second, three ways
// in one run: ioctl() on a partition fd of the in-process interposer (open("/dev/mshv") reaches
// the driver model: the fd table and lock, the session's counts, the driver, ProcessHost's
// copies); the same ioctl on the session's handles (no interposer); and hvcall's
// get_partition_property straight on the model (SimBackend). The ratios say what the /dev/mshv
// path costs over a direct call.
//
// A program of its own: the interposer replaces open, ioctl, close and mmap for the whole
// process (other paths and fds pass through to the C library).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "hvcall/calls/partition.hpp"
#include "hvcall/types/partition.hpp"
#include "hvsim/devmshv/session.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/mshv_uapi.hpp"

namespace {

namespace uapi = hvsim::traces::mshv;

constexpr std::uint16_t kGetPartitionProperty = 0x44;
constexpr std::uint32_t kProperty = hvcall::property::max_xsave_data_size;  // what mshv-ioctls' test_get_property reads
constexpr std::uint64_t kExpected = 0x340;                                  // the model's value for it

void set_rate(benchmark::State& state) {
    state.counters["calls/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The passthrough's argument as a VMM builds it for each call: status 0 on entry, the input's
// first qword (the partition id) overwritten by the driver.
struct Passthrough {
    hvcall::InputGetPartitionProperty in{0, kProperty, 0};
    std::uint64_t out = 0;
    uapi::RootHvcall args{};
    uapi::RootHvcall* fresh() {
        args = {};
        args.code = kGetPartitionProperty;
        args.in_sz = sizeof in;
        args.out_sz = sizeof out;
        args.in_ptr = reinterpret_cast<std::uintptr_t>(&in);
        args.out_ptr = reinterpret_cast<std::uintptr_t>(&out);
        return &args;
    }
};

void BM_root_hvcall_interposer(benchmark::State& state) {
    const int dev = ::open("/dev/mshv", O_RDWR | O_CLOEXEC);
    if (dev < 0) {
        state.SkipWithError("open(/dev/mshv) did not reach the interposer");
        return;
    }
    uapi::CreatePartition create{uapi::kPtFlagLapic, uapi::kPtIsolationNone};
    const int pt = ::ioctl(dev, uapi::kCreatePartition, &create);
    if (pt < 0 || ::ioctl(pt, uapi::kInitializePartition, nullptr) != 0) {
        state.SkipWithError("no partition");
        ::close(dev);
        return;
    }
    Passthrough call;
    for (auto _ : state) {
        if (::ioctl(pt, uapi::kRootHvcall, call.fresh()) != 0 || call.out != kExpected) {
            state.SkipWithError("the passthrough failed");
            break;
        }
    }
    set_rate(state);
    ::close(pt);
    ::close(dev);
}
BENCHMARK(BM_root_hvcall_interposer);

// The same calls on a session of our own, through its handles: the driver and ProcessHost
// without the interposer's fd table, lock and dlsym lookups.
void BM_root_hvcall_session(benchmark::State& state) {
    hvsim::devmshv::Session session(hvsim::devmshv::SessionOptions{});
    const int dev = session.open("/dev/mshv");
    uapi::CreatePartition create{uapi::kPtFlagLapic, uapi::kPtIsolationNone};
    const int pt = session.ioctl(dev, uapi::kCreatePartition, &create);
    if (pt < 0 || session.ioctl(pt, uapi::kInitializePartition, nullptr) != 0) {
        state.SkipWithError("no partition");
        return;
    }
    Passthrough call;
    for (auto _ : state) {
        if (session.ioctl(pt, uapi::kRootHvcall, call.fresh()) != 0 || call.out != kExpected) {
            state.SkipWithError("the passthrough failed");
            break;
        }
    }
    set_rate(state);
}
BENCHMARK(BM_root_hvcall_session);

// The direct call: hvcall's get_partition_property on the model, as sim_calls_bench's calls
// go, on a machine configured as the session's.
void BM_get_partition_property_direct(benchmark::State& state) {
    hvsim::Machine machine(hvsim::devmshv::session_machine_config());
    hvsim::SimBackend sim(machine);
    hvsim::HostPageSource pages(machine);
    std::uint64_t id = 0;
    hvcall::CreatePartitionArgs args;
    args.flags = uapi::creation_flags_for(uapi::kPtFlagLapic);
    if (hvcall::create_partition(sim, pages, args, machine.config().root_partition_id, id) != 0 ||
        hvcall::initialize_partition(sim, pages, id) != 0) {
        state.SkipWithError("no partition");
        return;
    }
    std::uint64_t value = 0;
    for (auto _ : state) {
        if (hvcall::get_partition_property(sim, id, kProperty, value) != 0 || value != kExpected) {
            state.SkipWithError("the call failed");
            break;
        }
        benchmark::DoNotOptimize(value);
    }
    set_rate(state);
}
BENCHMARK(BM_get_partition_property_direct);

}  // namespace

// Runs the benchmarks, then prints the rates and their ratios, from this one run.
int main(int argc, char** argv) {
    // The interposer writes its notes and, at exit, the session's summary to this channel
    // (stderr when unset); keep them out of the benchmark's output unless asked for.
    setenv("HVSIM_MSHV_CHANNEL", "/dev/null", 0);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    struct Collect : benchmark::ConsoleReporter {
        double interposer = 0, session = 0, direct = 0;
        void ReportRuns(const std::vector<Run>& runs) override {
            for (const auto& r : runs) {
                const auto it = r.counters.find("calls/s");
                if (it == r.counters.end() || r.error_occurred) continue;
                if (r.benchmark_name() == "BM_root_hvcall_interposer") interposer = it->second.value;
                if (r.benchmark_name() == "BM_root_hvcall_session") session = it->second.value;
                if (r.benchmark_name() == "BM_get_partition_property_direct") direct = it->second.value;
            }
            ConsoleReporter::ReportRuns(runs);
        }
    } reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    std::printf("\n");
    const auto rate = [](const char* what, double per_second) {
        if (per_second > 0) std::printf("%-44s %12.0f calls/s\n", what, per_second);
    };
    rate("MSHV_ROOT_HVCALL(0x44), interposer ioctl():", reporter.interposer);
    rate("MSHV_ROOT_HVCALL(0x44), session handles:", reporter.session);
    rate("get_partition_property, direct on the model:", reporter.direct);
    // Time per call, as ratios of the rates.
    if (reporter.interposer > 0 && reporter.direct > 0)
        std::printf("interposer ioctl() over the direct call: %.1fx the time\n", reporter.direct / reporter.interposer);
    if (reporter.interposer > 0 && reporter.session > 0)
        std::printf("interposer ioctl() over the session's handles (fd table, lock): %.2fx the time\n",
                    reporter.session / reporter.interposer);
    return 0;
}
