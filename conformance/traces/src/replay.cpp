// Replay and diff: id substitution, comparison, and the decoded divergence report.
#include "hvsim/traces/replay.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "hvcall/status.hpp"
#include "hvsim/conformance/codecs.hpp"
#include "hvsim/diagnostic.hpp"

namespace hvsim::traces {

using nlohmann::json;

namespace {

std::uint64_t read_id(std::span<const std::byte> bytes, const IdField& f) {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + f.offset, width(f.kind));
    return v;
}

void write_id(std::span<std::byte> bytes, const IdField& f, std::uint64_t v) {
    std::memcpy(bytes.data() + f.offset, &v, width(f.kind));
}

bool special(IdKind k, std::uint64_t v) { return v == 0 || (k == IdKind::partition ? v == ~0ull : v == 0xFFFFFFFFull); }

std::string hex(std::uint64_t v, int digits) {
    std::ostringstream s;
    s << "0x" << std::hex;
    s.width(digits);
    s.fill('0');
    s << v;
    return s.str();
}

std::string status_text(hvcall::Status s) {
    return std::string(hvcall::status_name(s)) + " (" + hex(static_cast<unsigned>(s), 4) + ")";
}

// First differing byte, for the report.
std::string bytes_mismatch(std::span<const std::byte> want, std::span<const std::byte> got, const char* what) {
    std::size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
    std::string s =
        std::string(what) + ": expected " + std::to_string(want.size()) + " bytes, got " + std::to_string(got.size());
    if (want.size() == got.size()) s = std::string(what) + ": " + std::to_string(want.size()) + " bytes";
    s += "; first difference at byte " + std::to_string(i);
    auto window = [&](std::span<const std::byte> b) {
        const std::size_t from = i;
        return to_hex(
            b.subspan(std::min(from, b.size()), std::min<std::size_t>(16, b.size() - std::min(from, b.size()))));
    };
    s += " (expected " + (i < want.size() ? window(want) : std::string("<end>")) + ", got " +
         (i < got.size() ? window(got) : std::string("<end>")) + ")";
    return s;
}

std::string model_text(const ModelAction& a) { return "\"" + a.kind + "\" " + a.args.dump(); }

// Compares the result of one call; learns ids from the output. Returns the mismatches.
std::vector<std::string> compare_result(const Record& want, hvcall::HypercallResult got_result,
                                        std::vector<std::byte> got_output, IdMap& ids,
                                        std::optional<std::size_t> defined = std::nullopt) {
    std::vector<std::string> out;
    if (want.result.status() != got_result.status())
        out.push_back("status: expected " + status_text(want.result.status()) + ", got " +
                      status_text(got_result.status()));
    if (want.result.reps_completed() != got_result.reps_completed())
        out.push_back("reps completed: expected " + std::to_string(want.result.reps_completed()) + ", got " +
                      std::to_string(got_result.reps_completed()));
    std::vector<std::byte> expected = want.output;
    if (defined && expected.size() == got_output.size() && *defined < expected.size()) {
        expected.resize(*defined);
        got_output.resize(*defined);
    }
    if (expected.size() == got_output.size()) {
        for (const IdField& f : want.output_ids) {
            const std::uint64_t rec = read_id(expected, f), now = read_id(got_output, f);
            if (const auto m = ids.get(f.kind, rec)) {
                write_id(expected, f, *m);
            } else if (!special(f.kind, rec) && !special(f.kind, now)) {
                ids.learn(f.kind, rec, now);  // handed out here: from now on the target's id stands for it
                write_id(expected, f, now);
            }
        }
    }
    if (expected != got_output) out.push_back(bytes_mismatch(expected, got_output, "output"));
    return out;
}

}  // namespace

// --- targets

