// On a real Linux root partition: replay the passthrough workload through /dev/mshv and show
// what differs from the model. Exit 77 (CTest: skipped) when there is no device.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "hvsim/host_pages.hpp"
#include "hvsim/traces/mshv_backend.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/workload.hpp"

int main() {
    using namespace hvsim::traces;
    const char* env = std::getenv("HVSIM_MSHV_DEVICE");
    MshvOptions options;
    if (env != nullptr) options.path = env;
    SystemDevice device;
    const int probe = device.open(options.path.c_str());
    if (probe < 0) {
        std::printf("SKIPPED: %s cannot be opened (no Hyper-V root partition with mshv_root here)\n",
                    options.path.c_str());
        return 77;
    }
    device.close(probe);
    try {
        hvsim::Machine m;
        hvsim::SimBackend sim(m);
        hvsim::HostPageSource pages(m);
        std::string bytes = R"({"hvsim_trace":1,"producer":"mshv_device_test","profile":{}})"
                            "\n";
        RecordingBackend rec(sim, [&](const Record& r) { bytes += encode_jsonl(r) + "\n"; });
        WorkloadEnv envw{rec, pages, 1};
        (void)run_workload("passthrough", envw);
        options.handle_signals = true;
        MshvBackend backend(device, options);
        MshvTarget target(backend);
        TraceReader reader(bytes, "passthrough");
        auto res = replay(reader, target);
        res.trace = "passthrough on " + options.path;
        std::printf("%llu records: %llu compared, %llu skipped\n", static_cast<unsigned long long>(res.records),
                    static_cast<unsigned long long>(res.compared), static_cast<unsigned long long>(res.skipped));
        if (res.divergence) std::printf("%s", describe(res, *res.divergence).c_str());
        return 0;  // hardware may legitimately differ from the model: the report is the result
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mshv_device_test: %s\n", e.what());
        return 1;
    }
}
