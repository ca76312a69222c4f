// The mshv backend over a fake device that plays the kernel: replays of allow-listed calls
// match the model; the kernel's checks, id overwrite and cleanup (also on SIGINT) hold. The
// golden suite traces replay without divergence: records the backend cannot issue are skipped,
// and so is everything whose outcome could depend on them; a tampered expectation still diverges.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <span>

#include "hvcall/errno.hpp"
#include "hvcall/types/partition.hpp"
#include "hvcall/types/vp.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/traces/mshv_uapi.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/workload.hpp"
#include "model_device.hpp"

using namespace hvsim::traces;
using Catch::Matchers::ContainsSubstring;
using hvsim::traces::testing::ModelDevice;

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
    ModelDevice fake(m);
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

bool targets_self(const Record& r) {
    std::uint64_t id = 0;
    if (r.input.size() >= 8) std::memcpy(&id, r.input.data(), 8);
    return id == hvcall::kPartitionIdSelf;
}

// What the kernel passes through: on the partition's fd, or on /dev/mshv for the root itself.
bool passable(const Record& r) { return !r.model && !r.at && !MshvBackend::refusal(r.control, targets_self(r)); }

// A partition made and initialized through the fake's uapi, as a VMM makes it.
struct Device {
    hvsim::Machine m;
    ModelDevice fake{m};
    int dev = -1, pfd = -1;
    std::uint64_t id = 0;  // the model's id for the partition
    Device() {
        dev = fake.open("/dev/mshv");
        mshv::CreatePartition cp{mshv::kPtFlagLapic, 0};
        pfd = fake.ioctl(dev, mshv::kCreatePartition, &cp);
        REQUIRE(pfd >= 0);
        REQUIRE(fake.ioctl(pfd, mshv::kInitializePartition, nullptr) == 0);
        id = m.hypervisor().partition_ids().back();
    }
    int vp(std::uint32_t index) {
        mshv::CreateVp cv{index};
        const int fd = fake.ioctl(pfd, mshv::kCreateVp, &cv);
        REQUIRE(fd >= 0);
        return fd;
    }
    [[nodiscard]] std::uint64_t pool(std::uint64_t partition) {
        const auto p = m.hypervisor().partition(partition);
        REQUIRE(p);
        return p->pool_pages;
    }
};

mshv::RootHvcall hvcall_args(std::uint16_t code, std::span<const std::byte> in, std::span<std::byte> out,
                             std::uint16_t reps = 0) {
    mshv::RootHvcall h{};
    h.code = code;
    h.reps = reps;
    h.in_sz = static_cast<std::uint16_t>(in.size());
    h.in_ptr = reinterpret_cast<std::uintptr_t>(in.data());
    h.out_sz = static_cast<std::uint16_t>(out.size());
    h.out_ptr = out.empty() ? 0 : reinterpret_cast<std::uintptr_t>(out.data());
    return h;
}

// Get (first 16 bytes) and set (all 24) partition property input: id, code, padding, value.
std::array<std::byte, 24> property_in(std::uint64_t id, std::uint32_t code, std::uint64_t value = 0) {
    std::array<std::byte, 24> in{};
    std::memcpy(in.data(), &id, 8);
    std::memcpy(in.data() + 8, &code, 4);
    std::memcpy(in.data() + 16, &value, 8);
    return in;
}

constexpr std::byte kUntouched{0xAB};

bool untouched(std::span<const std::byte> out) {
    return std::all_of(out.begin(), out.end(), [](std::byte b) { return b == kUntouched; });
}

hvsim::FaultPlan inject(std::uint16_t code, hvcall::Status status) {
    hvsim::FaultPlan plan;
    plan.statuses.push_back({code, 0, status});
    return plan;
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
    ModelDevice fake(m);
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
            return r.control.code() == code && !targets_self(r) && passable(r);
        }));
    }
    for (std::uint16_t code : mshv::kSelfAllowList) {  // and each self-targeted one, on the root
        INFO("self-targeted code " << code);
        CHECK(std::any_of(records.begin(), records.end(),
                          [&](const Record& r) { return r.control.code() == code && targets_self(r) && passable(r); }));
    }
    CHECK(fake.live_partitions() == 0);  // deleted on destruction
    CHECK(fake.open_fds() == 0);
}

