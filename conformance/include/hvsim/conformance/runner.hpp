// Runs loaded scenarios on the model over each one's matrix and measures rule coverage:
// which rules fired in steps that expected them, per call.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvsim/config.hpp"
#include "hvsim/conformance/scenario.hpp"
#include "hvsim/fault_plan.hpp"

namespace hvsim::conformance {

// One point of a scenario's matrix. `fast` applies to raw steps that leave the form open;
// `rep_start` shifts raw rep steps that leave the rep start open.
struct Variant {
    bool strict = false;
    std::optional<bool> fast;                // nothing: the scenario has no form axis
    std::optional<std::uint32_t> rep_start;  // nothing: no rep start axis
    [[nodiscard]] std::string name() const;  // "memory, rep start 3, strict"
};

// The matrix of a scenario (README.md, "The matrix").
[[nodiscard]] std::vector<Variant> matrix(const Scenario& s);

enum class RunVerdict : std::uint8_t { pass, fail, skip };  // of one run of a scenario

struct StepFailure {
    std::size_t index = 0;
    std::string label, pointer, note;
    std::vector<std::string> mismatches;   // "status: expected X, got Y"
    std::vector<std::string> diagnostics;  // what the model said, one line each
};

// A spec-only rule a step broke while its call went on: the model recorded it (once per step).
struct RecordedViolation {
    std::size_t step = 0;
    RuleId rule{};
    std::string detail;     // describe(): the rule, where and what
    bool expected = false;  // the step listed it in "violations" (else the step failed on it)
};

struct RunResult {
    const Scenario* scenario = nullptr;
    Variant variant;
    RunVerdict outcome = RunVerdict::pass;
    std::string skip_reason;
    std::optional<StepFailure> failure;
    double seconds = 0;
    std::vector<RecordedViolation> violations;  // in step order, up to the failing step
};

// Per rule and call (the column: a call name, or "unknown code"): steps that expected the
// rule and passed with it firing, and steps that expected it and failed.
struct Cell {
    std::uint64_t pass = 0, fail = 0;
};
struct Coverage {
    std::array<std::map<std::string, Cell>, kRuleCount> cells;
    [[nodiscard]] bool covered(std::size_t rule) const {
        for (const auto& [call, c] : cells[rule])
            if (c.pass != 0) return true;
        return false;
    }
    [[nodiscard]] std::size_t covered_count() const {
        std::size_t n = 0;
        for (std::size_t r = 0; r < kRuleCount; ++r) n += covered(r) ? 1 : 0;
        return n;
    }
};

struct Report {
    std::vector<RunResult> runs;
    Coverage coverage;
    std::size_t scenarios = 0, files = 0;
    [[nodiscard]] std::size_t count(RunVerdict o) const;
};

// Sees what each run does to the model, in order, so that a recorder can write a trace that
// replays the run (`hvsim record`, conformance/TRACES.md): the hypercalls, and the model-only
// actions between them that change what later calls see.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    // A run starts on a fresh machine built with `config` and `plan`. Its calls, off-page ones
    // (Backend::hypercall_at) too, go through the backend returned: `model`, or a wrapper of it
    // that records them.
    virtual hvcall::Backend& run_started(const Scenario& s, const Variant& v, const MachineConfig& config,
                                         const FaultPlan& plan, hvcall::Backend& model) = 0;
    // A step's fault plan (call indices absolute) was set; the empty plan: cleared after it.
    virtual void fault_plan_set(const FaultPlan& plan) = 0;
    // Strict mode turned on (a strict step) or off again for the calls that follow.
    virtual void strict_set(bool strict) = 0;
    // A model set-up step: the guest touched pages, `marked` of them mapped.
    virtual void guest_access(std::uint64_t partition, std::uint64_t gfn, std::uint64_t count, bool write,
                              std::uint64_t marked) = 0;
};

// Features the model backend has; a scenario requiring another is skipped with the reason.
inline const std::set<std::string> kModelFeatures = {"model", "raw", "faults", "strict", "violations"};

struct RunOptions {
    std::set<std::string> features = kModelFeatures;
    // Called before each run: runs done so far, total, "file: scenario [variant]".
    std::function<void(std::size_t, std::size_t, const std::string&)> progress;
    RunObserver* observer = nullptr;  // hvsim record: sees every run's calls
};

[[nodiscard]] Report run_scenarios(const std::vector<Scenario>& scenarios, const RunOptions& options = {});

}  // namespace hvsim::conformance
