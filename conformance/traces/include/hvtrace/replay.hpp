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
#include "hvtrace/trace.hpp"

namespace hvsim::traces {

// What a target did with one record.
struct Issued {
    hvcall::HypercallResult result;
    std::vector<std::byte> output;       // what the call wrote (output_written bytes)
    std::optional<std::string> skipped;  // why it was not issued (then nothing is compared)
    std::optional<std::uint64_t> stand_in;  // a skipped id-handing call: the id the target uses instead
    std::string note;                    // the model's diagnostic, the kernel's errno, ...
};

class Target {
public:
    virtual ~Target() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // `r` has its ids substituted already.
    virtual void issue(const Record& r, Issued& out) = 0;
};

// Any hvcall::Backend; with a Machine, rejections carry the model's diagnostic.
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

// The model as a target, configured from a trace header's profile.
class SimTarget final : public Target {
public:
    explicit SimTarget(const MachineConfig& config);
    [[nodiscard]] std::string name() const override { return "sim"; }
    void issue(const Record& r, Issued& out) override { target_.issue(r, out); }
    [[nodiscard]] Machine& machine() noexcept { return *machine_; }

private:
    std::unique_ptr<Machine> machine_;
    SimBackend backend_;
    BackendTarget target_;
};

// Header profile <-> model configuration. A profile without "machine" gives the defaults;
// TraceError for fields of the wrong type.
[[nodiscard]] nlohmann::json profile_for(const MachineConfig& config);
[[nodiscard]] MachineConfig config_from_profile(const nlohmann::json& profile, const std::string& trace_name);

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
    std::map<std::string, std::uint64_t> skip_reasons;
    std::optional<Divergence> divergence;
    std::optional<std::string> warning;
};

// Replays a whole trace; stops at the first divergence. Throws TraceError on a bad trace.
// `progress` (may be empty) is told the records done so far now and then.
[[nodiscard]] ReplayResult replay(TraceReader& reader, Target& target,
                                  const std::function<void(std::uint64_t)>& progress = {});

// Compares two traces record by record (ids mapped from A's to B's as B hands them out).
[[nodiscard]] ReplayResult diff(TraceReader& a, TraceReader& b, const std::string& b_name);

// The decoded report of a divergence: call, control fields, expected vs got, notes.
[[nodiscard]] std::string describe(const ReplayResult& r, const Divergence& d);

}  // namespace hvsim::traces
