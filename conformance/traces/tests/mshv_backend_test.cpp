// The mshv backend over a fake device that plays the kernel: replays of allow-listed calls
// match the model; the kernel's checks, id overwrite and cleanup (also on SIGINT) hold. The
// golden suite traces replay without divergence: records the backend cannot issue are skipped,
// and so is everything whose outcome could depend on them; a tampered expectation still diverges.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_mshv.hpp"
#include "hvcall/types/partition.hpp"
#include "hvsim/host_pages.hpp"
#include "hvtrace/mshv_uapi.hpp"
#include "hvtrace/recording_backend.hpp"
#include "hvtrace/workload.hpp"

using namespace hvsim::traces;
using hvsim::traces::testing::FakeMshv;
using Catch::Matchers::ContainsSubstring;

namespace {

std::vector<Record> record(const std::string& workload) {
    hvsim::Machine m;
    hvsim::SimBackend sim(m);
    hvsim::HostPageSource pages(m);
    std::vector<Record> out;
    RecordingBackend rec(sim, [&](const Record& r) { out.push_back(r); });
    WorkloadEnv env{rec, pages, 1};
    REQUIRE(run_workload(workload, env));
    return out;
}

std::string as_jsonl(const std::vector<Record>& records) {
    std::string s = R"({"hvsim_trace":1,"producer":"test","profile":{}})"
                    "\n";
    for (const auto& r : records) s += encode_jsonl(r) + "\n";
    return s;
}

std::vector<std::string> suite_traces() {
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(HVSIM_SUITE_TRACES_DIR))
        if (e.path().extension() == ".jsonl") paths.push_back(e.path().string());
    std::sort(paths.begin(), paths.end());
    return paths;
}

// One replay on a fresh model behind a fresh fake device, as `hvsim replay --backend mshv` does
// it on hardware; the backend must leave no partition behind.
ReplayResult replay_on_mshv(const std::string& bytes, const std::string& name) {
    hvsim::Machine m;
    FakeMshv fake(m);
    ReplayResult res;
    {
        MshvBackend backend(fake, MshvOptions{});
        MshvTarget target(backend);
        TraceReader reader(bytes, name);
        res = replay(reader, target);
        res.trace = name;
    }
    CHECK(fake.live_partitions() == 0);
    return res;
}

std::uint64_t reason_count(const ReplayResult& r, const std::string& part) {
    std::uint64_t n = 0;
    for (const auto& [why, count] : r.skip_reasons)
        if (why.find(part) != std::string::npos) n += count;
    return n;
}

bool passable(const Record& r) {
    return !r.model && !r.at && mshv::allowed(r.control.code()) && !MshvBackend::refusal(r.control);
}

// Measured on the 38 suite traces: 119 of their 6000 records compared (of 440 allow-listed
// memory-form calls; the rest depend on skipped state or target other partitions). The floor
// leaves a little room, but fails if the dependency rule starts skipping what it need not.
constexpr std::uint64_t kComparedFloor = 100;

}  // namespace

TEST_CASE("replaying allow-listed calls through the mshv backend matches the model") {
    const auto records = record("passthrough");
    std::size_t passable_calls = 0;
    for (const auto& r : records)
        if (passable(r)) ++passable_calls;
    REQUIRE(passable_calls >= 10);

    const std::string bytes = as_jsonl(records);
    hvsim::Machine m;
    FakeMshv fake(m);
    {
        MshvBackend backend(fake, MshvOptions{});
        MshvTarget target(backend);
        TraceReader reader(bytes, "passthrough");
        auto res = replay(reader, target);
        res.trace = "passthrough";
        INFO((res.divergence ? describe(res, *res.divergence) : std::string()));
        CHECK_FALSE(res.divergence);
        CHECK(res.compared == passable_calls);
        CHECK(res.skipped == records.size() - passable_calls);
        bool stood_in = false;
        for (const auto& [why, n] : res.skip_reasons) stood_in |= why.find("stands in") != std::string::npos;
        CHECK(stood_in);
        CHECK(fake.live_partitions() == 1);
    }
    for (std::uint16_t code : mshv::kAllowList) {  // every allow-listed call was compared, none only skipped
        INFO("allow-listed code " << code);
        CHECK(std::any_of(records.begin(), records.end(), [&](const Record& r) {
            return r.control.code() == code && !MshvBackend::refusal(r.control);
        }));
    }
    CHECK(fake.live_partitions() == 0);  // deleted on destruction
    CHECK(fake.open_fds() == 0);
}

TEST_CASE("the kernel overwrites the partition id; other calls are refused with a reason") {
    hvsim::Machine m;
    FakeMshv fake(m);
    MshvBackend backend(fake, MshvOptions{});
    auto in = backend.input_page();
    std::memset(in.data(), 0, 16);
    const std::uint64_t bogus = 0x4242;
    std::memcpy(in.data(), &bogus, 8);
    const std::uint32_t code = hvcall::property::privilege_flags;
    std::memcpy(in.data() + 8, &code, 4);
    const auto r = backend.hypercall(hvcall::Control::simple(0x44));
    CHECK(r.ok());
    CHECK(backend.last_error().empty());

    const auto refused = backend.hypercall(hvcall::Control::simple(0x46));  // get_partition_id: not allow-listed
    CHECK(r.raw() != refused.raw());
    CHECK_THAT(backend.last_error(), ContainsSubstring("not in the MSHV_ROOT_HVCALL allow-list"));
    (void)backend.hypercall_fast(hvcall::Control::fast_simple(0x56), 0, 0);
    CHECK_THAT(backend.last_error(), ContainsSubstring("fast form"));
    const auto rep_start = hvcall::Control::rep(0x50, 2, 1);
    REQUIRE(rep_start);
    (void)backend.hypercall(*rep_start);
    CHECK_THAT(backend.last_error(), ContainsSubstring("rep start 1"));
}

