// Property: the driver model (conformance/mshv) serves any bounded sequence of /dev/mshv ioctls
// (partitions, VPs, memory regions, eventfds, routes, access bitmaps, VP state, passthrough
// calls; bad pointers and sizes among them) so that
//   - nothing crashes and no sanitizer fires;
//   - every failure is an errno the kernel documents for that ioctl (mshv-uapi.md §2), or one
//     hv_result_to_errno() gives for a hypervisor status (hvcall/errno.hpp);
//   - every hypercall the driver issues on its own behalf passes the model's rules: no spec-only
//     violation, no rejection for a malformed call (a driver that sends one is a marshalling bug,
//     as a user's would be); the passthrough's calls are the caller's and may break rules;
//   - the model's invariants hold after each ioctl;
//   - the sequence gives the same answers and the same final model state when the hypervisor
//     ends rep calls early (a seeded fraction of elements): the driver, like mshv_root, resumes
//     every rep call at the reps completed, its passthrough included;
//   - closing every fd tears everything down: no partition left, every page the driver drew for
//     deposits back, or still deposited in the root (which keeps what it is given).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domains.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/status.hpp"
#include "hvsim/devmshv/driver.hpp"
#include "hvsim/diagnostic.hpp"
#include "hvsim/machine.hpp"

namespace {

namespace uapi = hvsim::traces::mshv;
using hvsim::devmshv::Driver;
using hvsim::devmshv::DriverOptions;
using hvsim::devmshv::FdKind;
using hvsim::devmshv::Host;
using hvsim::fuzz::Bytes;

constexpr std::size_t kPage = 4096;
constexpr std::size_t kArenaPages = 4;  // argument structs, buffers: the caller's memory
constexpr std::size_t kMaxOps = 48;
// Guest RAM the caller "mapped": addresses only, never touched (the driver asks for VMAs).
constexpr std::uint64_t kGuest = 0x7f00'0000'0000, kGuestBytes = 64ull << 20;
constexpr std::uint64_t kHuge = 0x7e00'0000'0000, kHugeBytes = 16ull << 20;
constexpr int kFirstEventfd = 100, kEventfds = 4, kNotEventfd = 104;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "devmshv_ioctl: %s\n", what.c_str());
    std::abort();
}

// The caller's process: a page-aligned arena it owns; pointers outside it fault.
class ArenaHost final : public Host {
public:
    explicit ArenaHost(std::byte* arena) : arena_(arena) {}
    bool copy_in(void* to, std::uint64_t user, std::size_t size) noexcept override {
        if (!inside(user, size)) return false;
        std::memcpy(to, arena_ + (user - base()), size);
        return true;
    }
    bool copy_out(std::uint64_t user, const void* from, std::size_t size) noexcept override {
        if (!inside(user, size)) return false;
        std::memcpy(arena_ + (user - base()), from, size);
        return true;
    }
    bool mapped(std::uint64_t addr, std::uint64_t size) noexcept override {
        return within(addr, size, kGuest, kGuestBytes) || within(addr, size, kHuge, kHugeBytes) || inside(addr, size);
    }
    bool huge_backed(std::uint64_t addr, std::uint64_t size) noexcept override {
        return within(addr, size, kHuge, kHugeBytes);
    }
    Eventfd eventfd(int fd) noexcept override {
        if (fd >= kFirstEventfd && fd < kFirstEventfd + kEventfds)
            return {0, static_cast<std::uint64_t>(fd - kFirstEventfd + 1)};
        return {fd == kNotEventfd ? -EINVAL : -EBADF, 0};
    }
    bool eventfd_pending(int fd) noexcept override { return pending.contains(fd); }

    [[nodiscard]] std::uint64_t base() const noexcept { return reinterpret_cast<std::uintptr_t>(arena_); }
    std::set<int> pending;

private:
    static bool within(std::uint64_t addr, std::uint64_t size, std::uint64_t start, std::uint64_t bytes) noexcept {
        return addr >= start && addr - start <= bytes && size <= bytes - (addr - start);
    }
    [[nodiscard]] bool inside(std::uint64_t addr, std::uint64_t size) const noexcept {
        return within(addr, size, base(), kArenaPages * kPage);
    }
    std::byte* arena_;
};

