// The format: both encodings carry the same records; cut-off tails warn; malformations name
// the line and what was expected.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <unistd.h>
#include <cstdio>
#include <filesystem>

#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/workload.hpp"

using namespace hvsim::traces;
using Catch::Matchers::ContainsSubstring;

namespace {

std::vector<Record> record_workload(const std::string& name) {
    hvsim::Machine m;
    hvsim::SimBackend sim(m);
    hvsim::HostPageSource pages(m);
    std::vector<Record> out;
    RecordingBackend rec(sim, [&](const Record& r) { out.push_back(r); });
    WorkloadEnv env{rec, pages, m.config().root_partition_id};
    REQUIRE(run_workload(name, env));
    return out;
}

std::string temp_path(const std::string& leaf) {
    return (std::filesystem::temp_directory_path() / ("hvsim-trace-" + std::to_string(::getpid()) + "-" + leaf))
        .string();
}

}  // namespace

TEST_CASE("JSON Lines and CBOR carry the same records") {
    const auto records = record_workload("lifecycle");
    REQUIRE(records.size() > 20);
    Header h{kFormatVersion, "test", profile_for(hvsim::MachineConfig{})};
    for (Format f : {Format::jsonl, Format::cbor}) {
        const std::string path = temp_path(f == Format::jsonl ? "a.jsonl" : "a.cbor");
        {
            TraceWriter w(path, f, h);
            for (const auto& r : records) w.write(r);
        }
        const Trace t = read_trace(path);
        CHECK(t.format == f);
        CHECK(t.header == h);
        CHECK(t.records == records);
        CHECK_FALSE(t.warning);
        std::filesystem::remove(path);
    }
}

TEST_CASE("a cut-off last record is a warning and the prefix stays readable") {
    const auto records = record_workload("passthrough");
    Header h{kFormatVersion, "test", profile_for(hvsim::MachineConfig{})};
    for (Format f : {Format::jsonl, Format::cbor}) {
        std::string bytes = f == Format::jsonl ? "" : "";
        const std::string path = temp_path("cut");
        {
            TraceWriter w(path, f, h);
            for (const auto& r : records) w.write(r);
        }
        bytes = slurp(path);
        std::filesystem::remove(path);
        const std::string last = f == Format::jsonl ? encode_jsonl(records.back()) + "\n" : encode_cbor(records.back());
        for (std::size_t cut : {std::size_t{1}, std::size_t{3}, last.size() / 2, last.size() - 1}) {
            const Trace t = parse_trace(std::string_view(bytes).substr(0, bytes.size() - cut), "cut");
            if (f == Format::jsonl && cut == 1) {  // only the newline went: the record is whole
                CHECK(t.records.size() == records.size());
                continue;
            }
            CHECK(t.records.size() == records.size() - 1);
            REQUIRE(t.warning);
            CHECK_THAT(*t.warning, ContainsSubstring("cut off"));
        }
    }
}

TEST_CASE("a malformed record names the line and what was expected") {
    const std::string head = R"({"hvsim_trace":1,"producer":"t","profile":{}})"
                             "\n";
    CHECK_THROWS_WITH(parse_trace(head + "{}\n", "x.jsonl"),
                      ContainsSubstring("x.jsonl: line 2: expected key \"call\""));
    CHECK_THROWS_WITH(parse_trace(head + "nope\n", "x.jsonl"), ContainsSubstring("line 2: not valid JSON"));
}

TEST_CASE("an empty file is a trace of nothing recorded, with a warning") {
    const Trace t = parse_trace("", "x.jsonl");
    CHECK(t.records.empty());
    REQUIRE(t.warning.has_value());
    CHECK_THAT(*t.warning, ContainsSubstring("x.jsonl: the file is empty: nothing was recorded"));
}