TEST_CASE("the kernel overwrites the partition id; other calls are refused with a reason") {
    hvsim::Machine m;
    ModelDevice fake(m);
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
    ModelDevice fake(m);
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
        ModelDevice fake(m);
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

TEST_CASE("MSHV_ROOT_HVCALL on /dev/mshv reads the root's own properties and takes only the self list") {
    Device d;
    const std::uint32_t code = hvcall::property::unimplemented_msr_action;
    auto set = property_in(0x4242, code, 1);  // a bogus id: the kernel overwrites it
    auto h = hvcall_args(0x45, set, {});
    REQUIRE(d.fake.ioctl(d.pfd, mshv::kRootHvcall, &h) == 0);
    REQUIRE(d.m.hypervisor().partition_property(d.id, code) == 1);
    REQUIRE(d.m.hypervisor().partition_property(hvcall::kPartitionIdSelf, code) == 0);

    const auto get = property_in(0x4242, code);
    const auto read = [&](int fd) {
        std::array<std::byte, 8> out;
        out.fill(kUntouched);
        auto g = hvcall_args(0x44, std::span(get).first(16), out);
        REQUIRE(d.fake.ioctl(fd, mshv::kRootHvcall, &g) == 0);
        std::uint64_t v = 0;
        std::memcpy(&v, out.data(), 8);
        return v;
    };
    CHECK(read(d.pfd) == 1);
    CHECK(read(d.dev) == 0);  // the root's value: the id became HV_PARTITION_ID_SELF

    // The partition list's other codes are not for the root, the async one included: -EINVAL
    // before any hypercall, nothing copied back.
    for (std::uint16_t c : {std::uint16_t{0x45}, std::uint16_t{0x50}, std::uint16_t{0x94}}) {
        INFO("code " << c);
        const std::uint64_t calls = d.m.calls();
        auto r = hvcall_args(c, set, {});
        CHECK(d.fake.ioctl(d.dev, mshv::kRootHvcall, &r) == -EINVAL);
        CHECK(d.m.calls() == calls);
    }
    // get_partition_property_ex is in the self list: it reaches the hypervisor, whatever the
    // model answers for it today.
    const std::uint64_t calls = d.m.calls();
    const auto ex = property_in(0, hvcall::property::vmm_capabilities);
    std::array<std::byte, 64> ex_out{};
    auto r = hvcall_args(0x101, ex, ex_out);
    (void)d.fake.ioctl(d.dev, mshv::kRootHvcall, &r);
    CHECK(d.m.calls() == calls + 1);
}

TEST_CASE("a needs-memory status makes the passthrough deposit what it asks for, then retry") {
    // upstream-linux.md 2.1: pages and target per status. The passthrough pays with the fd's
    // partition, with the root itself on /dev/mshv; the two root statuses always go to the root.
    struct Case {
        hvcall::Status status;
        std::uint64_t pages;
        bool into_root;
    };
    const Case cases[] = {
        {hvcall::Status::INSUFFICIENT_MEMORY, 1, false},
        {hvcall::Status::INSUFFICIENT_CONTIGUOUS_MEMORY, 8, false},
        {hvcall::Status::INSUFFICIENT_ROOT_MEMORY, 1, true},
        {hvcall::Status::INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, 8, true},
    };
    for (const Case& c : cases) {
        for (const bool on_device : {false, true}) {
            INFO(hvcall::status_name(c.status) << (on_device ? " on /dev/mshv" : " on the partition fd"));
            Device d;
            const std::uint64_t child_before = d.pool(d.id), root_before = d.pool(hvcall::kPartitionIdSelf);
            d.m.set_fault_plan(inject(0x44, c.status));
            const auto get = property_in(0, hvcall::property::privilege_flags);
            std::array<std::byte, 8> out{};
            auto h = hvcall_args(0x44, std::span(get).first(16), out);
            CHECK(d.fake.ioctl(on_device ? d.dev : d.pfd, mshv::kRootHvcall, &h) == 0);  // retried, no -EAGAIN
            CHECK(h.status == 0);
            CHECK(d.fake.deposits() == 1);
            const bool root = c.into_root || on_device;
            CHECK(d.pool(d.id) - child_before == (root ? 0 : c.pages));
            CHECK(d.pool(hvcall::kPartitionIdSelf) - root_before == (root ? c.pages : 0));
        }
    }
}

TEST_CASE("a failing deposit ends the passthrough with the deposit's errno; status and reps still come back") {
    Device d;
    auto plan = inject(0x44, hvcall::Status::INSUFFICIENT_MEMORY);
    plan.statuses.push_back({0x48, 0, hvcall::Status::INVALID_PARAMETER});  // the deposit itself fails
    d.m.set_fault_plan(plan);
    const auto get = property_in(0, hvcall::property::privilege_flags);
    std::array<std::byte, 8> out;
    out.fill(kUntouched);
    auto h = hvcall_args(0x44, std::span(get).first(16), out);
    const int deposit_errno = hvcall::to_errno(hvcall::HypercallResult::make(hvcall::Status::INVALID_PARAMETER));
    REQUIRE(deposit_errno != hvcall::to_errno(hvcall::HypercallResult::make(hvcall::Status::INSUFFICIENT_MEMORY)));
    CHECK(d.fake.ioctl(d.pfd, mshv::kRootHvcall, &h) == deposit_errno);
    CHECK(h.status == static_cast<std::uint16_t>(hvcall::Status::INSUFFICIENT_MEMORY));
    CHECK(d.fake.deposits() == 0);
    CHECK(untouched(out));
}

TEST_CASE("CALL_PENDING: a synchronous code gets -EBADFD and nothing back; the async one the completion's status") {
    Device d;
    const int vfd = d.vp(0);
    const auto get = property_in(0, hvcall::property::privilege_flags);
    std::array<std::byte, 8> out;
    out.fill(kUntouched);
    d.m.set_fault_plan(inject(0x44, hvcall::Status::CALL_PENDING));
    auto h = hvcall_args(0x44, std::span(get).first(16), out);
    CHECK(d.fake.ioctl(d.pfd, mshv::kRootHvcall, &h) == -EBADFD);
    CHECK(h.status == 0);  // the struct is not copied back on this path
    CHECK(untouched(out));

    // SET_PARTITION_PROPERTY waits for the completion and takes its status.
    const auto set = property_in(0, hvcall::property::unimplemented_msr_action, 1);
    d.m.set_fault_plan(inject(0x45, hvcall::Status::CALL_PENDING));
    auto s = hvcall_args(0x45, set, {});
    CHECK(d.fake.ioctl(d.pfd, mshv::kRootHvcall, &s) == 0);
    CHECK(s.status == 0);
    d.fake.set_async_completion(hvcall::Status::ACCESS_DENIED);
    d.m.set_fault_plan(inject(0x45, hvcall::Status::CALL_PENDING));
    s = hvcall_args(0x45, set, {});
    CHECK(d.fake.ioctl(d.pfd, mshv::kRootHvcall, &s) ==
          hvcall::to_errno(hvcall::HypercallResult::make(hvcall::Status::ACCESS_DENIED)));
    CHECK(s.status == static_cast<std::uint16_t>(hvcall::Status::ACCESS_DENIED));

    // ... and only from a partition fd.
    const std::uint64_t calls = d.m.calls();
    s = hvcall_args(0x45, set, {});
    CHECK(d.fake.ioctl(vfd, mshv::kRootHvcall, &s) == -EINVAL);
    CHECK(d.m.calls() == calls);
}

TEST_CASE("status and reps always come back from MSHV_ROOT_HVCALL, the output only on success") {
    Device d;
    const int vfd = d.vp(0);
    // hv_input_get_vp_registers: partition id, VP index, VTL, 3 reserved bytes, then one name per rep.
    const auto regs_in = [](std::uint32_t second) {
        std::array<std::byte, 24> in{};
        const std::uint32_t names[2] = {hvcall::reg::rax, second};
        std::memcpy(in.data() + 16, names, sizeof names);
        return in;
    };
    std::array<std::byte, 32> out;

    out.fill(kUntouched);
    const auto good = regs_in(hvcall::reg::rip);
    auto h = hvcall_args(0x50, good, out, 2);
    CHECK(d.fake.ioctl(vfd, mshv::kRootHvcall, &h) == 0);
    CHECK(h.reps == 2);
    CHECK(h.status == 0);
    CHECK_FALSE(untouched(out));

    out.fill(kUntouched);
    const auto bad = regs_in(0xDEADBEEF);  // no such register: the second element fails
    h = hvcall_args(0x50, bad, out, 2);
    CHECK(d.fake.ioctl(vfd, mshv::kRootHvcall, &h) < 0);
    CHECK(h.reps == 1);
    CHECK(h.status != 0);
    CHECK(untouched(out));  // the first element's value stays on the kernel's page

    // A time-slice end (success, 1 of 2) is resumed by the kernel at rep start 1.
    hvsim::FaultPlan plan;
    plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, 1});
    d.m.set_fault_plan(plan);
    const std::uint64_t calls = d.m.calls();
    h = hvcall_args(0x50, good, out, 2);
    CHECK(d.fake.ioctl(vfd, mshv::kRootHvcall, &h) == 0);
    CHECK(h.reps == 2);
    CHECK(d.m.calls() == calls + 2);
}

