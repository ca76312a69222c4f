// Inside replay: what a target that skips records no longer shares with the recording
// (TRACES.md). A skipped record that may have changed state taints the ids it names (input and
// output, recorded values), or, if it names none or is a model record, the rest of its run. A
// later record naming a tainted id could see that state, so it is skipped too, and taints in
// turn what it would have changed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "hvsim/traces/trace.hpp"

namespace hvsim::traces::detail {

class Taints {
public:
    void reset() {
        ids_.clear();
        run_.reset();
    }
    // `what`: the skipped record's call, or the model record's kind.
    void taint_run(const std::string& what) {
        if (!run_) run_ = what;
    }
    void taint(const Record& r);
    // Why `r`'s outcome could depend on a skipped record (grouped by that record's call).
    [[nodiscard]] std::optional<std::string> dependency(const Record& r) const;

private:
    std::map<std::pair<IdKind, std::uint64_t>, std::string> ids_;  // tainted id -> the call that tainted it
    std::optional<std::string> run_;
};

// Whether a model record, skipped, leaves the model somewhere the target is not: a run on a
// machine configured otherwise than the defaults, a fault plan in force, strict mode, guest
// accesses. Ending a plan or strict mode restores nothing that the earlier record did not
// already taint.
[[nodiscard]] bool changes_model(const ModelAction& a);

// Whether a recorded call may have changed hypervisor state: it succeeded, or a rep call
// completed some elements before failing.
[[nodiscard]] inline bool changed_state(const Record& r) { return r.result.ok() || r.result.reps_completed() != 0; }

}  // namespace hvsim::traces::detail
