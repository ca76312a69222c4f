// The driver model through its handles, over a Host that answers from tables: teardown gives
// back every page it drew, VP handles hold their partition, and regions, eventfds, VP state and
// unknown requests answer with mshv_root's errnos (mshv-uapi.md §2; K-evfd for the eventfds).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvcall/catalogue.hpp"
#include "hvcall/types/memory.hpp"
#include "hvsim/call_context.hpp"
#include "hvsim/devmshv/driver.hpp"
#include "hvsim/devmshv/session.hpp"
#include "hvsim/machine.hpp"

namespace {

namespace uapi = hvsim::traces::mshv;
using hvcall::CallId;
using hvsim::devmshv::Driver;
using hvsim::devmshv::DriverOptions;
using hvsim::devmshv::Host;
using Regions = DriverOptions::Regions;

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kLargePages = 512;
constexpr std::uint16_t code_of(CallId id) noexcept { return hvcall::info(id).code; }

// Guest RAM the test declares: fake user addresses, never touched (the driver only asks
// whether a VMA covers them). kHuge is 2 MiB aligned and huge-page backed.
constexpr std::uint64_t kUser = 0x7f00'0000'0000, kUserBytes = 16ull << 20;
constexpr std::uint64_t kHuge = 0x7e00'0000'0000, kHugeBytes = 4ull << 20;

// The calling process as tables. Copies go to the test's own objects (addresses in the first
// page stand for a bad pointer); VMAs and huge-page ranges are declared; eventfds are fd ->
// identity, dup'd fds sharing one.
class TableHost final : public Host {
public:
    struct Range {
        std::uint64_t addr = 0, size = 0;
    };
    bool copy_in(void* to, std::uint64_t user_addr, std::size_t size) noexcept override {
        if (user_addr < kPage) return false;
        std::memcpy(to, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(user_addr)), size);
        return true;
    }
    bool copy_out(std::uint64_t user_addr, const void* from, std::size_t size) noexcept override {
        if (user_addr < kPage) return false;
        std::memcpy(reinterpret_cast<void*>(static_cast<std::uintptr_t>(user_addr)), from, size);
        return true;
    }
    bool mapped(std::uint64_t addr, std::uint64_t size) noexcept override { return covered(vmas, addr, size); }
    bool huge_backed(std::uint64_t addr, std::uint64_t size) noexcept override { return covered(huge, addr, size); }
    Eventfd eventfd(int fd) noexcept override {
        const auto it = eventfds.find(fd);
        return it != eventfds.end() ? it->second : Eventfd{-EBADF, 0};
    }
    bool eventfd_pending(int fd) noexcept override { return pending.contains(fd); }

    std::vector<Range> vmas{{kUser, kUserBytes}, {kHuge, kHugeBytes}};
    std::vector<Range> huge{{kHuge, kHugeBytes}};
    std::map<int, Eventfd> eventfds;
    std::set<int> pending;

private:
    static bool covered(const std::vector<Range>& ranges, std::uint64_t addr, std::uint64_t size) noexcept {
        return std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
            return addr >= r.addr && addr - r.addr <= r.size && size <= r.size - (addr - r.addr);
        });
    }
};

// The driver's own CPU: the session's tally (calls per code), and for map and unmap calls the
// elements each completed and the flags it carried, so a test can add up what was mapped.
class KernelCpu final : public hvcall::Backend {
public:
    KernelCpu(hvsim::Machine& machine, std::uint32_t cpu) : tally(machine, cpu) {}

    std::span<std::byte, hvcall::kPageSize> input_page() noexcept override {
        page_ = tally.input_page().data();
        return std::span<std::byte, hvcall::kPageSize>(page_, hvcall::kPageSize);
    }
    std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override { return tally.output_page(); }
    hvcall::HypercallResult hypercall(hvcall::Control control) noexcept override {
        const std::uint32_t flags = gpa_flags(control);
        const hvcall::HypercallResult r = tally.hypercall(control);
        if (flags != kNotGpa)
            gpa_calls.push_back(
                {control.code(), flags, r.reps_completed() - std::min(r.reps_completed(), control.rep_start())});
        return note(control, r);
    }
    hvcall::HypercallResult hypercall_fast(hvcall::Control control, std::uint64_t rdx,
                                           std::uint64_t r8) noexcept override {
        return note(control, tally.hypercall_fast(control, rdx, r8));
    }
    hvcall::HypercallResult hypercall_fast_xmm(hvcall::Control control, hvcall::XmmRegisters& regs) noexcept override {
        return note(control, tally.hypercall_fast_xmm(control, regs));
    }
    hvcall::PlacedCall hypercall_at(hvcall::Control control, std::uint64_t input_gpa, std::span<const std::byte> input,
                                    std::uint64_t output_gpa, std::span<std::byte> output) noexcept override {
        hvcall::PlacedCall placed = tally.hypercall_at(control, input_gpa, input, output_gpa, output);
        (void)note(control, placed.result);
        return placed;
    }