TEST_CASE("CREATE_PARTITION takes the 64-byte v2 struct under the v1 number, checked as the kernel does") {
    hvsim::Machine m;
    ModelDevice fake(m);
    const int dev = fake.open("/dev/mshv");
    mshv::CreatePartitionV2 v2{};
    v2.pt_flags = mshv::kPtFlagLapic | mshv::kPtFlagCpuAndXsaveFeatures;
    v2.pt_num_cpu_fbanks = mshv::kNumCpuFeaturesBanks;
    v2.pt_cpu_fbanks[0] = 0x5;
    v2.pt_cpu_fbanks[1] = 0x6;
    v2.pt_disabled_xsave = 0x7;
    auto bad = v2;
    bad.pt_num_cpu_fbanks = 1;  // must equal 2, not be at most 2
    CHECK(fake.ioctl(dev, mshv::kCreatePartition, &bad) == -EINVAL);
    bad = v2;
    bad.pt_rsvd[5] = 1;
    CHECK(fake.ioctl(dev, mshv::kCreatePartition, &bad) == -EINVAL);
    bad = v2;
    bad.pt_rsvd1[1] = 1;
    CHECK(fake.ioctl(dev, mshv::kCreatePartition, &bad) == -EINVAL);
    bad = v2;
    bad.pt_isolation = mshv::kPtIsolationCount;
    CHECK(fake.ioctl(dev, mshv::kCreatePartition, &bad) == -EINVAL);
    CHECK(m.hypervisor().partition_ids().empty());

    REQUIRE(fake.ioctl(dev, mshv::kCreatePartition, &v2) >= 0);
    auto made = m.hypervisor().partition(m.hypervisor().partition_ids().back());
    REQUIRE(made);
    CHECK(made->disabled_features == std::array<std::uint64_t, 3>{0x5, 0x6, 0x7});
    CHECK(made->creation_flags == (mshv::kCreationFlagsAlways | hvcall::creation_flags::lapic_enabled));

    // Without bit 3 only the first 16 bytes count: the banks stay 0, "enable everything".
    auto v1 = v2;
    v1.pt_flags = mshv::kPtFlagLapic;
    v1.pt_num_cpu_fbanks = 7;
    REQUIRE(fake.ioctl(dev, mshv::kCreatePartition, &v1) >= 0);
    made = m.hypervisor().partition(m.hypervisor().partition_ids().back());
    REQUIRE(made);
    CHECK(made->disabled_features == std::array<std::uint64_t, 3>{});
}