// The driver's own CPU: each call is judged as it returns.
class JudgedKernel final : public hvcall::Backend {
public:
    JudgedKernel(hvsim::Machine& m) : m_(m), sim_(m, 0) {}
    std::span<std::byte, hvcall::kPageSize> input_page() noexcept override { return sim_.input_page(); }
    std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override { return sim_.output_page(); }
    hvcall::HypercallResult hypercall(hvcall::Control c) noexcept override { return judge(c, sim_.hypercall(c)); }
    hvcall::HypercallResult hypercall_fast(hvcall::Control c, std::uint64_t a, std::uint64_t b) noexcept override {
        return judge(c, sim_.hypercall_fast(c, a, b));
    }
    hvcall::HypercallResult hypercall_fast_xmm(hvcall::Control c, hvcall::XmmRegisters& x) noexcept override {
        return judge(c, sim_.hypercall_fast_xmm(c, x));
    }
    hvcall::PlacedCall hypercall_at(hvcall::Control c, std::uint64_t in_gpa, std::span<const std::byte> in,
                                    std::uint64_t out_gpa, std::span<std::byte> out) noexcept override {
        hvcall::PlacedCall p = sim_.hypercall_at(c, in_gpa, in, out_gpa, out);
        (void)judge(c, p.result);
        return p;
    }
    std::string finding;  // the first driver call the rules found malformed

private:
    hvcall::HypercallResult judge(hvcall::Control c, hvcall::HypercallResult r) {
        if (!finding.empty()) return r;
        for (const hvsim::Diagnostic& v : m_.violations())
            if (!callers_value(v.rule)) {
                finding = "the driver's own call broke " + hvsim::describe(v) + code(c);
                break;
            }
        const auto& d = m_.last_diagnostic();
        if (d &&
            (d->status == hvcall::Status::INVALID_HYPERCALL_INPUT || d->status == hvcall::Status::INVALID_ALIGNMENT ||
             d->status == hvcall::Status::INVALID_HYPERCALL_CODE))
            finding = "the driver's own call was malformed: " + hvsim::describe(*d) + code(c);
        return r;
    }
    // Rules about a value the kernel copies from the caller unchanged: the caller's to get right,
    // not the driver's (A-MAIN: the v2 struct's disabled-feature banks go to the hypervisor as given).
    static bool callers_value(hvsim::RuleId rule) { return rule == hvsim::RuleId::create_partition_features_reserved; }
    static std::string code(hvcall::Control c) {  // built only for a finding: judge() is on every call
        char b[24];
        std::snprintf(b, sizeof b, " (code 0x%x)", static_cast<unsigned>(c.code()));
        return b;
    }
    hvsim::Machine& m_;
    hvsim::SimBackend sim_;
};

// Errnos each ioctl may answer: the driver's own checks (mshv-uapi.md §2, K-evfd), and for those
// that issue hypercalls, whatever hv_result_to_errno() gives.
std::set<int> hv_errnos() {
    std::set<int> s;
    for (const auto& st : hvcall::kStatuses)
        if (st.status != hvcall::Status::SUCCESS)
            s.insert(-hvcall::to_errno(hvcall::HypercallResult::make(st.status, 0)));
    return s;
}

const std::map<std::string_view, std::set<int>>& documented() {
    static const std::map<std::string_view, std::set<int>> m = {
        {"MSHV_CREATE_PARTITION", {EINVAL, EFAULT, ENOMEM}},
        {"MSHV_INITIALIZE_PARTITION", {ENOMEM}},
        {"MSHV_CREATE_VP", {EINVAL, EEXIST, EFAULT, ENOMEM}},
        {"MSHV_SET_GUEST_MEMORY", {EINVAL, EEXIST, ENOENT, EFAULT, ENOMEM}},
        {"MSHV_IRQFD", {EINVAL, EBADF, EBUSY, EFAULT}},
        {"MSHV_IOEVENTFD", {EINVAL, EBADF, EEXIST, ENOENT, EOPNOTSUPP, EFAULT, ENOMEM}},
        {"MSHV_SET_MSI_ROUTING", {EINVAL, EFAULT, ENOMEM}},
        {"MSHV_GET_GPAP_ACCESS_BITMAP", {EINVAL, EFAULT, E2BIG, ENOMEM}},
        {"MSHV_ROOT_HVCALL", {EINVAL, EFAULT, EBADFD, ENOMEM}},
        {"MSHV_GET_VP_STATE", {EINVAL, EFAULT, ENOMEM}},
        {"MSHV_SET_VP_STATE", {EINVAL, EFAULT, ENOMEM}},
        {"MSHV_RUN_VP", {EOPNOTSUPP, EFAULT}},
    };
    return m;
}

bool allowed(FdKind kind, unsigned long request, int ret) {
    static const std::set<int> hv = hv_errnos();
    if (ret >= 0) return true;
    const auto name = Driver::ioctl_name(kind, request);
    if (!name) return ret == -ENOTTY;
    const auto it = documented().find(*name);
    if (it == documented().end()) return false;
    if (it->second.contains(-ret)) return true;
    return *name != "MSHV_IRQFD" && *name != "MSHV_SET_MSI_ROUTING" && hv.contains(-ret);
}