namespace {

const char* const kOffPageReason =
    "blocks not at the start of the per-CPU pages (misaligned, page-crossing or elsewhere): this backend cannot place them";

// What the model said about the call just issued: its rejection, and its violations.
void note_model(const Machine& machine, Issued& out) {
    if (machine.last_diagnostic()) out.note = "model: " + hvsim::describe(*machine.last_diagnostic());
    out.violations.assign(machine.violations().begin(), machine.violations().end());
}

// One record through a Backend: its per-CPU pages, its registers, or (off-page records) the
// recorded GPAs, after taking the input page as the recording did (strict mode poisons it).
void issue_on(hvcall::Backend& backend, const Machine* machine, const Record& r, Issued& out) {
    out = Issued{};
    const hvcall::CallInfo* c = hvcall::find_call(r.control.code());
    if (r.at) {
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
    } else if (r.form == Form::memory) {
        auto page = backend.input_page();
        if (!r.input.empty())
            std::memcpy(page.data(), r.input.data(), std::min<std::size_t>(r.input.size(), page.size()));
        out.result = backend.hypercall(r.control);
        const std::uint32_t n = output_written(c, r.form, r.control, out.result);
        const auto o = backend.output_page();
        out.output.assign(o.begin(), o.begin() + n);
    } else if (r.form == Form::fast) {
        std::uint64_t rdx = 0, r8 = 0;
        std::memcpy(&rdx, r.input.data(), std::min<std::size_t>(8, r.input.size()));
        if (r.input.size() > 8) std::memcpy(&r8, r.input.data() + 8, std::min<std::size_t>(8, r.input.size() - 8));
        out.result = backend.hypercall_fast(r.control, rdx, r8);
    } else {
        hvcall::XmmRegisters regs{};
        std::memcpy(regs.data(), r.input.data(), std::min<std::size_t>(r.input.size(), sizeof regs));
        out.result = backend.hypercall_fast_xmm(r.control, regs);
        const std::uint32_t n = output_written(c, r.form, r.control, out.result);
        const auto bytes = std::as_bytes(std::span(regs)).subspan(xmm_output_offset(c, r.control));
        out.output.assign(bytes.begin(), bytes.begin() + std::min<std::size_t>(n, bytes.size()));
    }
    if (machine != nullptr) note_model(*machine, out);
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
        auto num = [&](const char* key) {
            const auto it = a.args.find(key);
            if (it == a.args.end() || !it->is_number_unsigned())
                throw TraceError(std::string("\"args.") + key + "\" must be an unsigned integer");
            return it->get<std::uint64_t>();
        };
        const auto write = a.args.find("write");
        if (write == a.args.end() || !write->is_boolean()) throw TraceError("\"args.write\" must be true or false");
        const std::uint64_t marked =
            machine_->hypervisor().guest_access(num("partition"), num("gfn"), num("count"), write->get<bool>());
        out.model_result = json{{"marked", marked}};
    }
}

namespace {

// A codec's field in the trace reader's spelling: "/mmio/0/first" -> ".mmio[0].first".
std::string dotted(const std::string& pointer) {
    std::string out, token;
    const auto flush = [&] {
        const bool index =
            !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
        out += index ? "[" + token + "]" : "." + token;
        token.clear();
    };
    for (std::size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] == '/') {
            if (i != 0) flush();
        } else if (pointer[i] == '~' && i + 1 < pointer.size()) {
            token += pointer[++i] == '1' ? '/' : '~';
        } else {
            token += pointer[i];
        }
    }
    if (!pointer.empty()) flush();
    return out;
}

// `where` opens the quoted field: "FILE: header: \"profile.machine" or "\"args.faults".
TraceError refused(const std::string& where, const conformance::CodecError& e) {
    return TraceError(where + dotted(e.field()) + "\": " + e.what());
}

}  // namespace

json profile_for(const MachineConfig& c) {
    return json{{"backend", "sim"}, {"machine", conformance::write_machine(c)}};
}

MachineConfig config_from_profile(const json& profile, const std::string& where) {
    const auto it = profile.find("machine");
    if (it == profile.end()) return MachineConfig{};
    try {
        return conformance::read_machine(*it);
    } catch (const conformance::CodecError& e) {
        throw refused(where + ".machine", e);
    }
}

FaultPlan plan_from_json(const json& j, const std::string& where) {
    try {
        return conformance::read_fault_plan(j);
    } catch (const conformance::CodecError& e) {
        throw refused(where, e);
    }
}