TEST_CASE("each fd kind answers -ENOTTY for the uapi numbers it does not serve") {
    Device d;
    const int vfd = d.vp(0);
    const std::pair<mshv::FdKind, int> fds[] = {
        {mshv::FdKind::device, d.dev}, {mshv::FdKind::partition, d.pfd}, {mshv::FdKind::vp, vfd}};
    for (const auto& [kind, fd] : fds) {
        for (const mshv::Ioctl& i : mshv::kIoctls) {
            const bool served = std::any_of(std::begin(mshv::kIoctls), std::end(mshv::kIoctls),
                                            [&](const mshv::Ioctl& j) { return j.fd == kind && j.number == i.number; });
            if (served) continue;
            INFO(i.name << " on fd kind " << static_cast<int>(kind));
            CHECK(d.fake.ioctl(fd, i.number, nullptr) == -ENOTTY);
        }
    }
}

TEST_CASE("the backend sends calls for HV_PARTITION_ID_SELF on /dev/mshv, and only the self list") {
    hvsim::Machine m;
    ModelDevice fake(m);
    MshvBackend backend(fake, MshvOptions{});
    const std::uint32_t code = hvcall::property::unimplemented_msr_action;
    const auto put = [&](std::uint64_t id, std::uint64_t value) {
        const auto in = property_in(id, code, value);
        std::memcpy(backend.input_page().data(), in.data(), in.size());
    };
    const auto value = [&] {
        std::uint64_t v = 0;
        std::memcpy(&v, backend.output_page().data(), 8);
        return v;
    };
    put(0, 1);
    REQUIRE(backend.hypercall(hvcall::Control::simple(0x45)).ok());
    put(0, 0);
    REQUIRE(backend.hypercall(hvcall::Control::simple(0x44)).ok());
    CHECK(value() == 1);  // the backend's partition
    put(hvcall::kPartitionIdSelf, 0);
    REQUIRE(backend.hypercall(hvcall::Control::simple(0x44)).ok());
    CHECK(backend.last_error().empty());
    CHECK(value() == 0);  // the root's

    put(hvcall::kPartitionIdSelf, 1);
    const std::uint64_t calls = m.calls();
    const auto refused = backend.hypercall(hvcall::Control::simple(0x45));
    CHECK(refused.raw() == hvcall::HypercallResult::kHypercallPageMissing);
    CHECK_THAT(backend.last_error(), ContainsSubstring("self-targeted"));
    CHECK(m.calls() == calls);
    CHECK(m.hypervisor().partition_property(hvcall::kPartitionIdSelf, code) == 0);
}