// Writes the argument of the ioctl op `what` at the arena's start (its struct, its bytes from
// the input, mostly valid) and returns the op's request.
class ArgumentWriter {
public:
    ArgumentWriter(Bytes& in, std::byte* arena, ArenaHost& host) : in_(in), arena_(arena), host_(host) {}

    unsigned long request(std::uint8_t what) {
        const std::uint64_t base = host_.base();
        switch (what) {
            case 0: {
                auto a = fill(uapi::CreatePartitionV2{});
                a.pt_flags &= 0x7F;  // mostly valid flags, v2 now and then
                if ((a.pt_flags & uapi::kPtFlagCpuAndXsaveFeatures) != 0) a.pt_num_cpu_fbanks = 2;
                a.pt_isolation &= 1;
                std::memcpy(arena_, &a, sizeof a);
                return uapi::kCreatePartition;
            }
            case 1:
                return uapi::kInitializePartition;
            case 2: {
                auto a = fill(uapi::CreateVp{});
                a.vp_index %= 300;
                std::memcpy(arena_, &a, sizeof a);
                return uapi::kCreateVp;
            }
            case 3:
            case 4: {
                auto a = fill(uapi::UserMemRegion{});
                const bool huge = (a.flags & 0x40) != 0;
                a.size = (a.size % 2048) * kPage + ((a.size & (1ull << 60)) != 0 ? 8 : 0);
                a.guest_pfn %= 1u << 16;
                a.userspace_addr = (huge ? kHuge : kGuest) + (a.userspace_addr % 4096) * kPage;
                a.flags &= 0x8F;
                std::memcpy(arena_, &a, sizeof a);
                return uapi::kSetGuestMemory;
            }
            case 5: {
                auto a = fill(uapi::UserIrqfd{});
                a.fd = kFirstEventfd + static_cast<int>(static_cast<unsigned>(a.fd) % (kEventfds + 2));
                a.resamplefd = kFirstEventfd + static_cast<int>(static_cast<unsigned>(a.resamplefd) % (kEventfds + 1));
                a.gsi %= 8;
                a.flags &= 0x7;
                if ((a.gsi & 1) != 0) host_.pending.insert(a.fd);
                std::memcpy(arena_, &a, sizeof a);
                return uapi::kIrqfd;
            }
            case 6: {
                auto a = fill(uapi::UserIoeventfd{});
                a.fd = kFirstEventfd + static_cast<int>(static_cast<unsigned>(a.fd) % (kEventfds + 2));
                a.addr = 0xE000'0000 + (a.addr % 4) * 8;
                a.len = std::array<std::uint32_t, 6>{0, 1, 2, 4, 8, 3}[a.len % 6];
                a.flags &= 0xF;
                std::memcpy(arena_, &a, sizeof a);
                return uapi::kIoeventfd;
            }
            case 7: {
                auto h = fill(uapi::UserIrqTable{});
                h.nr %= 6;
                if ((h.rsvd & 0xFF) != 0) h.rsvd = 0;  // mostly zero
                std::memcpy(arena_, &h, sizeof h);
                for (std::uint32_t i = 0; i < h.nr; ++i) {
                    auto e = fill(uapi::UserIrqEntry{});
                    e.gsi %= 8;
                    std::memcpy(arena_ + sizeof h + i * sizeof e, &e, sizeof e);
                }
                return uapi::kSetMsiRouting;
            }
            case 8: {
                auto a = fill(uapi::GpapAccessBitmap{});
                a.access_type %= 3;
                a.access_op %= 4;
                a.page_count %= 5000;
                a.gpap_base %= 1u << 16;
                a.bitmap_ptr = (a.bitmap_ptr & 1) != 0 ? 0 : base + kPage;
                std::memcpy(arena_, &a, sizeof a);
                return uapi::kGetGpapAccessBitmap;
            }
            case 9:
            case 10:
                root_hvcall();
                return uapi::kRootHvcall;
            case 11:
            case 12: {
                auto a = fill(uapi::GetSetVpState{});
                a.type %= 6;
                a.buf_sz = std::array<std::uint32_t, 4>{4096, 8192, 0, 100}[a.buf_sz % 4];
                a.buf_ptr = base + kPage + ((a.buf_ptr & 1) != 0 ? 8 : 0);
                std::memcpy(arena_, &a, sizeof a);
                return what == 11 ? uapi::kGetVpState : uapi::kSetVpState;
            }
            case 13:
                return uapi::kRunVp;
            default:  // a request no fd knows
                return 0xC000B800u | in_.take<std::uint8_t>();
        }
    }

private:
    // A passthrough hypercall: mostly an allow-listed code with its input on the next page.
    void root_hvcall() {
        const std::uint64_t base = host_.base();
        auto a = fill(uapi::RootHvcall{});
        if ((a.code & 0x100) == 0) a.code = uapi::kAllowList[a.code % std::size(uapi::kAllowList)];
        a.reps %= 40;
        a.in_sz = static_cast<std::uint16_t>(8 + a.in_sz % 600);
        a.out_sz = static_cast<std::uint16_t>(a.out_sz % 700);
        a.status = (a.status & 0xFF) == 0 ? a.status : 0;
        a.in_ptr = base + kPage;
        if ((a.rsvd[0] & 1) != 0 && a.reps != 0) {
            // A well-formed rep call the VP takes: get or set general registers of
            // VP 0 (names RAX..R15, any value), so elements succeed and restarts matter.
            std::memset(a.rsvd, 0, sizeof a.rsvd);
            const bool set = (a.code & 1) != 0;
            a.code = set ? 0x51 : 0x50;
            a.reps = static_cast<std::uint16_t>(1 + a.reps % 24);
            a.in_sz = static_cast<std::uint16_t>(16 + a.reps * (set ? 32 : 4));
            a.out_sz = static_cast<std::uint16_t>(set ? 0 : 16 * a.reps);
            std::byte* p = arena_ + kPage;
            std::memset(p, 0, a.in_sz);
            for (std::uint32_t i = 0; i < a.reps; ++i) {
                const std::uint32_t name = 0x00020000 + in_.take<std::uint8_t>() % 16;
                std::memcpy(p + 16 + i * (set ? 32 : 4), &name, 4);
                if (set) {
                    const auto value = in_.take<std::uint64_t>();
                    std::memcpy(p + 16 + i * 32 + 16, &value, 8);
                }
            }
        } else {
            const auto input = in_.chunk(a.in_sz);
            std::memcpy(arena_ + kPage, input.data(), input.size());
        }
        a.out_ptr = a.out_sz == 0 ? 0 : base + 2 * kPage;
        std::memcpy(arena_, &a, sizeof a);
    }