    struct GpaCall {
        std::uint16_t code;
        std::uint32_t flags;  // map_flags or unmap_flags (both at offset 16 of the header)
        std::uint32_t elements;
    };
    // Elements (pages, or 2 MiB pages with the large flag) of `id` calls whose flags include
    // `with` and exclude `without`.
    [[nodiscard]] std::uint64_t elements(CallId id, std::uint32_t with = 0, std::uint32_t without = 0) const {
        std::uint64_t n = 0;
        for (const GpaCall& c : gpa_calls)
            if (c.code == code_of(id) && (c.flags & with) == with && (c.flags & without) == 0) n += c.elements;
        return n;
    }
    // Map or unmap calls of `id` issued with those flags.
    [[nodiscard]] std::uint64_t issued(CallId id, std::uint32_t with = 0, std::uint32_t without = 0) const {
        return static_cast<std::uint64_t>(std::count_if(gpa_calls.begin(), gpa_calls.end(), [&](const GpaCall& c) {
            return c.code == code_of(id) && (c.flags & with) == with && (c.flags & without) == 0;
        }));
    }
    // Calls of `id` issued (retries after a deposit included), and those that succeeded.
    [[nodiscard]] std::uint64_t calls(CallId id) const {
        const auto it = tally.calls.find(code_of(id));
        return it == tally.calls.end() ? 0 : it->second;
    }
    [[nodiscard]] std::uint64_t succeeded(CallId id) const {
        const auto it = ok.find(code_of(id));
        return it == ok.end() ? 0 : it->second;
    }

    hvsim::devmshv::TallyBackend tally;
    std::map<std::uint16_t, std::uint64_t> ok;
    std::vector<GpaCall> gpa_calls;

private:
    hvcall::HypercallResult note(hvcall::Control control, hvcall::HypercallResult r) {
        if (r.ok()) ++ok[control.code()];
        return r;
    }
    static constexpr std::uint32_t kNotGpa = ~0u;
    std::uint32_t gpa_flags(hvcall::Control control) const noexcept {
        if (page_ == nullptr ||
            (control.code() != code_of(CallId::map_gpa_pages) && control.code() != code_of(CallId::unmap_gpa_pages)))
            return kNotGpa;
        std::uint32_t flags = 0;
        std::memcpy(&flags, page_ + offsetof(hvcall::InputMapGpaPages, map_flags), sizeof flags);
        return flags;
    }
    std::byte* page_ = nullptr;
};

// A machine, the driver over it (its own calls on CPU 1, the passthrough on CPU 0) and the
// device handle; what the driver logs is kept.
struct Rig {
    explicit Rig(DriverOptions options = {}, hvsim::MachineConfig config = {})
        : machine(std::move(config)),
          kernel(machine, 1),
          passthrough(machine, 0),
          driver(machine, kernel, passthrough, host, options) {
        driver.log = [this](const std::string& line) { lines.push_back(line); };
        device = driver.open("/dev/mshv");
    }

    template <class T>
    int ioctl(int handle, unsigned long request, T& arg) {
        return driver.ioctl(handle, request, &arg);
    }
    int ioctl(int handle, unsigned long request) { return driver.ioctl(handle, request, nullptr); }

    int create_partition() {
        // As VMMs create them: an LAPIC, and GPA super pages so that 2 MiB mappings are allowed.
        uapi::CreatePartition in{uapi::kPtFlagLapic | uapi::kPtFlagGpaSuperPages, uapi::kPtIsolationNone};
        return ioctl(device, uapi::kCreatePartition, in);
    }
    // A created, initialized partition's handle; its id is the model's newest.
    int initialized_partition() {
        const int pt = create_partition();
        REQUIRE(pt > 0);
        REQUIRE(ioctl(pt, uapi::kInitializePartition) == 0);
        return pt;
    }
    [[nodiscard]] std::uint64_t newest_partition() {
        const auto ids = machine.hypervisor().partition_ids();
        REQUIRE(!ids.empty());
        return ids.back();
    }
    int create_vp(int pt, std::uint32_t index) {
        uapi::CreateVp in{index};
        return ioctl(pt, uapi::kCreateVp, in);
    }
    int map(int pt, std::uint64_t gfn, std::uint64_t pages, std::uint64_t user,
            std::uint8_t flags = uapi::kSetMemWritable) {
        uapi::UserMemRegion r{pages * kPage, gfn, user, flags, {}};
        return ioctl(pt, uapi::kSetGuestMemory, r);
    }
    int unmap(int pt, std::uint64_t gfn, std::uint64_t pages, std::uint64_t user) {
        return map(pt, gfn, pages, user, uapi::kSetMemUnmap);
    }
    int irqfd(int pt, int fd, std::uint32_t gsi, std::uint32_t flags = 0) {
        uapi::UserIrqfd in{fd, -1, gsi, flags};
        return ioctl(pt, uapi::kIrqfd, in);
    }
    int ioeventfd(int pt, int fd, std::uint64_t addr, std::uint32_t len, std::uint32_t flags = 0,
                  std::uint64_t datamatch = 0) {
        uapi::UserIoeventfd in{datamatch, addr, len, fd, flags, {}};
        return ioctl(pt, uapi::kIoeventfd, in);
    }
    // Pages deposited into the root and still there: what the driver drew and never gets back.
    [[nodiscard]] std::uint64_t root_pool() {
        const auto root = machine.hypervisor().partition(machine.config().root_partition_id);
        REQUIRE(root.has_value());
        return root->pool_pages;
    }