// --- ids

std::optional<std::uint64_t> IdMap::get(IdKind k, std::uint64_t recorded) const {
    const auto& m = maps_[static_cast<int>(k)];
    const auto it = m.find(recorded);
    if (it == m.end()) return std::nullopt;
    return it->second;
}

void IdMap::learn(IdKind k, std::uint64_t recorded, std::uint64_t target) {
    if (special(k, recorded)) return;
    maps_[static_cast<int>(k)][recorded] = target;
}

void IdMap::substitute(std::vector<std::byte>& bytes, const std::vector<IdField>& fields) const {
    for (const IdField& f : fields) {
        if (f.offset + width(f.kind) > bytes.size()) continue;
        if (const auto m = get(f.kind, read_id(bytes, f))) write_id(bytes, f, *m);
    }
}

// --- replay and diff

namespace {

// Whether a "run" or "faults" record puts a fault plan in force.
bool sets_faults(const ModelAction& a) {
    if (a.kind == "faults") return !a.args.empty();
    return a.kind == "run" && !a.args.value("faults", json::object()).empty();
}

// Whether a model record, skipped, leaves the model somewhere the target is not: a run on a
// machine configured otherwise than the defaults, a fault plan in force, strict mode, guest
// accesses. Ending a plan or strict mode restores nothing that the earlier record did not
// already taint.
bool changes_model(const ModelAction& a) {
    if (a.kind == "run") return sets_faults(a) || !a.args.value("machine", json::object()).empty();
    if (a.kind == "faults") return sets_faults(a);
    if (a.kind == "strict") {
        const auto on = a.args.find("on");
        return on == a.args.end() || !on->is_boolean() || on->get<bool>();
    }
    return true;
}

// Whether a recorded call may have changed hypervisor state: it succeeded, or a rep call
// completed some elements before failing.
bool changed_state(const Record& r) { return r.result.ok() || r.result.reps_completed() != 0; }

// What a target that skips records no longer shares with the recording. A skipped record that
// may have changed state taints the ids it names (input and output, recorded values), or, if
// it names none or is a model record, the rest of its run. A later record naming a tainted id
// could see that state, so it is skipped too, and taints in turn what it would have changed.
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
    void taint(const Record& r) {
        const std::vector<std::pair<IdKind, std::uint64_t>> named = ids_of(r);
        if (named.empty()) return taint_run(r.call);
        for (const auto& id : named) ids_.try_emplace(id, r.call);
    }
    // Why `r`'s outcome could depend on a skipped record (grouped by that record's call).
    [[nodiscard]] std::optional<std::string> dependency(const Record& r) const {
        if (run_) return reason(*run_);
        if (ids_.empty()) return std::nullopt;
        for (const IdField& f : r.input_ids)
            if (f.offset + width(f.kind) <= r.input.size())
                if (const auto it = ids_.find({f.kind, read_id(r.input, f)}); it != ids_.end())
                    return reason(it->second);
        return std::nullopt;
    }

private:
    static std::string reason(const std::string& what) {
        return "depends on a skipped " + what + " whose effect the target does not have";
    }
    static std::vector<std::pair<IdKind, std::uint64_t>> ids_of(const Record& r) {
        std::vector<std::pair<IdKind, std::uint64_t>> out;
        for (const IdField& f : r.input_ids)
            if (f.offset + width(f.kind) <= r.input.size()) out.emplace_back(f.kind, read_id(r.input, f));
        for (const IdField& f : r.output_ids)
            if (f.offset + width(f.kind) <= r.output.size()) out.emplace_back(f.kind, read_id(r.output, f));
        return out;
    }
    std::map<std::pair<IdKind, std::uint64_t>, std::string> ids_;  // tainted id -> the call that tainted it
    std::optional<std::string> run_;
};

void skip(ReplayResult& res, const std::string& why) {
    ++res.skipped;
    ++res.skip_reasons[why];
}

