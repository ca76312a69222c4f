// Replay and diff: id substitution, comparison, and the decoded divergence report.
#include "hvtrace/replay.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <sstream>

#include "hvcall/status.hpp"
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

bool special(IdKind k, std::uint64_t v) {
    return v == 0 || (k == IdKind::partition ? v == ~0ull : v == 0xFFFFFFFFull);
}

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
    std::string s = std::string(what) + ": expected " + std::to_string(want.size()) + " bytes, got " +
                    std::to_string(got.size());
    if (want.size() == got.size()) s = std::string(what) + ": " + std::to_string(want.size()) + " bytes";
    s += "; first difference at byte " + std::to_string(i);
    auto window = [&](std::span<const std::byte> b) {
        const std::size_t from = i;
        return to_hex(b.subspan(std::min(from, b.size()), std::min<std::size_t>(16, b.size() - std::min(from, b.size()))));
    };
    s += " (expected " + (i < want.size() ? window(want) : std::string("<end>")) + ", got " +
         (i < got.size() ? window(got) : std::string("<end>")) + ")";
    return s;
}

// Compares the result of one call; learns ids from the output. Returns the mismatches.
std::vector<std::string> compare_result(const Record& want, hvcall::HypercallResult got_result,
                                        std::vector<std::byte> got_output, IdMap& ids) {
    std::vector<std::string> out;
    if (want.result.status() != got_result.status())
        out.push_back("status: expected " + status_text(want.result.status()) + ", got " + status_text(got_result.status()));
    if (want.result.reps_completed() != got_result.reps_completed())
        out.push_back("reps completed: expected " + std::to_string(want.result.reps_completed()) + ", got " +
                      std::to_string(got_result.reps_completed()));
    std::vector<std::byte> expected = want.output;
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

void BackendTarget::issue(const Record& r, Issued& out) {
    out = Issued{};
    const hvcall::CallInfo* c = hvcall::find_call(r.control.code());
    if (r.form == Form::memory) {
        auto page = backend_.input_page();
        std::memcpy(page.data(), r.input.data(), std::min<std::size_t>(r.input.size(), page.size()));
        out.result = backend_.hypercall(r.control);
        const std::uint32_t n = output_written(c, r.form, r.control, out.result);
        const auto o = backend_.output_page();
        out.output.assign(o.begin(), o.begin() + n);
    } else if (r.form == Form::fast) {
        std::uint64_t rdx = 0, r8 = 0;
        std::memcpy(&rdx, r.input.data(), std::min<std::size_t>(8, r.input.size()));
        if (r.input.size() > 8) std::memcpy(&r8, r.input.data() + 8, std::min<std::size_t>(8, r.input.size() - 8));
        out.result = backend_.hypercall_fast(r.control, rdx, r8);
    } else {
        hvcall::XmmRegisters regs{};
        std::memcpy(regs.data(), r.input.data(), std::min<std::size_t>(r.input.size(), sizeof regs));
        out.result = backend_.hypercall_fast_xmm(r.control, regs);
        const std::uint32_t n = output_written(c, r.form, r.control, out.result);
        const auto bytes = std::as_bytes(std::span(regs)).subspan(xmm_output_offset(c, r.control));
        out.output.assign(bytes.begin(), bytes.begin() + std::min<std::size_t>(n, bytes.size()));
    }
    if (machine_ != nullptr && machine_->last_diagnostic()) out.note = "model: " + hvsim::describe(*machine_->last_diagnostic());
}

SimTarget::SimTarget(const MachineConfig& config)
    : machine_(std::make_unique<Machine>(config)), backend_(*machine_), target_(backend_, "sim", machine_.get()) {}

json profile_for(const MachineConfig& c) {
    return json{{"backend", "sim"},
                {"machine",
                 {{"cpus", c.cpus},
                  {"ram_bytes", c.ram_bytes},
                  {"percpu_base", c.percpu_base},
                  {"root_partition_id", c.root_partition_id},
                  {"strict", c.strict},
                  {"reject_spec_only", c.reject_spec_only},
                  {"hypervisor_restarts_reps", c.hypervisor_restarts_reps},
                  {"max_vps", c.max_vps},
                  {"guest_address_bits", c.guest_address_bits},
                  {"costs",
                   {{"create_partition", c.costs.create_partition},
                    {"initialize_partition", c.costs.initialize_partition},
                    {"vp", c.costs.vp},
                    {"port", c.costs.port},
                    {"page_table", c.costs.page_table}}}}}};
}

MachineConfig config_from_profile(const json& profile, const std::string& trace_name) {
    MachineConfig c;
    const auto it = profile.find("machine");
    if (it == profile.end()) return c;
    auto bad = [&](const std::string& key, const char* expected) {
        throw TraceError(trace_name + ": header: \"profile.machine." + key + "\" must be " + expected);
    };
    if (!it->is_object()) throw TraceError(trace_name + ": header: \"profile.machine\" must be an object");
    auto num = [&](const json& o, const char* key, auto& field, const std::string& prefix) {
        const auto f = o.find(key);
        if (f == o.end()) return;
        using T = std::remove_reference_t<decltype(field)>;
        if (!f->is_number_unsigned() || f->template get<std::uint64_t>() > std::numeric_limits<T>::max())
            bad(prefix + key, "an unsigned integer that fits its field");
        field = static_cast<T>(f->template get<std::uint64_t>());
    };
    auto flag = [&](const char* key, bool& field) {
        const auto f = it->find(key);
        if (f == it->end()) return;
        if (!f->is_boolean()) bad(key, "true or false");
        field = f->get<bool>();
    };
    const json& m = *it;
    num(m, "cpus", c.cpus, "");
    num(m, "ram_bytes", c.ram_bytes, "");
    num(m, "percpu_base", c.percpu_base, "");
    num(m, "root_partition_id", c.root_partition_id, "");
    num(m, "max_vps", c.max_vps, "");
    num(m, "guest_address_bits", c.guest_address_bits, "");
    flag("strict", c.strict);
    flag("reject_spec_only", c.reject_spec_only);
    flag("hypervisor_restarts_reps", c.hypervisor_restarts_reps);
    if (const auto k = m.find("costs"); k != m.end()) {
        if (!k->is_object()) bad("costs", "an object");
        num(*k, "create_partition", c.costs.create_partition, "costs.");
        num(*k, "initialize_partition", c.costs.initialize_partition, "costs.");
        num(*k, "vp", c.costs.vp, "costs.");
        num(*k, "port", c.costs.port, "costs.");
        num(*k, "page_table", c.costs.page_table, "costs.");
    }
    if (c.cpus == 0 || c.cpus > 256) bad("cpus", "from 1 to 256");
    if (c.ram_bytes == 0 || c.ram_bytes % hvcall::kPageSize != 0 || c.ram_bytes > (1ull << 40))
        bad("ram_bytes", "a non-zero multiple of 4096 up to 1 TiB");
    if (c.percpu_base % hvcall::kPageSize != 0 || c.percpu_base + 8192ull * c.cpus > c.ram_bytes)
        bad("percpu_base", "page aligned, with every CPU's two pages inside RAM");
    return c;
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

ReplayResult replay(TraceReader& reader, Target& target, const std::function<void(std::uint64_t)>& progress) {
    ReplayResult res;
    res.format = reader.format();
    IdMap ids;
    Record rec, sent;
    Issued got;
    while (reader.next(rec)) {
        const std::uint64_t index = res.records++;
        if (progress && (index & 0x3FFF) == 0) progress(index);
        sent = rec;
        ids.substitute(sent.input, sent.input_ids);
        target.issue(sent, got);
        if (got.skipped) {
            ++res.skipped;
            ++res.skip_reasons[*got.skipped];
            if (got.stand_in)
                for (const IdField& f : rec.output_ids)
                    if (f.offset + width(f.kind) <= rec.output.size()) ids.learn(f.kind, read_id(rec.output, f), *got.stand_in);
            continue;
        }
        ++res.compared;
        auto mismatches = compare_result(rec, got.result, got.output, ids);
        if (!mismatches.empty()) {
            res.divergence = Divergence{index, rec, got, std::nullopt, std::move(mismatches)};
            break;
        }
    }
    while (reader.next(rec)) ++res.records;  // the rest must still be a well-formed trace
    res.warning = reader.warning();
    return res;
}

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
            d.mismatches.push_back(more_a ? b_name + " ends here; " + std::to_string(index) + " records against more in the first"
                                          : "the first trace ends here; " + b_name + " has more records");
            res.divergence = std::move(d);
            break;
        }
        std::vector<std::string> mm;
        if (ra.call != rb.call) mm.push_back("call: expected " + ra.call + ", got " + rb.call);
        if (ra.form != rb.form)
            mm.push_back("form: expected " + std::string(to_string(ra.form)) + ", got " + std::string(to_string(rb.form)));
        if (ra.control != rb.control)
            mm.push_back("control: expected " + hex(ra.control.raw(), 16) + ", got " + hex(rb.control.raw(), 16));
        std::vector<std::byte> in = ra.input;
        ids.substitute(in, ra.input_ids);
        if (in != rb.input) mm.push_back(bytes_mismatch(in, rb.input, "input"));
        if (mm.empty()) mm = compare_result(ra, rb.result, rb.output, ids);
        ++res.compared;
        if (!mm.empty()) {
            Issued got;
            got.result = rb.result;
            got.output = rb.output;
            res.divergence = Divergence{index, ra, got, rb, std::move(mm)};
            break;
        }
    }
    while (a.next(ra)) {}  // both must still be well-formed traces
    while (b.next(rb)) {}
    res.warning = a.warning() ? a.warning() : b.warning();
    return res;
}