    hvsim::Machine machine;
    KernelCpu kernel;
    hvsim::SimBackend passthrough;
    TableHost host;
    std::vector<std::string> lines;  // before the driver: its log may write here until it goes
    Driver driver;
    int device = -1;
};

// A page-aligned user buffer for VP state.
struct alignas(4096) StateBuffer {
    std::array<std::byte, 3 * 4096> bytes{};
};

int vp_state(Rig& rig, int vp, bool set, std::uint8_t type, StateBuffer& buffer, std::uint32_t& buf_sz) {
    uapi::GetSetVpState in{type, {}, buf_sz, reinterpret_cast<std::uintptr_t>(buffer.bytes.data())};
    const int r = rig.ioctl(vp, set ? uapi::kSetVpState : uapi::kGetVpState, in);
    buf_sz = in.buf_sz;
    return r;
}

// Every page the driver drew came back, but those it deposited into the root (which keeps them,
// as it does under the kernel); and every page it got back is free in the model again.
void check_pages_back(Rig& rig, std::uint64_t root_pool_before) {
    const hvsim::HostPageSource& pages = rig.driver.pages();
    const std::uint64_t kept_by_root = rig.root_pool() - root_pool_before;
    CHECK(pages.returned() + kept_by_root == pages.handed_out());
    std::uint64_t not_free = 0;
    for (const std::uint64_t pfn : pages.released())
        if (rig.machine.hypervisor().pfn_state(pfn).owner != hvsim::PfnOwner::free) ++not_free;
    CHECK(not_free == 0);
}

}  // namespace