TEST_CASE("the backend cannot place blocks at chosen GPAs: hypercall_at is not supported and issues nothing") {
    hvsim::Machine m;
    ModelDevice fake(m);
    MshvBackend backend(fake, MshvOptions{});
    const std::uint64_t calls = m.calls();
    std::array<std::byte, 8> out{};
    const auto placed =
        backend.hypercall_at(hvcall::Control::simple(0x46), m.input_page_gpa(0), {}, m.output_page_gpa(0) + 8, out);
    CHECK_FALSE(placed.supported);
    CHECK(placed.result.raw() == hvcall::HypercallResult::kHypercallPageMissing);
    CHECK(hvcall::to_errno(placed.result) == -EOPNOTSUPP);
    CHECK_FALSE(placed.output_read);
    CHECK_THAT(backend.last_error(), ContainsSubstring("MSHV_ROOT_HVCALL copies"));
    CHECK(m.calls() == calls);

    // Recorded over it: nothing reached a hypervisor, so nothing is recorded.
    std::vector<Record> records;
    RecordingBackend rec(backend, [&](const Record& r) { records.push_back(r); });
    CHECK_FALSE(rec.hypercall_at(hvcall::Control::simple(0x46), m.input_page_gpa(0), {}, m.output_page_gpa(0) + 8, out)
                    .supported);
    CHECK(records.empty());

    // Replayed on it through a BackendTarget: skipped with the reason, as the mshv target does.
    Record r;
    r.call = "get_partition_id";
    r.control = hvcall::Control::simple(0x46);
    r.at = Placement{m.input_page_gpa(0), m.output_page_gpa(0) + 8};
    BackendTarget target(backend, "mshv backend");
    Issued issued;
    target.issue(r, issued);
    REQUIRE(issued.skipped);
    CHECK_THAT(*issued.skipped, ContainsSubstring("cannot place them"));
    MshvTarget mshv(backend);
    REQUIRE(mshv.refusal(r));
    CHECK_THAT(*mshv.refusal(r), ContainsSubstring("MSHV_ROOT_HVCALL copies"));
    CHECK(m.calls() == calls);
}
