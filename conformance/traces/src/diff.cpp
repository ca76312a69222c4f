// Diff: two traces compared record by record, ids mapped from the first's to the second's as
// the second hands them out.
#include "replay_detail.hpp"

namespace hvsim::traces {

using detail::bytes_mismatch;
using detail::hex;
using detail::model_text;

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
    if (mm.empty()) mm = detail::compare_result(ra, rb.result, rb.output, ids);
    return mm;
}

// One trace ended before the other: the divergence at `index`.
Divergence length_mismatch(std::uint64_t index, bool more_a, const Record& ra, const Record& rb,
                           const std::string& b_name) {
    Divergence d;
    d.index = index;
    d.expected = more_a ? ra : rb;
    if (!more_a) d.got_record = rb;
    d.mismatches.push_back(more_a
                               ? b_name + " ends here; " + std::to_string(index) + " records against more in the first"
                               : "the first trace ends here; " + b_name + " has more records");
    return d;
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
            res.divergence = length_mismatch(index, more_a, ra, rb, b_name);
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

}  // namespace hvsim::traces