TEST_CASE("closing the last handle returns every drawn page and deletes the partition") {
    const Regions regions = GENERATE(Regions::movable, Regions::pinned);
    CAPTURE(regions == Regions::pinned ? "pinned" : "movable");
    Rig rig({.regions = regions});
    rig.host.eventfds = {{30, {0, 1}}, {31, {0, 2}}};
    const std::uint64_t root_pool_before = rig.root_pool();

    const int pt = rig.initialized_partition();
    const std::uint64_t id = rig.newest_partition();
    const int vp0 = rig.create_vp(pt, 0), vp1 = rig.create_vp(pt, 1);
    REQUIRE(vp0 > 0);
    REQUIRE(vp1 > 0);
    REQUIRE(rig.map(pt, 0, kLargePages, kHuge) == 0);  // huge backed, 2 MiB aligned: LARGE_PAGE when pinned
    REQUIRE(rig.map(pt, 0x1000, 64, kUser) == 0);
    REQUIRE(rig.irqfd(pt, 30, 5) == 0);
    REQUIRE(rig.ioeventfd(pt, 31, 0xfeb0'0000, 4) == 0);
    StateBuffer lapic;
    std::uint32_t size = kPage;
    REQUIRE(vp_state(rig, vp0, true, uapi::kVpStateLapic, lapic, size) == 0);  // draws a page and gives it back

    const auto mapped = rig.machine.hypervisor().gpa_mapping(id, 0x1000);
    const auto large = rig.machine.hypervisor().gpa_mapping(id, 0);
    REQUIRE(mapped.has_value());
    REQUIRE(large.has_value());
    CHECK(large->large == (regions == Regions::pinned));
    // Pinned: the first stand-in PFN of each region.
    const std::uint64_t backing = mapped->pfn, large_backing = large->pfn;
    CHECK(rig.machine.hypervisor().partition(id)->pool_pages > 0);
    CHECK(rig.driver.pages().handed_out() >= hvcall::kInitializePartitionDepositPages);

    REQUIRE(rig.driver.close(vp0) == 0);
    REQUIRE(rig.driver.close(vp1) == 0);
    CHECK(rig.driver.live_partitions() == 1);  // the partition's own handle is still open
    REQUIRE(rig.driver.close(pt) == 0);

    CHECK(rig.driver.live_partitions() == 0);
    CHECK(rig.driver.open_handles() == 1);
    CHECK(rig.driver.kind(rig.device) == hvsim::devmshv::FdKind::device);
    CHECK(rig.machine.hypervisor().partition_ids().empty());
    CHECK_FALSE(rig.machine.hypervisor().partition(id).has_value());
    CHECK(rig.kernel.succeeded(CallId::delete_partition) == 1);
    CHECK(rig.kernel.calls(CallId::withdraw_memory) >= 1);
    CHECK(rig.kernel.succeeded(CallId::delete_port) == 1);
    check_pages_back(rig, root_pool_before);
    // One unmap per region, LARGE_PAGE for the pinned 2 MiB one. They come after FINALIZE, so the
    // model refuses them (the partition is no longer active) and the driver ignores that, as the
    // kernel does; the stand-in pages are free again all the same.
    const std::uint64_t unmaps_4k = rig.kernel.issued(CallId::unmap_gpa_pages, 0, hvcall::kUnmapLargePage);
    const std::uint64_t unmaps_2m = rig.kernel.issued(CallId::unmap_gpa_pages, hvcall::kUnmapLargePage);
    CHECK(unmaps_2m == (regions == Regions::pinned ? 1 : 0));
    CHECK(unmaps_4k == (regions == Regions::pinned ? 1 : 2));
    if (regions == Regions::pinned) {
        for (const std::uint64_t pfn : {large_backing, backing}) {
            CHECK(rig.machine.hypervisor().pfn_state(pfn).owner == hvsim::PfnOwner::free);
            CHECK(rig.machine.hypervisor().pfn_state(pfn).map_count == 0);
        }
    }
    CHECK(rig.machine.hypervisor().check_invariants().empty());
}

TEST_CASE("a VP handle keeps its partition alive after the partition handle closes") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const std::uint64_t id = rig.newest_partition();
    const int vp2 = rig.create_vp(pt, 2), vp3 = rig.create_vp(pt, 3);
    REQUIRE(vp2 > 0);
    REQUIRE(vp3 > 0);

    REQUIRE(rig.driver.close(pt) == 0);
    CHECK(rig.driver.live_partitions() == 1);
    CHECK(rig.driver.open_handles() == 3);
    CHECK(rig.machine.hypervisor().partition(id).has_value());
    CHECK(rig.machine.hypervisor().vp_indices(id) == std::vector<std::uint32_t>{2, 3});
    CHECK(rig.ioctl(pt, uapi::kInitializePartition) == -EBADF);  // the handle itself is gone
    StateBuffer buffer;
    std::uint32_t size = kPage;
    CHECK(vp_state(rig, vp3, false, uapi::kVpStateLapic, buffer, size) == 0);  // the VP still answers

    REQUIRE(rig.driver.close(vp2) == 0);
    CHECK(rig.driver.live_partitions() == 1);
    CHECK(rig.machine.hypervisor().partition(id).has_value());
    CHECK(rig.kernel.calls(CallId::delete_partition) == 0);

    REQUIRE(rig.driver.close(vp3) == 0);
    CHECK(rig.driver.live_partitions() == 0);
    CHECK(rig.driver.open_handles() == 1);
    CHECK_FALSE(rig.machine.hypervisor().partition(id).has_value());
    CHECK(rig.kernel.succeeded(CallId::delete_partition) == 1);
    CHECK(rig.driver.close(vp3) == -EBADF);
}

TEST_CASE("a region overlapping another's GFNs is -EEXIST, user addresses may overlap") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const std::uint64_t id = rig.newest_partition();
    REQUIRE(rig.map(pt, 0x100, 16, kUser) == 0);
    CHECK(rig.map(pt, 0x10F, 16, kUser + 0x100000) == -EEXIST);  // shares the last page
    CHECK(rig.map(pt, 0x0F1, 16, kUser + 0x200000) == -EEXIST);  // shares the first page
    CHECK(rig.map(pt, 0x104, 4, kUser + 0x300000) == -EEXIST);   // inside
    CHECK(rig.map(pt, 0x0F0, 64, kUser + 0x400000) == -EEXIST);  // around
    CHECK(rig.machine.hypervisor().partition(id)->gpa_pages == 16);
    CHECK(rig.map(pt, 0x110, 16, kUser) == 0);  // adjacent above, the same user range
    CHECK(rig.map(pt, 0x0F0, 16, kUser) == 0);  // adjacent below
    CHECK(rig.machine.hypervisor().partition(id)->gpa_pages == 48);
}

TEST_CASE("a region without a VMA behind it is -EINVAL") {
    Rig rig;
    const int pt = rig.initialized_partition();
    CHECK(rig.map(pt, 0x100, 16, kUser + kUserBytes) == -EINVAL);              // past the VMA
    CHECK(rig.map(pt, 0x100, 16, kUser + kUserBytes - 8 * kPage) == -EINVAL);  // half past it
    CHECK(rig.map(pt, 0x100, 16, kUser + kUserBytes - 16 * kPage) == 0);
}