std::string describe(const ReplayResult& r, const Divergence& d) {
    std::ostringstream s;
    const Record& e = d.expected;
    const auto f = e.control.fields();
    s << r.trace << ": record " << (d.index + 1);
    if (r.format == Format::jsonl) s << " (line " << (d.index + 2) << ")";
    s << ": " << e.call << " diverges\n";
    s << "  control   " << hex(e.control.raw(), 16) << "  code " << hex(f.code, 4) << ", " << to_string(e.form)
      << " form, rep count " << f.rep_count << ", rep start " << f.rep_start << ", varhead " << f.varhead_qwords
      << " qwords" << (f.nested ? ", nested" : "") << (e.control.reserved_bits() ? ", reserved bits set" : "") << "\n";
    s << "  input     " << (e.input.empty() ? std::string("(none)") : to_hex(std::span(e.input).first(std::min<std::size_t>(e.input.size(), 64))))
      << (e.input.size() > 64 ? "..." : "") << " (" << e.input.size() << " bytes)\n";
    s << "  expected  " << status_text(e.result.status()) << ", reps " << e.result.reps_completed() << ", output "
      << (e.output.empty() ? std::string("(none)") : to_hex(std::span(e.output).first(std::min<std::size_t>(e.output.size(), 64)))) << "\n";
    s << "  got       " << status_text(d.got.result.status()) << ", reps " << d.got.result.reps_completed() << ", output "
      << (d.got.output.empty() ? std::string("(none)") : to_hex(std::span(d.got.output).first(std::min<std::size_t>(d.got.output.size(), 64)))) << "\n";
    for (const auto& m : d.mismatches) s << "  mismatch  " << m << "\n";
    if (!d.got.note.empty()) s << "  " << d.got.note << "\n";
    return s.str();
}

}  // namespace hvsim::traces
