#include "taints.hpp"

#include <vector>

#include "replay_detail.hpp"

namespace hvsim::traces::detail {

using nlohmann::json;

namespace {

std::string reason(const std::string& what) {
    return "depends on a skipped " + what + " whose effect the target does not have";
}

// The ids a record names, as recorded: its input's and its output's id fields.
std::vector<std::pair<IdKind, std::uint64_t>> ids_of(const Record& r) {
    std::vector<std::pair<IdKind, std::uint64_t>> out;
    for (const IdField& f : r.input_ids)
        if (f.offset + width(f.kind) <= r.input.size()) out.emplace_back(f.kind, read_id(r.input, f));
    for (const IdField& f : r.output_ids)
        if (f.offset + width(f.kind) <= r.output.size()) out.emplace_back(f.kind, read_id(r.output, f));
    return out;
}

// Whether a "run" or "faults" record puts a fault plan in force.
bool sets_faults(const ModelAction& a) {
    if (a.kind == "faults") return !a.args.empty();
    return a.kind == "run" && !a.args.value("faults", json::object()).empty();
}

}  // namespace

void Taints::taint(const Record& r) {
    const std::vector<std::pair<IdKind, std::uint64_t>> named = ids_of(r);
    if (named.empty()) return taint_run(r.call);
    for (const auto& id : named) ids_.try_emplace(id, r.call);
}

std::optional<std::string> Taints::dependency(const Record& r) const {
    if (run_) return reason(*run_);
    if (ids_.empty()) return std::nullopt;
    for (const IdField& f : r.input_ids)
        if (f.offset + width(f.kind) <= r.input.size())
            if (const auto it = ids_.find({f.kind, read_id(r.input, f)}); it != ids_.end()) return reason(it->second);
    return std::nullopt;
}

bool changes_model(const ModelAction& a) {
    if (a.kind == "run") return sets_faults(a) || !a.args.value("machine", json::object()).empty();
    if (a.kind == "faults") return sets_faults(a);
    if (a.kind == "strict") {
        const auto on = a.args.find("on");
        return on == a.args.end() || !on->is_boolean() || on->get<bool>();
    }
    return true;
}

}  // namespace hvsim::traces::detail