TEST_CASE("unmap takes an exact match of GFN, user address and size, else -EINVAL") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const std::uint64_t id = rig.newest_partition();
    REQUIRE(rig.map(pt, 0x200, 32, kUser) == 0);
    CHECK(rig.unmap(pt, 0x200, 16, kUser) == -EINVAL);          // a prefix
    CHECK(rig.unmap(pt, 0x200, 64, kUser) == -EINVAL);          // longer
    CHECK(rig.unmap(pt, 0x200, 32, kUser + kPage) == -EINVAL);  // another user address
    CHECK(rig.unmap(pt, 0x201, 31, kUser + kPage) == -EINVAL);  // a suffix
    CHECK(rig.kernel.calls(CallId::unmap_gpa_pages) == 0);
    CHECK(rig.machine.hypervisor().gpa_mapping(id, 0x200).has_value());

    CHECK(rig.unmap(pt, 0x200, 32, kUser) == 0);
    CHECK_FALSE(rig.machine.hypervisor().gpa_mapping(id, 0x200).has_value());
    CHECK_FALSE(rig.machine.hypervisor().gpa_mapping(id, 0x21F).has_value());
    CHECK(rig.machine.hypervisor().partition(id)->gpa_pages == 0);
    CHECK(rig.kernel.elements(CallId::unmap_gpa_pages) == 32);
    CHECK(rig.map(pt, 0x200, 32, kUser) == 0);  // the GFNs are free again
}

// 6.19's "refcount and locking" change (upstream-linux.md §5, c39dda08286f): no region holding
// the GFN is -ENOENT; a region that does but differs stays -EINVAL. The model: driver.cpp:298.
TEST_CASE("unmap where no region holds the GFN is -ENOENT") {
    Rig rig;
    const int pt = rig.initialized_partition();
    REQUIRE(rig.map(pt, 0x200, 32, kUser) == 0);
    CHECK(rig.unmap(pt, 0x400, 32, kUser) == -ENOENT);
}

TEST_CASE("a pinned region maps the model's PFNs, 2 MiB elements where huge pages back it") {
    Rig rig({.regions = Regions::pinned});
    const int pt = rig.initialized_partition();
    const std::uint64_t id = rig.newest_partition();
    namespace mf = hvcall::map_flags;

    REQUIRE(rig.map(pt, 0x10000, 2 * kLargePages, kHuge) == 0);
    CHECK(rig.kernel.elements(CallId::map_gpa_pages, mf::large_page) == 2);
    CHECK(rig.kernel.elements(CallId::map_gpa_pages, 0, mf::large_page) == 0);
    const auto head = rig.machine.hypervisor().gpa_mapping(id, 0x10000);
    REQUIRE(head.has_value());
    CHECK(head->kind == hvsim::GpaKind::ram);
    CHECK(head->large);
    CHECK(head->pfn % kLargePages == 0);
    CHECK(rig.machine.hypervisor().pfn_state(head->pfn).owner == hvsim::PfnOwner::mapped);

    // Not 2 MiB aligned in GFN: 4 KiB elements, one per page, on consecutive PFNs after the first region's.
    REQUIRE(rig.map(pt, 0x20001, 700, kHuge) == 0);
    CHECK(rig.kernel.elements(CallId::map_gpa_pages, 0, mf::large_page) == 700);
    CHECK(rig.kernel.elements(CallId::map_gpa_pages, mf::no_access) == 0);
    CHECK(rig.kernel.calls(CallId::map_gpa_pages) >= 2);  // 509 elements a call at most
    const auto first = rig.machine.hypervisor().gpa_mapping(id, 0x20001);
    const auto last = rig.machine.hypervisor().gpa_mapping(id, 0x20001 + 699);
    REQUIRE(first.has_value());
    REQUIRE(last.has_value());
    CHECK_FALSE(first->large);
    CHECK(first->pfn >= head->pfn + 2 * kLargePages);
    CHECK(last->pfn == first->pfn + 699);
    CHECK((first->flags & mf::writable) != 0);
    CHECK(rig.machine.hypervisor().partition(id)->gpa_pages == 2 * kLargePages + 700);
}

TEST_CASE("a movable region maps its whole range NO_ACCESS") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const std::uint64_t id = rig.newest_partition();
    REQUIRE(rig.map(pt, 0x10000, 2 * kLargePages, kHuge) == 0);
    CHECK(rig.kernel.elements(CallId::map_gpa_pages, hvcall::map_flags::no_access) == 2 * kLargePages);
    CHECK(rig.kernel.elements(CallId::map_gpa_pages, hvcall::map_flags::large_page) == 0);
    const auto page = rig.machine.hypervisor().gpa_mapping(id, 0x10000 + 1000);
    REQUIRE(page.has_value());
    CHECK(page->kind == hvsim::GpaKind::no_access);
}

