// Replay: re-issue each record on a target, substituting the ids the target hands out for the
// recorded ones, and compare status, reps completed and output. Diff: the same comparison
// between two traces.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/trace.hpp"

namespace hvsim::traces {

// What a target did with one record.
struct Issued {
    hvcall::HypercallResult result;
    std::vector<std::byte> output;  // what the call wrote (output_written bytes)
    // A target whose output page is not the recording's (the kernel's, on a root partition):
    // only this many leading output bytes are the hypervisor's, and only they are compared.
    std::optional<std::size_t> defined_output;
    std::optional<std::string> skipped;     // why it was not issued (then nothing is compared)
    std::optional<std::uint64_t> stand_in;  // a skipped id-handing call: the id the target uses instead
    bool replaced = false;  // skipped, but the target did the same another way: later records may rely on it
    std::string note;       // the model's diagnostic, the kernel's errno, ...
    std::vector<Diagnostic> violations;  // the model's: spec-only rules the call broke while it went on
    nlohmann::json model_result;         // a model-only record's outcome (ModelAction::result)
};

class Target {
public:
    virtual ~Target() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // `r` has its ids substituted already.
    virtual void issue(const Record& r, Issued& out) = 0;
    // Why the target, as it is now, would not issue `r` (ids substituted) at all; asked first,
    // so that such a record counts as not issued rather than as dependent. Default: none.
    [[nodiscard]] virtual std::optional<std::string> refusal(const Record& r) const;
    // A model-only record (ids substituted): targets without a model skip it with the reason.
    virtual void apply(const ModelAction& a, Issued& out);
};

// Any hvcall::Backend; with a Machine, rejections carry the model's diagnostic. Off-page
// records it cannot place (Backend::hypercall_at not supported) are skipped with the reason.
class BackendTarget final : public Target {
public:
    BackendTarget(hvcall::Backend& backend, std::string name, const Machine* machine = nullptr)
        : backend_(backend), name_(std::move(name)), machine_(machine) {}
    [[nodiscard]] std::string name() const override { return name_; }
    void issue(const Record& r, Issued& out) override;

private:
    hvcall::Backend& backend_;
    std::string name_;
    const Machine* machine_;
};

// The model as a target, configured from a trace header's profile. It re-applies model-only
// records ("run" starts a fresh machine) and issues off-page calls at their GPAs.
class SimTarget final : public Target {
public:
    explicit SimTarget(const MachineConfig& config, const FaultPlan& plan = {});
    [[nodiscard]] std::string name() const override { return "sim"; }
    void issue(const Record& r, Issued& out) override;
    void apply(const ModelAction& a, Issued& out) override;
    [[nodiscard]] Machine& machine() noexcept { return *machine_; }

private:
    std::unique_ptr<Machine> machine_;
    std::unique_ptr<SimBackend> backend_;
};

// Header profile <-> model configuration, through the machine codec a scenario's "machine" uses
// too (hvsim/conformance/codecs.hpp): a profile without "machine" gives the defaults; a value the
// codec refuses is a TraceError naming the field and the reason.
[[nodiscard]] nlohmann::json profile_for(const MachineConfig& config);
// `where` prefixes messages: "FILE: header: \"profile" or "\"args".
[[nodiscard]] MachineConfig config_from_profile(const nlohmann::json& profile, const std::string& where);
// A fault plan of a "run" or "faults" record (written by conformance::write_fault_plan): the
// codec's reading, its refusals as TraceErrors.
[[nodiscard]] FaultPlan plan_from_json(const nlohmann::json& j, const std::string& where);

// Recorded id -> target id, per kind. 0 (invalid) and all-ones (self) are never mapped.
class IdMap {
public:
    [[nodiscard]] std::optional<std::uint64_t> get(IdKind k, std::uint64_t recorded) const;
    void learn(IdKind k, std::uint64_t recorded, std::uint64_t target);
    // Rewrites mapped id fields of `bytes` in place.
    void substitute(std::vector<std::byte>& bytes, const std::vector<IdField>& fields) const;

private:
    std::unordered_map<std::uint64_t, std::uint64_t> maps_[3];
};

struct Divergence {
    std::uint64_t index = 0;  // 0-based record index
    Record expected;
    Issued got;
    std::optional<Record> got_record;  // diff: the other trace's record
    std::vector<std::string> mismatches;
};

struct ReplayResult {
    std::string trace;
    Format format = Format::jsonl;
    std::uint64_t records = 0, compared = 0, skipped = 0;
    std::uint64_t dependent = 0;  // of `skipped`: records whose outcome could depend on a skipped one
    std::map<std::string, std::uint64_t> skip_reasons;
    std::uint64_t model_records = 0;                  // of `compared`: model-only records applied
    std::map<std::string, std::uint64_t> violations;  // rule id -> records the model let through with it
    std::optional<Divergence> divergence;
    std::optional<std::string> warning;
};

// Replays a whole trace; stops at the first divergence. Throws TraceError on a bad trace.
// A record the target skips taints what it may have changed (its ids; the rest of the run for
// a model record), and later records touching a taint are skipped too (TRACES.md).
// `progress` (may be empty) is told the records done so far now and then.
[[nodiscard]] ReplayResult replay(TraceReader& reader, Target& target,
                                  const std::function<void(std::uint64_t)>& progress = {});

// Compares two traces record by record (ids mapped from A's to B's as B hands them out).
[[nodiscard]] ReplayResult diff(TraceReader& a, TraceReader& b, const std::string& b_name);

// The decoded report of a divergence: call, control fields, expected vs got, notes.
[[nodiscard]] std::string describe(const ReplayResult& r, const Divergence& d);

}  // namespace hvsim::traces