TEST_CASE("the fake device applies the kernel's argument checks") {
    hvsim::Machine m;
    FakeMshv fake(m);
    const int dev = fake.open("/dev/mshv");
    mshv::CreatePartition cp{1ull << 6, 0};  // a flag outside MSHV_PT_FLAGS_MASK
    CHECK(fake.ioctl(dev, mshv::kCreatePartition, &cp) == -EINVAL);
    cp = {1, 0};
    const int pfd = fake.ioctl(dev, mshv::kCreatePartition, &cp);
    REQUIRE(pfd >= 0);
    std::array<std::byte, 16> input{};
    mshv::RootHvcall h{};
    h.code = 0x44;
    h.in_sz = 16;
    h.in_ptr = reinterpret_cast<std::uintptr_t>(input.data());
    h.rsvd[3] = 1;
    CHECK(fake.ioctl(pfd, mshv::kRootHvcall, &h) == -EINVAL);
    h.rsvd[3] = 0;
    h.in_sz = 4;
    CHECK(fake.ioctl(pfd, mshv::kRootHvcall, &h) == -EINVAL);
    h.in_sz = 16;
    h.code = 0x46;
    CHECK(fake.ioctl(pfd, mshv::kRootHvcall, &h) == -EINVAL);
    CHECK(fake.ioctl(dev, mshv::kInitializePartition, nullptr) == -ENOTTY);
    CHECK(fake.close(pfd) == 0);
    CHECK(fake.close(dev) == 0);
    CHECK(fake.live_partitions() == 0);
}

TEST_CASE("SIGINT closes the backend's partition and device before the process dies") {
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipefd[0]);
        hvsim::Machine m;
        FakeMshv fake(m);
        fake.close_signal_fd = pipefd[1];
        MshvOptions o;
        o.handle_signals = true;
        MshvBackend backend(fake, o);
        (void)backend.ensure_vp(0);
        std::raise(SIGINT);
        ::_exit(0);  // not reached: the handler re-raises with the default action
    }
    ::close(pipefd[1]);
    int status = 0;
    ::waitpid(child, &status, 0);
    char buf[16];
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    ::close(pipefd[0]);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGINT);
    CHECK(n == 3);  // the VP, the partition, the device
}

TEST_CASE("every golden suite trace replays on the mshv backend without divergence") {
    const auto paths = suite_traces();
    REQUIRE(paths.size() >= 30);
    std::uint64_t compared = 0, dependent = 0, skipped = 0, records = 0;
    for (const auto& path : paths) {
        INFO(path);
        const auto res = replay_on_mshv(slurp(path), path);
        INFO((res.divergence ? describe(res, *res.divergence) : std::string()));
        CHECK_FALSE(res.divergence);
        CHECK(res.compared + res.skipped == res.records);
        CHECK(reason_count(res, "depends on a skipped") == res.dependent);
        compared += res.compared;
        dependent += res.dependent;
        skipped += res.skipped;
        records += res.records;
    }
    WARN("suite on mshv: " << records << " records, " << compared << " compared, " << skipped << " skipped, "
                           << dependent << " of them depending on a skipped record");
    CHECK(compared >= kComparedFloor);
    CHECK(dependent > 0);
}

TEST_CASE("a tampered expectation on a compared record of a suite trace is still a divergence") {
    const std::string path = std::string(HVSIM_SUITE_TRACES_DIR) + "/get_vp_registers.jsonl";
    const Trace trace = read_trace(path);
    REQUIRE_FALSE(replay_on_mshv(as_jsonl(trace.records), path).divergence);
    // Tamper each record the kernel would pass through in turn, until one that the replay
    // compares (the others are skipped as depending on skipped records).
    std::optional<ReplayResult> diverged;
    std::size_t tampered = 0;
    for (std::size_t i = 0; i < trace.records.size() && !diverged; ++i) {
        if (!passable(trace.records[i]) || !trace.records[i].result.ok()) continue;
        auto copy = trace.records;
        Record& r = copy[i];
        r.result = hvcall::HypercallResult::make(hvcall::Status::INVALID_PARAMETER, r.result.reps_completed());
        r.output.clear();  // a failure writes nothing: the record must stay well-formed
        auto res = replay_on_mshv(as_jsonl(copy), path);
        if (res.divergence) {
            diverged = std::move(res);
            tampered = i;
        }
    }
    REQUIRE(diverged);
    const Divergence& d = *diverged->divergence;
    CHECK(d.index == tampered);
    REQUIRE_FALSE(d.mismatches.empty());
    CHECK_THAT(d.mismatches.front(), ContainsSubstring("status: expected"));
    CHECK_THAT(describe(*diverged, d), ContainsSubstring(trace.records[tampered].call + " diverges"));
}

TEST_CASE("calls after a skipped map are skipped as dependent, not compared") {
    const auto records = record("lifecycle");
    const auto res = replay_on_mshv(as_jsonl(records), "lifecycle");
    INFO((res.divergence ? describe(res, *res.divergence) : std::string()));
    CHECK_FALSE(res.divergence);
    // get_gpa_pages_access_states reads what map_gpa_pages mapped: the backend never mapped it.
    CHECK(reason_count(res, "depends on a skipped map_gpa_pages") >= 1);
    CHECK(res.dependent >= 1);
    CHECK(res.compared > 0);
    CHECK(res.compared + res.skipped == res.records);
}