TEST_CASE("irqfd: a bound eventfd is -EBUSY, deassign of an unbound one is 0") {
    Rig rig;
    rig.host.eventfds = {{30, {0, 1}}, {31, {0, 1}}, {32, {0, 2}}, {33, {-EINVAL, 0}}};
    const int pt = rig.initialized_partition();
    REQUIRE(rig.irqfd(pt, 30, 5) == 0);
    CHECK(rig.irqfd(pt, 30, 6) == -EBUSY);
    CHECK(rig.irqfd(pt, 31, 7) == -EBUSY);            // a dup of 30: the same eventfd
    CHECK(rig.irqfd(pt, 32, 5) == 0);                 // another eventfd may share the GSI
    CHECK(rig.irqfd(pt, 33, 8) == -EINVAL);           // not an eventfd
    CHECK(rig.irqfd(pt, 40, 8) == -EBADF);            // not open
    CHECK(rig.irqfd(pt, 30, 5, 1u << 2) == -EINVAL);  // a flag outside the mask

    CHECK(rig.irqfd(pt, 30, 6, uapi::kIrqfdDeassign) == 0);  // bound, but to GSI 5: nothing goes
    CHECK(rig.irqfd(pt, 30, 6) == -EBUSY);
    CHECK(rig.irqfd(pt, 33, 5, uapi::kIrqfdDeassign) == -EINVAL);
    CHECK(rig.irqfd(pt, 40, 5, uapi::kIrqfdDeassign) == -EBADF);
    CHECK(rig.irqfd(pt, 31, 5, uapi::kIrqfdDeassign) == 0);  // through the dup
    CHECK(rig.irqfd(pt, 30, 6) == 0);                        // free again
}

TEST_CASE("ioeventfd: collisions -EEXIST, deassign of an unknown one -ENOENT, PIO -EOPNOTSUPP") {
    Rig rig;
    rig.host.eventfds = {{30, {0, 1}}, {31, {0, 2}}, {32, {0, 3}}};
    const int pt = rig.initialized_partition();
    constexpr std::uint64_t kAddr = 0xfeb0'0000;
    const std::uint32_t match = uapi::kIoeventfdDatamatch;

    REQUIRE(rig.ioeventfd(pt, 30, kAddr, 4, match, 7) == 0);
    CHECK(rig.kernel.succeeded(CallId::create_port) == 1);
    CHECK(rig.kernel.succeeded(CallId::connect_port) == 1);
    CHECK(rig.ioeventfd(pt, 31, kAddr, 4, match, 7) == -EEXIST);  // the same value
    CHECK(rig.ioeventfd(pt, 31, kAddr, 4) == -EEXIST);            // any value collides with every value
    CHECK(rig.ioeventfd(pt, 31, kAddr, 4, match, 8) == 0);        // another value
    CHECK(rig.ioeventfd(pt, 32, kAddr + 8, 8) == 0);              // another address
    CHECK(rig.ioeventfd(pt, 32, kAddr, 3) == -EINVAL);            // not a natural size
    CHECK(rig.ioeventfd(pt, 32, ~0ull - 1, 4) == -EINVAL);        // the range wraps
    CHECK(rig.ioeventfd(pt, 32, 0x60, 1, uapi::kIoeventfdPio) == -EOPNOTSUPP);
    CHECK(rig.ioeventfd(pt, 32, 0x60, 1, uapi::kIoeventfdPio | uapi::kIoeventfdDeassign) == -EOPNOTSUPP);
    CHECK(rig.ioeventfd(pt, 32, kAddr, 4, 1u << 3) == -EINVAL);  // a flag outside the mask
    CHECK(rig.kernel.succeeded(CallId::create_port) == 3);

    const std::uint32_t off = uapi::kIoeventfdDeassign;
    CHECK(rig.ioeventfd(pt, 30, kAddr, 4, off | match, 8) == -ENOENT);  // 30 is bound to value 7
    CHECK(rig.ioeventfd(pt, 30, kAddr, 4, off) == -ENOENT);             // and not as a wildcard
    CHECK(rig.ioeventfd(pt, 30, kAddr, 8, off | match, 7) == -ENOENT);  // nor with 8 bytes
    CHECK(rig.ioeventfd(pt, 32, kAddr, 4, off | match, 7) == -ENOENT);  // another eventfd
    CHECK(rig.kernel.calls(CallId::delete_port) == 0);
    CHECK(rig.ioeventfd(pt, 30, kAddr, 4, off | match, 7) == 0);
    CHECK(rig.kernel.succeeded(CallId::disconnect_port) == 1);
    CHECK(rig.kernel.succeeded(CallId::delete_port) == 1);
    CHECK(rig.ioeventfd(pt, 30, kAddr, 4, off | match, 7) == -ENOENT);  // gone
    CHECK(rig.ioeventfd(pt, 30, kAddr, 4, match, 7) == 0);              // and the address is free
}

