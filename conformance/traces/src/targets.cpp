// Replay targets: any hvcall::Backend, and the model itself (which also applies model-only records).
#include <algorithm>
#include <cstring>

#include "hvsim/diagnostic.hpp"
#include "replay_detail.hpp"

namespace hvsim::traces {

using nlohmann::json;

namespace {

const char* const kOffPageReason =
    "blocks not at the start of the per-CPU pages (misaligned, page-crossing or elsewhere): this backend cannot place them";

// What the model said about the call just issued: its rejection, and its violations.
void note_model(const Machine& machine, Issued& out) {
    if (machine.last_diagnostic()) out.note = "model: " + hvsim::describe(*machine.last_diagnostic());
    out.violations.assign(machine.violations().begin(), machine.violations().end());
}

// An off-page record, at its recorded GPAs; skipped when the backend cannot place blocks.
void issue_placed(hvcall::Backend& backend, const Record& r, Issued& out) {
    (void)backend.input_page();
    out.output.resize(r.output.size());
    const hvcall::PlacedCall placed =
        backend.hypercall_at(r.control, r.at->input_gpa, r.input, r.at->output_gpa, out.output);
    if (!placed.supported) {
        out = Issued{};
        out.skipped = kOffPageReason;
        return;
    }
    out.result = placed.result;
}

void issue_memory(hvcall::Backend& backend, const hvcall::CallInfo* c, const Record& r, Issued& out) {
    auto page = backend.input_page();
    if (!r.input.empty()) std::memcpy(page.data(), r.input.data(), std::min<std::size_t>(r.input.size(), page.size()));
    out.result = backend.hypercall(r.control);
    const std::uint32_t n = output_written(c, r.form, r.control, out.result);
    const auto o = backend.output_page();
    out.output.assign(o.begin(), o.begin() + n);
}

void issue_fast(hvcall::Backend& backend, const Record& r, Issued& out) {
    std::uint64_t rdx = 0, r8 = 0;
    std::memcpy(&rdx, r.input.data(), std::min<std::size_t>(8, r.input.size()));
    if (r.input.size() > 8) std::memcpy(&r8, r.input.data() + 8, std::min<std::size_t>(8, r.input.size() - 8));
    out.result = backend.hypercall_fast(r.control, rdx, r8);
}

void issue_xmm(hvcall::Backend& backend, const hvcall::CallInfo* c, const Record& r, Issued& out) {
    hvcall::XmmRegisters regs{};
    std::memcpy(regs.data(), r.input.data(), std::min<std::size_t>(r.input.size(), sizeof regs));
    out.result = backend.hypercall_fast_xmm(r.control, regs);
    const std::uint32_t n = output_written(c, r.form, r.control, out.result);
    const auto bytes = std::as_bytes(std::span(regs)).subspan(xmm_output_offset(c, r.control));
    out.output.assign(bytes.begin(), bytes.begin() + std::min<std::size_t>(n, bytes.size()));
}

// One record through a Backend: its per-CPU pages, its registers, or (off-page records) the
// recorded GPAs, after taking the input page as the recording did (strict mode poisons it).
void issue_on(hvcall::Backend& backend, const Machine* machine, const Record& r, Issued& out) {
    out = Issued{};
    const hvcall::CallInfo* c = hvcall::find_call(r.control.code());
    if (r.at) {
        issue_placed(backend, r, out);
        if (out.skipped) return;
    } else if (r.form == Form::memory) {
        issue_memory(backend, c, r, out);
    } else if (r.form == Form::fast) {
        issue_fast(backend, r, out);
    } else {
        issue_xmm(backend, c, r, out);
    }
    if (machine != nullptr) note_model(*machine, out);
}

// A "guest_access" record's accesses, on the machine; the pages it marked.
std::uint64_t guest_access(Machine& machine, const ModelAction& a) {
    auto num = [&](const char* key) {
        const auto it = a.args.find(key);
        if (it == a.args.end() || !it->is_number_unsigned())
            throw TraceError(std::string("\"args.") + key + "\" must be an unsigned integer");
        return it->get<std::uint64_t>();
    };
    const auto write = a.args.find("write");
    if (write == a.args.end() || !write->is_boolean()) throw TraceError("\"args.write\" must be true or false");
    return machine.hypervisor().guest_access(num("partition"), num("gfn"), num("count"), write->get<bool>());
}

}  // namespace

std::optional<std::string> Target::refusal(const Record&) const { return std::nullopt; }

void Target::apply(const ModelAction& a, Issued& out) {
    out = Issued{};
    out.skipped = "model-only \"" + a.kind + "\" record: " + name() + " has no model to apply it to";
}

void BackendTarget::issue(const Record& r, Issued& out) { issue_on(backend_, machine_, r, out); }

SimTarget::SimTarget(const MachineConfig& config, const FaultPlan& plan)
    : machine_(std::make_unique<Machine>(config, plan)), backend_(std::make_unique<SimBackend>(*machine_)) {}

void SimTarget::issue(const Record& r, Issued& out) { issue_on(*backend_, machine_.get(), r, out); }

void SimTarget::apply(const ModelAction& a, Issued& out) {
    out = Issued{};
    if (a.kind == "run") {  // a fresh machine, as each scenario run has
        backend_.reset();
        machine_ = std::make_unique<Machine>(config_from_profile(a.args, "\"args"),
                                             plan_from_json(a.args.value("faults", json::object()), "\"args.faults"));
        backend_ = std::make_unique<SimBackend>(*machine_);
    } else if (a.kind == "faults") {
        machine_->set_fault_plan(plan_from_json(a.args, "\"args"));
    } else if (a.kind == "strict") {
        const auto on = a.args.find("on");
        if (on == a.args.end() || !on->is_boolean()) throw TraceError("\"args.on\" must be true or false");
        machine_->set_strict(on->get<bool>());
    } else if (a.kind == "guest_access") {
        out.model_result = json{{"marked", guest_access(*machine_, a)}};
    }
}

}  // namespace hvsim::traces