// A model-only record: a "run" starts afresh (ids and taints forgotten); guest_access names a
// partition. Returns the mismatch, if any.
std::vector<std::string> replay_model(const TraceReader& reader, const ModelAction& recorded, Target& target,
                                      IdMap& ids, Taints& taints, ReplayResult& res, Issued& got) {
    if (recorded.kind == "run") {
        ids = IdMap{};
        taints.reset();
    }
    ModelAction a = recorded;
    if (a.kind == "guest_access")
        if (const auto it = a.args.find("partition"); it != a.args.end() && it->is_number_unsigned())
            *it = ids.get(IdKind::partition, it->get<std::uint64_t>()).value_or(it->get<std::uint64_t>());
    try {
        target.apply(a, got);
    } catch (const TraceError& e) {
        throw TraceError(reader.where() + ": " + e.what());
    }
    if (got.skipped) {
        // replaced: the target did the same its own way (a fresh partition for a new run)
        if (changes_model(a) && !got.replaced) taints.taint_run("\"" + a.kind + "\" model record");
        skip(res, *got.skipped);
        return {};
    }
    ++res.compared;
    ++res.model_records;
    if (recorded.result == got.model_result) return {};
    return {"model result: expected " + recorded.result.dump() + ", got " + got.model_result.dump()};
}

}  // namespace

ReplayResult replay(TraceReader& reader, Target& target, const std::function<void(std::uint64_t)>& progress) {
    ReplayResult res;
    res.format = reader.format();
    IdMap ids;
    Taints taints;
    Record rec, sent;
    Issued got;
    while (reader.next(rec)) {
        const std::uint64_t index = res.records++;
        if (progress && (index & 0x3FFF) == 0) progress(index);
        if (rec.model) {
            auto mismatches = replay_model(reader, *rec.model, target, ids, taints, res, got);
            if (mismatches.empty()) continue;
            res.divergence = Divergence{index, rec, got, std::nullopt, std::move(mismatches)};
            break;
        }
        sent = rec;
        ids.substitute(sent.input, sent.input_ids);
        std::optional<std::string> dependency;
        if (!target.refusal(sent)) dependency = taints.dependency(rec);
        if (dependency) {
            got = Issued{};
            got.skipped = std::move(dependency);
            ++res.dependent;
        } else {
            target.issue(sent, got);
        }
        if (got.skipped) {
            skip(res, *got.skipped);
            if (got.stand_in)
                for (const IdField& f : rec.output_ids)
                    if (f.offset + width(f.kind) <= rec.output.size())
                        ids.learn(f.kind, read_id(rec.output, f), *got.stand_in);
            if (!got.replaced && changed_state(rec)) taints.taint(rec);
            continue;
        }
        ++res.compared;
        for (const auto& v : got.violations) ++res.violations[std::string(v.info().id)];
        auto mismatches = compare_result(rec, got.result, got.output, ids, got.defined_output);
        if (!mismatches.empty()) {
            res.divergence = Divergence{index, rec, got, std::nullopt, std::move(mismatches)};
            break;
        }
    }
    while (reader.next(rec)) ++res.records;  // the rest must still be a well-formed trace
    res.warning = reader.warning();
    return res;
}

namespace {

std::vector<std::string> diff_model(const Record& ra, const Record& rb, IdMap& ids) {
    if (ra.model && ra.model->kind == "run") ids = IdMap{};
    if (ra.model == rb.model) return {};
    return {"model record: expected " + (ra.model ? model_text(*ra.model) : std::string("a hypercall")) + ", got " +
            (rb.model ? model_text(*rb.model) : std::string("a hypercall"))};
}

std::vector<std::string> diff_call(const Record& ra, const Record& rb, IdMap& ids) {
    std::vector<std::string> mm;
    if (ra.at != rb.at) mm.push_back("placement: the two calls' blocks are not at the same GPAs");
    if (ra.call != rb.call) mm.push_back("call: expected " + ra.call + ", got " + rb.call);
    if (ra.form != rb.form)
        mm.push_back("form: expected " + std::string(to_string(ra.form)) + ", got " + std::string(to_string(rb.form)));
    if (ra.control != rb.control)
        mm.push_back("control: expected " + hex(ra.control.raw(), 16) + ", got " + hex(rb.control.raw(), 16));
    std::vector<std::byte> in = ra.input;
    ids.substitute(in, ra.input_ids);
    if (in != rb.input) mm.push_back(bytes_mismatch(in, rb.input, "input"));
    if (mm.empty()) mm = compare_result(ra, rb.result, rb.output, ids);
    return mm;
}

}  // namespace

