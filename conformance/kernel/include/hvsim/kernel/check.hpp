// The driver suite: scenarios that call a tree's driver functions by name on the model, run
// over a matrix of schedules, injected "needs memory" and failure statuses, and strict mode,
// with the properties a correct driver keeps under all of them. What `hvsim kernel check`
// prints.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hvsim/kernel/tree.hpp"
#include "hvsim/kshim_attach.hpp"

namespace hvsim::kernel {

// One broken property: which, where, and the evidence.
struct Finding {
    std::string id;           // "rollback.incomplete", "schedule.changes_result", ...
    std::string function;     // the tree's function ("hv_call_map_gpa_pages")
    std::string scenario;     // the suite scenario ("map_2m")
    std::string schedule;     // the run it appeared in ("rep ends after 1 element", "none")
    std::string evidence;     // one line
    std::uint32_t times = 1;  // runs it appeared in
};

// A scenario and what became of it.
struct ScenarioResult {
    std::string name;
    std::vector<std::string> functions;  // what it calls
    bool ran = false;
    std::string skipped;  // why not (the tree lacks a function)
    std::uint32_t runs = 0;
};

struct CheckOptions {
    std::vector<std::string> functions;  // only scenarios calling one of these (empty: all)
    // Called for every hypercall the driver issued in the plain run of each scenario, right
    // after the call, with the machine it ran on (kernel check --record).
    std::function<void(Machine& machine, const ShimCall& call)> record;
    // Called before each of those runs starts on its fresh machine (a trace's "run" record).
    std::function<void(const std::string& scenario, const MachineConfig& machine, const FaultPlan& faults)> record_run;
    // And what the scenario's guest did between calls (a trace's "guest_access" record).
    std::function<void(std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write, std::uint64_t marked)>
        record_guest_access;
};

struct CheckReport {
    std::vector<ScenarioResult> scenarios;
    std::vector<Finding> findings;
    std::vector<std::string> functions_ran;        // tree functions some scenario ran
    std::vector<std::string> functions_missing;    // hvsim's known functions the tree lacks
    std::vector<std::string> functions_uncovered;  // the tree has them, no scenario calls them
    std::uint64_t runs = 0;
    std::uint64_t hypercalls = 0;
    double suite_seconds = 0;
};

// The machine every scenario runs on (a trace's profile).
[[nodiscard]] MachineConfig suite_machine_config();

[[nodiscard]] CheckReport run_driver_suite(const LoadedTree& tree, const CheckOptions& options = {});

// Random schedule search (hvsim kernel fuzz): run `runs` schedules drawn from `seed` -- random
// rep ends, "needs memory" at random allocations, a hard failure at a random hypercall, strict
// mode, rep restarts -- over the suite's scenarios, with the same properties as the check.
// Run i's schedule depends only on (seed, i), so `only_run` replays one finding.
struct FuzzOptions {
    std::uint64_t runs = 500;
    std::uint64_t seed = 1;
    std::optional<std::uint64_t> only_run;
    std::vector<std::string> scenarios;  // empty: all the tree can run
    // Record the runs (with only_run: the finding's reproducer) through these callbacks.
    const CheckOptions* recording = nullptr;
};
struct FuzzFinding {
    Finding finding;
    std::uint64_t run = 0;  // replay with --seed S --run N
};
struct FuzzReport {
    std::uint64_t runs = 0;
    std::vector<FuzzFinding> findings;  // first occurrence of each (id, function, scenario)
    double seconds = 0;
};
[[nodiscard]] FuzzReport fuzz_driver_suite(const LoadedTree& tree, const FuzzOptions& options);

// A fuzzer's view of the same search (fuzz/kernel_tree_fuzz.cpp, kernel fuzz --input): the
// bytes choose the scenario and its schedule, as the seeded stream's draws do, so libFuzzer's
// coverage of the tree's own code steers the choices. The plain run of every scenario is
// made once, at construction.
struct FuzzCase {
    std::string scenario;  // empty: the tree runs no scenario
    std::string schedule;
    std::vector<Finding> findings;
};
class ByteFuzzer {
public:
    explicit ByteFuzzer(const LoadedTree& tree, const std::vector<std::string>& scenarios = {});
    ByteFuzzer(const ByteFuzzer&) = delete;
    ByteFuzzer& operator=(const ByteFuzzer&) = delete;
    ~ByteFuzzer();

    [[nodiscard]] std::size_t scenarios() const noexcept;  // the tree can run
    // One run; with `recording`, its hypercalls are recorded (a finding's trace).
    FuzzCase run(std::span<const std::uint8_t> bytes, const CheckOptions* recording = nullptr);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The names of the suite's scenarios and the functions each calls (for --help and docs).
struct ScenarioInfo {
    std::string name;
    std::vector<std::string> functions;
};
[[nodiscard]] std::vector<ScenarioInfo> suite_scenarios();

}  // namespace hvsim::kernel