    // The struct, its bytes fuzzed.
    template <class T>
    T fill(T value) {
        auto raw = in_.chunk(sizeof value);
        std::memcpy(&value, raw.data(), raw.size());
        return value;
    }

    Bytes& in_;
    std::byte* arena_;
    ArenaHost& host_;
};

struct Run {
    std::vector<std::string> answers;  // per ioctl: its return and what it wrote back
    std::string digest;                // the model's state before teardown
};

// One pass over the ops on `m` (already reset with its fault plan).
Run run(hvsim::Machine& m, const std::uint8_t* data, std::size_t size, bool pinned) {
    alignas(kPage) static std::array<std::byte, kArenaPages * kPage> arena;
    arena.fill(std::byte{0});
    ArenaHost host(arena.data());
    JudgedKernel kernel(m);
    hvsim::SimBackend passthrough(m, 0);
    DriverOptions options;
    options.regions = pinned ? DriverOptions::Regions::pinned : DriverOptions::Regions::movable;
    Driver driver(m, kernel, passthrough, host, options);
    const auto root_pool = [&] { return m.hypervisor().partition(m.config().root_partition_id)->pool_pages; };
    const std::uint64_t pool_before = root_pool();

    Run out;
    // Where bugs live is past set-up: every input starts with a partition, initialized, and its
    // VP 0 (handles 1 and 2); the ops may make more.
    std::vector<int> handles{driver.open("/dev/mshv")};
    {
        void* const user = arena.data();  // the caller's memory: arguments must live there
        const uapi::CreatePartition create{uapi::kPtFlagLapic | uapi::kPtFlagGpaSuperPages, 0};
        std::memcpy(user, &create, sizeof create);
        const int part = driver.ioctl(handles[0], uapi::kCreatePartition, user);
        if (part < 0 || driver.ioctl(part, uapi::kInitializePartition, nullptr) != 0) fail("set-up: no partition");
        const uapi::CreateVp vp{0};
        std::memcpy(user, &vp, sizeof vp);
        const int vp0 = driver.ioctl(part, uapi::kCreateVp, user);
        if (vp0 < 0) fail("set-up: no VP");
        handles.push_back(part);
        handles.push_back(vp0);
    }
    Bytes in(data, size);
    ArgumentWriter args(in, arena.data(), host);
    const std::uint64_t base = host.base();
    for (std::size_t op = 0; op < kMaxOps && !in.empty(); ++op) {
        const std::uint8_t what = in.take<std::uint8_t>() % 16;
        const int handle = handles[in.below(static_cast<std::uint32_t>(handles.size()))];
        const auto kind = driver.kind(handle);
        // Where the argument goes: the arena's start, a pointer that faults, or one that runs off the arena.
        const std::uint8_t where = in.take<std::uint8_t>();
        const std::uint64_t arg = where < 240 ? base : where < 248 ? 0x10 : base + kArenaPages * kPage - 8;
        if (what == 14) {  // close a handle (not the device's last one)
            if (handles.size() > 1) {
                const std::size_t i = 1 + in.below(static_cast<std::uint32_t>(handles.size() - 1));
                out.answers.push_back("close " + std::to_string(driver.close(handles[i])));
                handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(i));
            }
            continue;
        }
        if (what == 15 && (where & 1) != 0) {  // mmap of a VP's page
            out.answers.push_back("mmap " + std::to_string(driver.mmap(handle, where % 5)));
            continue;
        }
        const unsigned long request = args.request(what);
        const int ret = driver.ioctl(handle, request, reinterpret_cast<void*>(static_cast<std::uintptr_t>(arg)));
        if (kind && !allowed(*kind, request, ret))
            fail("ioctl 0x" + std::to_string(request) + " on fd kind " + std::to_string(static_cast<int>(*kind)) +
                 " answered " + std::to_string(ret) + ", not an errno the kernel documents for it");
        if (!kernel.finding.empty()) fail(kernel.finding);
        if (const std::string broken = m.hypervisor().check_invariants(); !broken.empty())
            fail("model invariant broken: " + broken);
        if (ret > 0 && (request == uapi::kCreatePartition || request == uapi::kCreateVp)) handles.push_back(ret);
        std::uint64_t h = 0xcbf29ce484222325;  // FNV-1a of what the caller's memory holds now
        for (const std::byte b : arena) h = (h ^ static_cast<std::uint8_t>(b)) * 0x100000001b3;
        std::string answer = "returned " + std::to_string(ret) + ", argument now ";
        for (std::size_t i = 0; i < 32; ++i) {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned>(arena[i]));
            answer += hex;
        }
        out.answers.push_back(answer + ", memory hash " + std::to_string(h));
        if (std::getenv("DEVMSHV_FUZZ_SHOW") != nullptr)  // what each ioctl answered, to read a finding
            std::fprintf(stderr, "op %zu: %s on handle %d (%s): %d\n", op,
                         std::string(kind ? Driver::ioctl_name(*kind, request).value_or("unknown") : "no fd").c_str(),
                         handle, arg == base ? "arg" : "bad arg", ret);
    }
    out.digest = m.hypervisor().digest();
    for (auto it = handles.rbegin(); it != handles.rend(); ++it) (void)driver.close(*it);
    if (!kernel.finding.empty()) fail("at teardown: " + kernel.finding);
    if (driver.live_partitions() != 0 || driver.open_handles() != 0)
        fail("teardown left " + std::to_string(driver.live_partitions()) + " partitions and " +
             std::to_string(driver.open_handles()) + " handles in the driver");
    const std::uint64_t kept = root_pool() - pool_before;
    if (driver.pages().returned() + kept != driver.pages().handed_out())
        fail("teardown: the driver drew " + std::to_string(driver.pages().handed_out()) + " pages, got " +
             std::to_string(driver.pages().returned()) + " back and the root keeps " + std::to_string(kept));
    return out;
}

hvsim::MachineConfig config() {
    hvsim::MachineConfig c;
    c.ram_bytes = 1ull << 30;
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    static hvsim::Machine m(config());
    const bool pinned = (data[0] & 1) != 0;
    hvsim::FaultPlan plan;
    plan.seed = data[1];
    plan.early_end_per_mille = 100 + data[2] % 8 * 100;
    m.reset();
    const Run plain = run(m, data + 3, size - 3, pinned);
    m.reset(plan);
    const Run ended = run(m, data + 3, size - 3, pinned);
    if (plain.answers != ended.answers) {
        std::size_t i = 0;
        while (i < plain.answers.size() && i < ended.answers.size() && plain.answers[i] == ended.answers[i]) ++i;
        fail("ioctl " + std::to_string(i) + " answers differently when rep calls end early:\n  plain: " +
             (i < plain.answers.size() ? plain.answers[i] : "nothing") +
             "\n  ended: " + (i < ended.answers.size() ? ended.answers[i] : "nothing"));
    }
    if (plain.digest != ended.digest) fail("the model's state differs when rep calls end early");
    return 0;
}