ReplayResult diff(TraceReader& a, TraceReader& b, const std::string& b_name) {
    ReplayResult res;
    res.format = a.format();
    IdMap ids;
    Record ra, rb;
    for (;;) {
        const bool more_a = a.next(ra), more_b = b.next(rb);
        if (!more_a && !more_b) break;
        const std::uint64_t index = res.records++;
        if (more_a != more_b) {
            Divergence d;
            d.index = index;
            d.expected = more_a ? ra : rb;
            if (!more_a) d.got_record = rb;
            d.mismatches.push_back(more_a ? b_name + " ends here; " + std::to_string(index) +
                                                " records against more in the first"
                                          : "the first trace ends here; " + b_name + " has more records");
            res.divergence = std::move(d);
            break;
        }
        std::vector<std::string> mm = ra.model || rb.model ? diff_model(ra, rb, ids) : diff_call(ra, rb, ids);
        ++res.compared;
        if (!mm.empty()) {
            Issued got;
            got.result = rb.result;
            got.output = rb.output;
            res.divergence = Divergence{index, ra, got, rb, std::move(mm)};
            break;
        }
    }
    while (a.next(ra)) {
    }  // both must still be well-formed traces
    while (b.next(rb)) {
    }
    res.warning = a.warning() ? a.warning() : b.warning();
    return res;
}

std::string describe(const ReplayResult& r, const Divergence& d) {
    std::ostringstream s;
    const Record& e = d.expected;
    if (e.model) {
        s << r.trace << ": record " << (d.index + 1);
        if (r.format == Format::jsonl) s << " (line " << (d.index + 2) << ")";
        s << ": model-only " << model_text(*e.model) << " diverges\n";
        for (const auto& m : d.mismatches) s << "  mismatch  " << m << "\n";
        return s.str();
    }
    const auto f = e.control.fields();
    s << r.trace << ": record " << (d.index + 1);
    if (r.format == Format::jsonl) s << " (line " << (d.index + 2) << ")";
    s << ": " << e.call << " diverges\n";
    s << "  control   " << hex(e.control.raw(), 16) << "  code " << hex(f.code, 4) << ", " << to_string(e.form)
      << " form, rep count " << f.rep_count << ", rep start " << f.rep_start << ", varhead " << f.varhead_qwords
      << " qwords" << (f.nested ? ", nested" : "") << (e.control.reserved_bits() ? ", reserved bits set" : "") << "\n";
    s << "  input     "
      << (e.input.empty() ? std::string("(none)")
                          : to_hex(std::span(e.input).first(std::min<std::size_t>(e.input.size(), 64))))
      << (e.input.size() > 64 ? "..." : "") << " (" << e.input.size() << " bytes)\n";
    s << "  expected  " << status_text(e.result.status()) << ", reps " << e.result.reps_completed() << ", output "
      << (e.output.empty() ? std::string("(none)")
                           : to_hex(std::span(e.output).first(std::min<std::size_t>(e.output.size(), 64))))
      << "\n";
    s << "  got       " << status_text(d.got.result.status()) << ", reps " << d.got.result.reps_completed()
      << ", output "
      << (d.got.output.empty() ? std::string("(none)")
                               : to_hex(std::span(d.got.output).first(std::min<std::size_t>(d.got.output.size(), 64))))
      << "\n";
    for (const auto& m : d.mismatches) s << "  mismatch  " << m << "\n";
    if (!d.got.note.empty()) s << "  " << d.got.note << "\n";
    for (const auto& v : d.got.violations) s << "  model violation: " << hvsim::describe(v) << "\n";
    return s.str();
}

}  // namespace hvsim::traces