// mshv_set_unset_ioeventfd refuses non-zero reserved bytes before anything else (mshv_eventfd.c,
// as upstream: mshv_field_nonzero(*args, rsvd)); the model does not look at them (driver.cpp:350).
TEST_CASE("ioeventfd with reserved bytes set is -EINVAL") {
    Rig rig;
    rig.host.eventfds = {{30, {0, 1}}};
    const int pt = rig.initialized_partition();
    uapi::UserIoeventfd in{0, 0xfeb0'0000, 4, 30, 0, {1, 0, 0, 0}};
    CHECK(rig.ioctl(pt, uapi::kIoeventfd, in) == -EINVAL);
}

// mshv_deassign_ioeventfd returns eventfd_ctx_fdget's error for a bad fd; the model answers
// -ENOENT for it (driver.cpp:358-361).
TEST_CASE("ioeventfd deassign of a closed fd is -EBADF") {
    Rig rig;
    const int pt = rig.initialized_partition();
    CHECK(rig.ioeventfd(pt, 40, 0xfeb0'0000, 4, uapi::kIoeventfdDeassign) == -EBADF);
}

TEST_CASE("LAPIC state round trips its 1024 bytes through the model") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const int vp = rig.create_vp(pt, 0);
    REQUIRE(vp > 0);
    StateBuffer in, out;
    for (std::size_t i = 0; i < 1024; ++i) in.bytes[i] = static_cast<std::byte>(i * 7 + 3);
    std::uint32_t size = kPage;
    REQUIRE(vp_state(rig, vp, true, uapi::kVpStateLapic, in, size) == 0);
    CHECK(size == kPage);  // the size the state needs, written back
    size = kPage;
    REQUIRE(vp_state(rig, vp, false, uapi::kVpStateLapic, out, size) == 0);
    CHECK(size == kPage);
    CHECK(std::memcmp(in.bytes.data(), out.bytes.data(), 1024) == 0);
    CHECK(rig.kernel.calls(CallId::set_vp_state) == 1);
    CHECK(rig.kernel.calls(CallId::get_vp_state) == 1);

    // Another VP's state is its own.
    const int other = rig.create_vp(pt, 1);
    REQUIRE(other > 0);
    StateBuffer theirs;
    size = kPage;
    REQUIRE(vp_state(rig, other, false, uapi::kVpStateLapic, theirs, size) == 0);
    CHECK(std::memcmp(in.bytes.data(), theirs.bytes.data(), 1024) != 0);
}

TEST_CASE("VP state buffers: size 0, unaligned, and an unknown type are -EINVAL") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const int vp = rig.create_vp(pt, 0);
    REQUIRE(vp > 0);
    StateBuffer buffer;
    std::uint32_t size = 0;
    CHECK(vp_state(rig, vp, false, uapi::kVpStateLapic, buffer, size) == -EINVAL);
    size = 1024;
    CHECK(vp_state(rig, vp, false, uapi::kVpStateLapic, buffer, size) == -EINVAL);
    size = kPage;
    CHECK(vp_state(rig, vp, false, uapi::kVpStateCount, buffer, size) == -EINVAL);
    CHECK(rig.kernel.calls(CallId::get_vp_state) == 0);
}

// When the host cannot back a whole VP state buffer, the pages drawn for part of it go back
// (the kernel unpins what it pinned). The model releases none of them (driver.cpp:511-512).
TEST_CASE("a VP state buffer the host cannot back gives back the pages it drew") {
    hvsim::MachineConfig config;
    config.ram_bytes = 4ull << 20;  // 512 pages for deposits and state buffers
    Rig rig({}, config);
    const std::uint64_t first = config.ram_bytes / kPage / 2, end = config.ram_bytes / kPage;
    std::uint64_t free_at_start = 0;
    for (std::uint64_t pfn = first; pfn < end; ++pfn)
        if (rig.machine.hypervisor().pfn_state(pfn).owner == hvsim::PfnOwner::free) ++free_at_start;
    const int pt = rig.initialized_partition();
    const int vp = rig.create_vp(pt, 0);
    REQUIRE(vp > 0);
    const hvsim::HostPageSource& pages = rig.driver.pages();
    const std::uint64_t outstanding = pages.handed_out() - pages.returned();
    const std::uint64_t left = free_at_start - outstanding;
    REQUIRE(left + 1 <= hvcall::kVpStateBatch);
    REQUIRE(left > 0);

    const std::size_t bytes = (left + 1) * kPage;
    std::byte* buffer = static_cast<std::byte*>(std::aligned_alloc(kPage, bytes));
    REQUIRE(buffer != nullptr);
    uapi::GetSetVpState in{
        uapi::kVpStateLapic, {}, static_cast<std::uint32_t>(bytes), reinterpret_cast<std::uintptr_t>(buffer)};
    CHECK(rig.ioctl(vp, uapi::kGetVpState, in) == -ENOMEM);
    std::free(buffer);
    CHECK(pages.handed_out() - pages.returned() == outstanding);
}

namespace {
// The model's get_partition_property, but with a 12 KiB XSAVE area (AMX-sized): the model's
// own 832 bytes fit every page-aligned buffer, so a too-small one needs a bigger area.
hvsim::Handler g_model_get_property;
hvsim::Outcome get_property_12k_xsave(hvsim::CallContext& ctx) {
    constexpr std::uint32_t kMaxXsaveDataSize = 0x00060008;
    if (ctx.in<std::uint32_t>(8) != kMaxXsaveDataSize) return g_model_get_property.simple(ctx);
    ctx.out<std::uint64_t>(0, 3 * kPage);
    return hvsim::Outcome::ok();
}
}  // namespace

TEST_CASE("XSAVE into a too-small buffer writes the needed size back and is -EINVAL") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const int vp = rig.create_vp(pt, 0);
    REQUIRE(vp > 0);
    StateBuffer buffer;

    std::uint32_t size = kPage;  // the model's own area fits a page
    REQUIRE(vp_state(rig, vp, false, uapi::kVpStateXsave, buffer, size) == 0);
    const auto model_size = rig.machine.hypervisor().partition_property(rig.newest_partition(), 0x00060008);
    REQUIRE(model_size.has_value());
    CHECK(size == *model_size);

    hvsim::Hypervisor& hv = rig.machine.hypervisor();
    g_model_get_property = hv.handler(CallId::get_partition_property);
    hv.set_handler(CallId::get_partition_property, {get_property_12k_xsave, nullptr, nullptr});
    const std::uint64_t gets = rig.kernel.calls(CallId::get_vp_state);
    size = 2 * kPage;
    CHECK(vp_state(rig, vp, false, uapi::kVpStateXsave, buffer, size) == -EINVAL);
    CHECK(size == 3 * kPage);
    size = kPage;
    CHECK(vp_state(rig, vp, true, uapi::kVpStateXsave, buffer, size) == -EINVAL);
    CHECK(size == 3 * kPage);
    CHECK(rig.kernel.calls(CallId::get_vp_state) == gets);  // refused before any state call
    CHECK(rig.kernel.calls(CallId::set_vp_state) == 0);
    size = 3 * kPage;
    CHECK(vp_state(rig, vp, false, uapi::kVpStateXsave, buffer, size) == 0);
    hv.set_handler(CallId::get_partition_property, g_model_get_property);
}

