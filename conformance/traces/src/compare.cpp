// One call's result against its record: status, reps completed and output, with the ids the
// target hands out learnt as they appear.
#include <algorithm>

#include "replay_detail.hpp"

namespace hvsim::traces::detail {

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

namespace {

// The recorded output with its id fields in the target's ids: mapped ones substituted, new ones
// (handed out by this call) learnt from what the target wrote.
void map_output_ids(const Record& want, std::vector<std::byte>& expected, const std::vector<std::byte>& got_output,
                    IdMap& ids) {
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

}  // namespace

std::vector<std::string> compare_result(const Record& want, hvcall::HypercallResult got_result,
                                        std::vector<std::byte> got_output, IdMap& ids,
                                        std::optional<std::size_t> defined) {
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
    if (expected.size() == got_output.size()) map_output_ids(want, expected, got_output, ids);
    if (expected != got_output) out.push_back(bytes_mismatch(expected, got_output, "output"));
    return out;
}

}  // namespace hvsim::traces::detail
