// One process's /dev/mshv: a machine, the driver model over it, the tally of what was asked and
// issued, and (optionally) the trace of every hypercall the driver issued. The preload library
// keeps one per process; tests and benchmarks make their own.
#pragma once

#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "hvsim/devmshv/driver.hpp"
#include "hvsim/devmshv/host.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/trace.hpp"

namespace hvsim::devmshv {

// The machine a session models unless told otherwise: the model's defaults with 1 TiB of root
// RAM, room for the regions a VMM pins (the model's memory is sparse: untouched RAM costs
// nothing).
[[nodiscard]] MachineConfig session_machine_config();

struct SessionOptions {
    MachineConfig machine = session_machine_config();
    DriverOptions driver;
    std::string record;  // a trace path (".cbor": CBOR), or empty
    std::string producer = "hvsim mshv";
};

// The model's CPU with a count of what went through it: calls per code, and the violations
// and rejections the model recorded for them.
class TallyBackend final : public hvcall::Backend {
public:
    TallyBackend(Machine& machine, std::uint32_t cpu) : sim_(machine, cpu), machine_(machine) {}
    [[nodiscard]] std::span<std::byte, hvcall::kPageSize> input_page() noexcept override { return sim_.input_page(); }
    [[nodiscard]] std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override {
        return sim_.output_page();
    }
    hvcall::HypercallResult hypercall(hvcall::Control control) noexcept override {
        return count(control, sim_.hypercall(control));
    }
    hvcall::HypercallResult hypercall_fast(hvcall::Control control, std::uint64_t rdx,
                                           std::uint64_t r8) noexcept override {
        return count(control, sim_.hypercall_fast(control, rdx, r8));
    }
    hvcall::HypercallResult hypercall_fast_xmm(hvcall::Control control, hvcall::XmmRegisters& regs) noexcept override {
        return count(control, sim_.hypercall_fast_xmm(control, regs));
    }
    [[nodiscard]] hvcall::PlacedCall hypercall_at(hvcall::Control control, std::uint64_t input_gpa,
                                                  std::span<const std::byte> input, std::uint64_t output_gpa,
                                                  std::span<std::byte> output) noexcept override {
        hvcall::PlacedCall placed = sim_.hypercall_at(control, input_gpa, input, output_gpa, output);
        (void)count(control, placed.result);
        return placed;
    }

    std::map<std::uint16_t, std::uint64_t> calls;  // by code
    std::uint64_t violations = 0, rejections = 0;

private:
    hvcall::HypercallResult count(hvcall::Control control, hvcall::HypercallResult r) noexcept;
    SimBackend sim_;
    Machine& machine_;
};

class Session {
public:
    // Throws traces::TraceError when the trace cannot be created.
    explicit Session(SessionOptions options, std::unique_ptr<Host> host = std::make_unique<ProcessHost>());
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // The driver's entry points, counted.
    int open(const char* path) noexcept { return driver_ ? driver_->open(path) : -ENODEV; }
    int ioctl(int handle, unsigned long request, void* arg) noexcept;
    int close(int handle) noexcept { return driver_ ? driver_->close(handle) : 0; }
    int mmap(int handle, std::uint64_t page_offset) noexcept;

    [[nodiscard]] Driver& driver() noexcept { return *driver_; }
    [[nodiscard]] Machine& machine() noexcept { return *machine_; }
    // What this session saw, as one JSON object (merge_summaries adds several up):
    // {"ioctls": {name: n}, "errors": {name: {"-EINVAL": n}}, "unknown": [{"fd", "request",
    // "count"}], "mmaps": n, "hypercalls": {call: n}, "violations": n, "rejections": n,
    // "rules": {rule id: hits}, "trace": path, "records": n, "trace_error": text}.
    [[nodiscard]] nlohmann::json summary() const;
    // Tears down what the client left open, as the kernel does when the process exits; the
    // trace (written record by record) stays open until the session goes.
    void finish();

private:
    SessionOptions options_;
    std::unique_ptr<Host> host_;
    std::unique_ptr<Machine> machine_;
    // The driver's own calls and the passthrough share CPU 0: a trace names no CPU and its replay
    // issues every record on CPU 0, so the bytes a call leaves unwritten in the output page
    // are the same on replay as they were when recorded.
    TallyBackend cpu_;
    std::unique_ptr<traces::TraceWriter> writer_;
    std::unique_ptr<traces::RecordingBackend> recorder_;
    std::unique_ptr<Driver> driver_;
    std::map<std::string, std::uint64_t> ioctls_;
    std::map<std::string, std::map<int, std::uint64_t>> errors_;
    std::map<std::pair<FdKind, unsigned long>, std::uint64_t> unknown_;
    std::uint64_t mmaps_ = 0;
};

// Several processes' summaries (JSON objects as summary() writes them) as one.
[[nodiscard]] nlohmann::json merge_summaries(const std::vector<nlohmann::json>& parts);
// The summary for people: a first line of totals, then one line per kind of count.
[[nodiscard]] std::string summary_text(const nlohmann::json& summary);
[[nodiscard]] std::string_view to_string(FdKind kind) noexcept;

}  // namespace hvsim::devmshv