TEST_CASE("an unknown request is -ENOTTY on every fd kind; only the VP fd logs it") {
    Rig rig;
    const int pt = rig.initialized_partition();
    const int vp = rig.create_vp(pt, 0);
    REQUIRE(vp > 0);
    // Another kind's numbers are unknown here; 0xF2 is TRANSLATE_GVA, which mshv-ioctls tries.
    const unsigned long translate_gva = uapi::ioc(uapi::kWrite | uapi::kRead, uapi::kIoctlType, 0xF2, 32);
    const std::vector<std::pair<int, unsigned long>> unknown = {
        {rig.device, uapi::kCreateVp}, {pt, uapi::kRunVp}, {vp, uapi::kCreatePartition}, {vp, translate_gva}};
    for (const auto& [handle, request] : unknown) {
        CAPTURE(handle, request);
        REQUIRE(rig.driver.kind(handle).has_value());
        CHECK_FALSE(Driver::ioctl_name(*rig.driver.kind(handle), request).has_value());
        rig.lines.clear();
        CHECK(rig.ioctl(handle, request) == -ENOTTY);
        if (handle != vp) {
            CHECK(rig.lines.empty());  // the kernel warns for VP fds only (mshv-uapi.md §2)
            continue;
        }
        REQUIRE(rig.lines.size() == 1);
        char hex[32];
        std::snprintf(hex, sizeof hex, "%#lx", request);
        const std::string& line = rig.lines.front();
        CHECK((line.find(std::to_string(request)) != std::string::npos || line.find(hex) != std::string::npos));
    }
}

TEST_CASE("INITIALIZE_PARTITION that fails withdraws every page it deposited") {
    hvsim::MachineConfig config;
    std::string how;
    SECTION("the hypervisor refuses the call") { how = "injected"; }
    SECTION("the host runs out of pages for the deposits") {
        how = "exhausted";
        config.ram_bytes = 8ull << 20;             // 1024 pages for deposits in the upper half
        config.costs.initialize_partition = 4096;  // more than the host can ever deposit
    }
    Rig rig({}, config);
    const std::uint64_t root_pool_before = rig.root_pool();
    const int pt = rig.create_partition();
    REQUIRE(pt > 0);
    const std::uint64_t id = rig.newest_partition();
    if (how == "injected") {
        hvsim::FaultPlan plan;
        plan.statuses.push_back({code_of(CallId::initialize_partition), 0, hvcall::Status::OPERATION_FAILED});
        rig.machine.set_fault_plan(plan);
    }
    const std::uint64_t drawn_before = rig.driver.pages().handed_out();

    const int e = rig.ioctl(pt, uapi::kInitializePartition);
    CHECK(e == (how == "injected" ? -EIO : -ENOMEM));
    CHECK(rig.driver.pages().handed_out() - drawn_before >= hvcall::kInitializePartitionDepositPages);
    CHECK(rig.machine.hypervisor().partition(id)->pool_pages == 0);
    CHECK(rig.kernel.calls(CallId::withdraw_memory) >= 1);
    check_pages_back(rig, root_pool_before);
    CHECK(rig.driver.live_partitions() == 1);  // the partition stays, uninitialized, until closed

    REQUIRE(rig.driver.close(pt) == 0);
    CHECK_FALSE(rig.machine.hypervisor().partition(id).has_value());
    check_pages_back(rig, root_pool_before);
}
