// Record -> replay on the model is identical; a changed result is reported with context; a
// recording killed with SIGKILL leaves a readable prefix.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <csignal>
#include <filesystem>

#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/workload.hpp"

using namespace hvsim::traces;
using Catch::Matchers::ContainsSubstring;

namespace {

std::string record_to_string(const std::string& workload, Format f, hvsim::MachineConfig config = {}) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("hvsim-rr-" + std::to_string(::getpid()) + (f == Format::cbor ? ".cbor" : ".jsonl")))
                                 .string();
    {
        hvsim::Machine m(config);
        hvsim::SimBackend sim(m);
        hvsim::HostPageSource pages(m);
        TraceWriter w(path, f, Header{kFormatVersion, "test", profile_for(config)});
        RecordingBackend rec(sim, [&](const Record& r) { w.write(r); });
        WorkloadEnv env{rec, pages, config.root_partition_id};
        REQUIRE(run_workload(workload, env));
    }
    std::string bytes = slurp(path);
    std::filesystem::remove(path);
    return bytes;
}

ReplayResult replay_bytes(const std::string& bytes) {
    TraceReader reader(bytes, "t");
    SimTarget sim(config_from_profile(reader.header().profile, "t: header: \"profile"));
    auto r = replay(reader, sim);
    r.trace = "t";
    return r;
}

}  // namespace

TEST_CASE("record then replay on the model is identical") {
    for (const char* w : {"lifecycle", "passthrough", "scale:50"}) {
        for (Format f : {Format::jsonl, Format::cbor}) {
            const auto res = replay_bytes(record_to_string(w, f));
            INFO(w << (res.divergence ? describe(res, *res.divergence) : ""));
            CHECK_FALSE(res.divergence);
            CHECK(res.compared == res.records);
            CHECK(res.records > 10);
        }
    }
}

TEST_CASE("strict mode recordings replay identically too") {
    hvsim::MachineConfig c;
    c.strict = true;
    const auto res = replay_bytes(record_to_string("lifecycle", Format::jsonl, c));
    INFO((res.divergence ? describe(res, *res.divergence) : ""));
    CHECK_FALSE(res.divergence);
}

TEST_CASE("a divergence names the record, the call, expected vs got and the model's rule") {
    std::string bytes = record_to_string("passthrough", Format::jsonl);
    // The first successful get_partition_property now claims a different value.
    const auto at = bytes.find("\"call\":\"get_partition_property\"");
    REQUIRE(at != std::string::npos);
    const auto out = bytes.find("\"output\":\"", at) + 10;
    bytes[out] = bytes[out] == 'f' ? '0' : 'f';
    const auto res = replay_bytes(bytes);
    REQUIRE(res.divergence);
    const std::string text = describe(res, *res.divergence);
    CHECK_THAT(text, ContainsSubstring("get_partition_property diverges"));
    CHECK_THAT(text, ContainsSubstring("mismatch  output"));

    // A recorded rejection that the model now accepts: the report says which.
    std::string b2 = record_to_string("passthrough", Format::jsonl);
    const auto s = b2.find("\"status\":\"INVALID_VP_INDEX\"");
    REQUIRE(s != std::string::npos);
    const auto line_start = b2.rfind('\n', s) + 1;
    const auto line_end = b2.find('\n', s);
    std::string line = b2.substr(line_start, line_end - line_start);
    // Expect SUCCESS where the model rejects: result word 0, status SUCCESS.
    const auto r = line.find("\"result\":\"");
    line.replace(r + 10, 18, "0x0000000000000000");
    line.replace(line.find("\"status\":\"INVALID_VP_INDEX\""), 27, "\"status\":\"SUCCESS\"");
    b2.replace(line_start, line_end - line_start, line);
    const auto res2 = replay_bytes(b2);
    REQUIRE(res2.divergence);
    const std::string text2 = describe(res2, *res2.divergence);
    CHECK_THAT(text2, ContainsSubstring("status: expected SUCCESS"));
    CHECK_THAT(text2, ContainsSubstring("model: "));
}

