// A trace refuses a machine or a fault plan exactly where a scenario does, for the same reason:
// both readers go through the shared codecs and only wrap the error in their own style.
#include <catch2/catch_test_macros.hpp>

#include <span>
#include <string>

#include "hvsim/conformance/scenario.hpp"
#include "hvsim/traces/replay.hpp"

using nlohmann::json;

namespace {

struct Case {
    const char* value;    // the machine or fault plan
    const char* pointer;  // the scenario loader's spelling of the field, under /machine or /faults
    const char* dotted;   // the trace reader's, under "profile.machine" or "args"
};

// The reason the scenario loader gives, after "FILE: at POINTER: ".
std::string scenario_reason(const std::string& key, const Case& c) {
    const std::string text = R"({"name": "x", ")" + key + R"(": )" + c.value + R"(, "steps": [{"raw": 70}]})";
    try {
        (void)hvsim::conformance::load_scenarios("s.json", text);
    } catch (const hvsim::conformance::LoadError& e) {
        const std::string prefix = "s.json: at /" + key + c.pointer + ": ";
        const std::string msg = e.what();
        REQUIRE(msg.starts_with(prefix));
        return msg.substr(prefix.size());
    }
    FAIL("the scenario loader accepted it");
    return {};
}

// `read` (the trace reader) refuses each case with `where` + its dotted field and the reason the
// scenario loader gives for it under `key`.
template <class Read>
void check_agree(const char* key, const std::string& where, std::span<const Case> cases, Read read) {
    for (const auto& c : cases) {
        INFO(c.value);
        const std::string reason = scenario_reason(key, c);
        try {
            (void)read(json::parse(c.value));
            FAIL("the trace reader accepted it");
        } catch (const hvsim::traces::TraceError& e) {
            CHECK(std::string(e.what()) == where + c.dotted + "\": " + reason);
        }
    }
}

}  // namespace

TEST_CASE("a trace profile refuses a machine exactly where a scenario does", "[readers]") {
    const Case cases[] = {
        {R"({"guest_address_bits": 5})", "/guest_address_bits", ".guest_address_bits"},
        {R"({"cpus": 0})", "/cpus", ".cpus"},
        {R"({"ram_bytes": "64KiB"})", "/ram_bytes", ".ram_bytes"},
        {R"({"mmio": [{"first": 16, "count": 1}]})", "/mmio/0/first", ".mmio[0].first"},
        {R"({"mmio": [{"first": 262144, "count": 18446744073709551615}]})", "/mmio/0/count", ".mmio[0].count"},
        {R"({"costs": {"vp_root": "x"}})", "/costs/vp_root", ".costs.vp_root"},
        {R"({"max_vps": -1})", "/max_vps", ".max_vps"},
    };
    check_agree("machine", "t: header: \"profile.machine", cases, [](const json& machine) {
        return hvsim::traces::config_from_profile(json{{"machine", machine}}, "t: header: \"profile");
    });
}

TEST_CASE("a trace's fault plan is refused exactly where a scenario's is", "[readers]") {
    const Case cases[] = {
        {R"({"rep_ends": [{"call": 0, "after": 0}]})", "/rep_ends/0/after", ".rep_ends[0].after"},
        {R"({"statuses": [{"code": 70, "nth": 0, "status": 0}]})", "/statuses/0/status", ".statuses[0].status"},
        {R"({"random_ends": {"seed": 1, "per_mille": 1001}})", "/random_ends/per_mille", ".random_ends.per_mille"},
        {R"({"failing_allocations": [1.5]})", "/failing_allocations/0", ".failing_allocations[0]"},
    };
    check_agree("faults", "\"args", cases,
                [](const json& plan) { return hvsim::traces::plan_from_json(plan, "\"args"); });
}
