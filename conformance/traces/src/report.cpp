// The decoded report of a divergence: the record (call, control fields, input), expected vs
// got, the mismatches and what the target noted.
#include <algorithm>
#include <sstream>

#include "hvsim/diagnostic.hpp"
#include "replay_detail.hpp"

namespace hvsim::traces {

namespace detail {

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

std::string model_text(const ModelAction& a) { return "\"" + a.kind + "\" " + a.args.dump(); }

}  // namespace detail

namespace {

using detail::hex;
using detail::status_text;

// The first 64 bytes in hex, or "(none)".
std::string preview(const std::vector<std::byte>& bytes) {
    if (bytes.empty()) return "(none)";
    return to_hex(std::span(bytes).first(std::min<std::size_t>(bytes.size(), 64)));
}

// "TRACE: record N (line L)": where the divergence is.
void locate(std::ostringstream& s, const ReplayResult& r, const Divergence& d) {
    s << r.trace << ": record " << (d.index + 1);
    if (r.format == Format::jsonl) s << " (line " << (d.index + 2) << ")";
}

void describe_call(std::ostringstream& s, const Record& e, const Divergence& d) {
    const auto f = e.control.fields();
    s << ": " << e.call << " diverges\n";
    s << "  control   " << hex(e.control.raw(), 16) << "  code " << hex(f.code, 4) << ", " << to_string(e.form)
      << " form, rep count " << f.rep_count << ", rep start " << f.rep_start << ", varhead " << f.varhead_qwords
      << " qwords" << (f.nested ? ", nested" : "") << (e.control.reserved_bits() ? ", reserved bits set" : "") << "\n";
    s << "  input     " << preview(e.input) << (e.input.size() > 64 ? "..." : "") << " (" << e.input.size()
      << " bytes)\n";
    s << "  expected  " << status_text(e.result.status()) << ", reps " << e.result.reps_completed() << ", output "
      << preview(e.output) << "\n";
    s << "  got       " << status_text(d.got.result.status()) << ", reps " << d.got.result.reps_completed()
      << ", output " << preview(d.got.output) << "\n";
    for (const auto& m : d.mismatches) s << "  mismatch  " << m << "\n";
    if (!d.got.note.empty()) s << "  " << d.got.note << "\n";
    for (const auto& v : d.got.violations) s << "  model violation: " << hvsim::describe(v) << "\n";
}

}  // namespace

std::string describe(const ReplayResult& r, const Divergence& d) {
    std::ostringstream s;
    locate(s, r, d);
    const Record& e = d.expected;
    if (!e.model) {
        describe_call(s, e, d);
        return s.str();
    }
    s << ": model-only " << detail::model_text(*e.model) << " diverges\n";
    for (const auto& m : d.mismatches) s << "  mismatch  " << m << "\n";
    return s.str();
}

}  // namespace hvsim::traces