TEST_CASE("a sim replay reports the spec-only violations the model let through, and shows them at a divergence") {
    // get_partition_id with bit 31 (Is Nested): hardware-like, the model records control.nested and answers.
    const std::string header = R"({"hvsim_trace":1,"producer":"test","profile":{"backend":"sim"}})";
    const std::string accepted =
        R"({"call":"get_partition_id","control":"0x0000000080000046","form":"memory","input":"",)"
        R"("output":"0100000000000000","output_size":8,"reps":0,"result":"0x0000000000000000","status":"SUCCESS"})";
    const auto res = replay_bytes(header + "\n" + accepted + "\n" + accepted + "\n");
    INFO((res.divergence ? describe(res, *res.divergence) : ""));
    CHECK_FALSE(res.divergence);
    CHECK(res.violations == std::map<std::string, std::uint64_t>{{"control.nested", 2}});

    // A trace that saw the call rejected (as the model did before spec-only rules recorded by
    // default) diverges, and the report names the violation the model recorded instead.
    const std::string rejected =
        R"({"call":"get_partition_id","control":"0x0000000080000046","form":"memory","input":"",)"
        R"("output":"","output_size":8,"reps":0,"result":"0x0000000000000003","status":"INVALID_HYPERCALL_INPUT"})";
    const auto old = replay_bytes(header + "\n" + rejected + "\n");
    REQUIRE(old.divergence);
    CHECK_THAT(describe(old, *old.divergence), ContainsSubstring("model violation: control.nested: "));

    // Recorded with spec-only rejection on, it replays equal with no violation.
    const std::string rejecting =
        R"({"hvsim_trace":1,"producer":"test","profile":{"backend":"sim","machine":{"reject_spec_only":true}}})";
    const auto strict = replay_bytes(rejecting + "\n" + rejected + "\n");
    CHECK_FALSE(strict.divergence);
    CHECK(strict.violations.empty());
}

TEST_CASE("an off-page call through a RecordingBackend makes the record the runner always made") {
    // Golden lines of corpus/traces/suite/generic.jsonl, each a run's first call on a default
    // machine: input misaligned; output crossing a page (both blocks read); input outside RAM.
    struct Case {
        std::uint16_t code;
        std::uint64_t control, input_gpa, output_gpa;
        std::size_t input_bytes, output_bytes;
        const char* golden;
    };
    const Case cases[] = {
        {0x48, 0x0000000100000048, 0x100004, 0x101000, 16, 0,
         R"({"at":["0x0000000000100004","0x0000000000101000"],"call":"deposit_memory","control":"0x0000000100000048",)"
         R"("form":"memory","input":"ffffffffffffffff0030000000000000","output":"","output_size":0,"reps":0,)"
         R"("result":"0x0000000000000004","status":"INVALID_ALIGNMENT"})"},
        {0x49, 0x0000000200000049, 0x100000, 0x101ff8, 16, 16,
         R"({"at":["0x0000000000100000","0x0000000000101ff8"],"call":"withdraw_memory","control":"0x0000000200000049",)"
         R"("form":"memory","input":"77000000000000000000000000000000","output":"00000000000000000000000000000000",)"
         R"("output_size":16,"reps":0,"result":"0x0000000000000004","status":"INVALID_ALIGNMENT"})"},
        {0x48, 0x0000000100000048, 0x40000000, 0x101000, 16, 0,
         R"({"at":["0x0000000040000000","0x0000000000101000"],"call":"deposit_memory","control":"0x0000000100000048",)"
         R"("form":"memory","input":"","output":"","output_size":0,"reps":0,"result":"0x0000000000000004",)"
         R"("status":"INVALID_ALIGNMENT"})"},
    };
    for (const Case& c : cases) {
        INFO(c.golden);
        hvsim::Machine m;
        hvsim::SimBackend sim(m);
        std::vector<Record> out;
        RecordingBackend rec(sim, [&](const Record& r) { out.push_back(r); });
        std::vector<std::byte> input(c.input_bytes);
        if (c.code == 0x48) {  // the root's id, then the first page number
            std::fill_n(input.begin(), 8, std::byte{0xFF});
            input[9] = std::byte{0x30};
        } else {
            input[0] = std::byte{0x77};  // partition id 0x77, one page
        }
        std::vector<std::byte> output(c.output_bytes);
        (void)rec.input_page();  // as the runner does: strict mode would poison it here
        const auto placed =
            rec.hypercall_at(hvcall::Control::from_raw(c.control), c.input_gpa, input, c.output_gpa, output);
        CHECK(placed.supported);
        CHECK(placed.result.status() == hvcall::Status::INVALID_ALIGNMENT);
        REQUIRE(out.size() == 1);
        CHECK(encode_jsonl(out[0]) == c.golden);
    }
}

