// Trace header profiles and fault plans <-> the model's configuration, through the scenario
// codecs (hvsim/conformance/codecs.hpp); the codecs' refusals become TraceErrors naming the field.
#include <algorithm>

#include "hvsim/conformance/codecs.hpp"
#include "hvsim/traces/replay.hpp"

namespace hvsim::traces {

using nlohmann::json;

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

}  // namespace hvsim::traces
