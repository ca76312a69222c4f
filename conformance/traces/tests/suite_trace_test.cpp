// The built-in suite recorded through the runner's observer replays identically on the model,
// in both formats; without its model-only records it would not (so they are needed, not noise).
#include <catch2/catch_test_macros.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "hvsim/conformance/suite.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/scenario_recorder.hpp"

using namespace hvsim::traces;

namespace {

struct Recorded {
    std::vector<Record> records;
    std::size_t runs = 0, failed = 0;
};

Recorded record_suite() {
    Recorded out;
    ScenarioRecorder recorder([&](const std::string&, const Record& r) { out.records.push_back(r); });
    hvsim::conformance::RunOptions options;
    options.observer = &recorder;
    const auto report = hvsim::conformance::run_scenarios(hvsim::conformance::load_embedded_suite(), options);
    REQUIRE(recorder.sink_error().empty());
    out.runs = report.runs.size() - report.count(hvsim::conformance::RunVerdict::skip);
    out.failed = report.count(hvsim::conformance::RunVerdict::fail);
    return out;
}

// Recorded once for all the tests here: the suite takes a while.
const Recorded& suite_recording() {
    static const Recorded recorded = record_suite();
    return recorded;
}

std::string encode(const std::vector<Record>& records, Format f) {
    const std::string header = R"({"hvsim_trace":1,"producer":"test","profile":{}})";
    std::string s;
    if (f == Format::jsonl) {
        s = header + "\n";
        for (const auto& r : records) s += encode_jsonl(r) + "\n";
        return s;
    }
    // The CBOR writer's framing, through a file: the only way the library writes it.
    const std::string path =
        std::filesystem::temp_directory_path() / ("hvsim-suite-" + std::to_string(::getpid()) + ".cbor");
    {
        TraceWriter w(path, f, Header{kFormatVersion, "test", nlohmann::json::object()});
        for (const auto& r : records) w.write(r);
    }
    s = slurp(path);
    std::filesystem::remove(path);
    return s;
}

ReplayResult replay_on_sim(const std::string& bytes) {
    TraceReader reader(bytes, "suite");
    SimTarget sim(hvsim::MachineConfig{});
    auto res = replay(reader, sim);
    res.trace = "suite";
    return res;
}

std::size_t count_model(const std::vector<Record>& records, const std::string& kind) {
    return static_cast<std::size_t>(std::count_if(records.begin(), records.end(),
                                                  [&](const Record& r) { return r.model && r.model->kind == kind; }));
}

std::vector<Record> without_model(std::vector<Record> records, const std::string& kind) {
    std::erase_if(records, [&](const Record& r) { return r.model && r.model->kind == kind; });
    return records;
}

}  // namespace

TEST_CASE("the whole suite, recorded, replays on the model identically") {
    const Recorded& rec = suite_recording();
    REQUIRE(rec.failed == 0);
    CHECK(count_model(rec.records, "run") == rec.runs);
    CHECK(count_model(rec.records, "faults") > 0);
    CHECK(count_model(rec.records, "guest_access") > 0);
    CHECK(count_model(rec.records, "strict") > 0);
    CHECK(std::any_of(rec.records.begin(), rec.records.end(), [](const Record& r) { return r.at.has_value(); }));
    for (Format f : {Format::jsonl, Format::cbor}) {
        const auto res = replay_on_sim(encode(rec.records, f));
        INFO((res.divergence ? describe(res, *res.divergence) : std::string()));
        CHECK_FALSE(res.divergence);
        CHECK(res.records == rec.records.size());
        CHECK(res.compared == res.records);
        CHECK(res.skipped == 0);
    }
}

TEST_CASE("without its fault plans or guest accesses the suite's trace diverges") {
    const Recorded& rec = suite_recording();
    for (const char* kind : {"faults", "guest_access"}) {
        const auto res = replay_on_sim(encode(without_model(rec.records, kind), Format::jsonl));
        INFO(kind);
        CHECK(res.divergence);
    }
}

namespace {

// The same text with the first character of every "status" value written as a \u escape: the
// same JSON, but outside the fast reader's shape, so every record goes to the DOM reader.
std::string with_escapes(const std::string& jsonl) {
    static constexpr std::string_view key = "\"status\":\"";
    std::string out;
    std::size_t done = 0;
    for (std::size_t at = jsonl.find(key); at != std::string::npos; at = jsonl.find(key, at + 1)) {
        const std::size_t first = at + key.size();
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(jsonl[first]));
        out.append(jsonl, done, first - done).append(escape);
        done = first + 1;
    }
    return out.append(jsonl, done);
}

}  // namespace

TEST_CASE("both readers, fast and DOM, give back the suite's records as written") {
    const Recorded& rec = suite_recording();
    for (Format f : {Format::jsonl, Format::cbor})
        CHECK(parse_trace(encode(rec.records, f), "suite").records == rec.records);
    const std::string escaped = with_escapes(encode(rec.records, Format::jsonl));
    REQUIRE(escaped.find("\"status\":\"\\u0053UCCESS\"") != std::string::npos);
    CHECK(parse_trace(escaped, "escaped").records == rec.records);
}
