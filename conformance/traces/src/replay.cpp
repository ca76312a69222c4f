// The replay loop: each record re-issued on a target with the ids the target handed out,
// skipped when the target cannot issue it or its outcome could depend on a skipped one, and
// compared otherwise; the first divergence ends the replay.
#include "hvsim/traces/replay.hpp"

#include "replay_detail.hpp"
#include "taints.hpp"

namespace hvsim::traces {

using detail::Taints;

namespace {

class Replay {
public:
    Replay(TraceReader& reader, Target& target) : reader_(reader), target_(target) { res_.format = reader.format(); }

    ReplayResult run(const std::function<void(std::uint64_t)>& progress) {
        while (reader_.next(rec_)) {
            const std::uint64_t index = res_.records++;
            if (progress && (index & 0x3FFF) == 0) progress(index);
            auto mismatches = rec_.model ? model_record(*rec_.model) : call_record();
            if (mismatches.empty()) continue;
            res_.divergence = Divergence{index, rec_, got_, std::nullopt, std::move(mismatches)};
            break;
        }
        while (reader_.next(rec_)) ++res_.records;  // the rest must still be a well-formed trace
        res_.warning = reader_.warning();
        return std::move(res_);
    }

private:
    TraceReader& reader_;
    Target& target_;
    ReplayResult res_;
    IdMap ids_;
    Taints taints_;
    Record rec_, sent_;  // as recorded, and with the target's ids
    Issued got_;

    void skip(const std::string& why) {
        ++res_.skipped;
        ++res_.skip_reasons[why];
    }

    // A model-only record: a "run" starts afresh (ids and taints forgotten); guest_access names a
    // partition. Returns the mismatch, if any.
    std::vector<std::string> model_record(const ModelAction& recorded) {
        if (recorded.kind == "run") {
            ids_ = IdMap{};
            taints_.reset();
        }
        ModelAction a = recorded;
        if (a.kind == "guest_access")
            if (const auto it = a.args.find("partition"); it != a.args.end() && it->is_number_unsigned())
                *it = ids_.get(IdKind::partition, it->get<std::uint64_t>()).value_or(it->get<std::uint64_t>());
        try {
            target_.apply(a, got_);
        } catch (const TraceError& e) {
            throw TraceError(reader_.where() + ": " + e.what());
        }
        if (got_.skipped) {
            // replaced: the target did the same its own way (a fresh partition for a new run)
            if (detail::changes_model(a) && !got_.replaced) taints_.taint_run("\"" + a.kind + "\" model record");
            skip(*got_.skipped);
            return {};
        }
        ++res_.compared;
        ++res_.model_records;
        if (recorded.result == got_.model_result) return {};
        return {"model result: expected " + recorded.result.dump() + ", got " + got_.model_result.dump()};
    }

    // A hypercall record: issued unless the target refuses it or it depends on a skipped one,
    // then compared. Returns the mismatches.
    std::vector<std::string> call_record() {
        sent_ = rec_;
        ids_.substitute(sent_.input, sent_.input_ids);
        std::optional<std::string> dependency;
        if (!target_.refusal(sent_)) dependency = taints_.dependency(rec_);
        if (dependency) {
            got_ = Issued{};
            got_.skipped = std::move(dependency);
            ++res_.dependent;
        } else {
            target_.issue(sent_, got_);
        }
        if (got_.skipped) {
            skipped_call();
            return {};
        }
        ++res_.compared;
        for (const auto& v : got_.violations) ++res_.violations[std::string(v.info().id)];
        return detail::compare_result(rec_, got_.result, got_.output, ids_, got_.defined_output);
    }

    // A skipped call: counted; its stand-in id learnt; what it may have changed tainted.
    void skipped_call() {
        skip(*got_.skipped);
        if (got_.stand_in)
            for (const IdField& f : rec_.output_ids)
                if (f.offset + width(f.kind) <= rec_.output.size())
                    ids_.learn(f.kind, detail::read_id(rec_.output, f), *got_.stand_in);
        if (!got_.replaced && detail::changed_state(rec_)) taints_.taint(rec_);
    }
};

}  // namespace

ReplayResult replay(TraceReader& reader, Target& target, const std::function<void(std::uint64_t)>& progress) {
    return Replay(reader, target).run(progress);
}

}  // namespace hvsim::traces