TEST_CASE("an off-page call that succeeds records its output, and the sim replays it") {
    hvsim::Machine m;
    hvsim::SimBackend sim(m);
    std::vector<Record> out;
    RecordingBackend rec(sim, [&](const Record& r) { out.push_back(r); });
    std::array<std::byte, 8> id{};
    const std::uint64_t at = m.output_page_gpa(0) + 8;  // aligned, inside the page: the call goes on
    const auto placed = rec.hypercall_at(hvcall::Control::simple(0x46), m.input_page_gpa(0), {}, at, id);
    REQUIRE(placed.result.ok());
    CHECK_FALSE(placed.input_placed);  // nothing to place
    CHECK(placed.output_read);
    REQUIRE(out.size() == 1);
    CHECK(out[0].at == Placement{m.input_page_gpa(0), at});
    CHECK(out[0].output == std::vector<std::byte>(id.begin(), id.end()));
    CHECK(out[0].output_ids.empty());
    const std::string header = R"({"hvsim_trace":1,"producer":"test","profile":{"backend":"sim"}})";
    const auto res = replay_bytes(header + "\n" + encode_jsonl(out[0]) + "\n");
    CHECK_FALSE(res.divergence);
    CHECK(res.compared == 1);
}

TEST_CASE("ids handed out differently are substituted") {
    hvsim::MachineConfig c;
    c.root_partition_id = 5;  // the model then numbers new partitions differently too? at least the root differs
    const std::string bytes = record_to_string("lifecycle", Format::jsonl, c);
    TraceReader reader(bytes, "t");
    SimTarget sim(hvsim::MachineConfig{});  // replay on a machine whose root id is 1
    const auto res = replay(reader, sim);
    CHECK_FALSE(res.divergence);
}

TEST_CASE("a recording killed with SIGKILL leaves a readable prefix") {
    for (Format f : {Format::jsonl, Format::cbor}) {
        const std::string path = (std::filesystem::temp_directory_path() / ("hvsim-kill-" + std::to_string(::getpid()) +
                                                                            (f == Format::cbor ? ".cbor" : ".jsonl")))
                                     .string();
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(ready[0]);
            hvsim::Machine m;
            hvsim::SimBackend sim(m);
            hvsim::HostPageSource pages(m);
            TraceWriter w(path, f, Header{kFormatVersion, "test", profile_for(m.config())});
            bool told = false;
            RecordingBackend rec(sim, [&](const Record& r) {
                w.write(r);
                if (!told && w.records() >= 1000) {
                    told = true;
                    const char c = 1;
                    (void)!::write(ready[1], &c, 1);
                }
            });
            WorkloadEnv env{rec, pages, 1};
            for (;;) (void)run_workload("scale:100000", env);  // until killed
        }
        ::close(ready[1]);
        char c = 0;
        REQUIRE(::read(ready[0], &c, 1) == 1);
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ::close(ready[0]);
        CHECK(WIFSIGNALED(status));
        const Trace t = read_trace(path);  // throws on anything but a cut-off tail
        CHECK(t.records.size() >= 1000);
        TraceReader reader(slurp(path), path);
        SimTarget sim(hvsim::MachineConfig{});
        const auto res = replay(reader, sim);
        CHECK_FALSE(res.divergence);
        std::filesystem::remove(path);
    }
}
