// The driver model: the kernel half of Linux's /dev/mshv (mshv_root, newest upstream) over the
// hypervisor model. It serves the uapi's ioctls per fd kind with the driver's argument checks
// and errnos, and issues the hypercalls mshv_root issues for them through hvcall — batches,
// deposit-and-retry, rollback — so that a VMM's unchanged code, run against it, causes the
// hypercalls it would cause on a real root partition [A-MAIN, MAIN, UAPI, K-evfd].
//
// Handles are the driver's own small integers, not process fds: the preload library
// (preload.cpp) gives each one a real fd and maps fds to handles; tests use handles directly.
// Not thread-safe: callers serialise (the preload holds one lock per ioctl).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvcall/status.hpp"
#include "hvsim/devmshv/host.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/mshv_backend.hpp"
#include "hvsim/traces/mshv_uapi.hpp"

namespace hvsim::devmshv {

using FdKind = traces::mshv::FdKind;

// What MSHV_RUN_VP does: the seam where a real executor (KVM, where /dev/kvm exists) can sit.
// The default runs no guest code (README "Run your VMM on hvsim").
class VpRunner {
public:
    virtual ~VpRunner() = default;
    // Fills `message` (one hv_message) and returns 0, or returns -errno.
    virtual int run(std::uint64_t partition_id, std::uint32_t vp_index, std::span<std::byte, 256> message) noexcept = 0;
};

struct DriverOptions {
    // How guest RAM regions are mapped. movable (6.19 and later, the default for non-encrypted
    // partitions): the whole range NO_ACCESS, pages faulted in on GPA intercepts, which a model
    // that runs no guest never sees. pinned (the fallback, and every kernel before 6.19): the
    // pages' PFNs, with 2 MiB elements where huge pages back the range.
    enum class Regions : std::uint8_t { movable, pinned };
    Regions regions = Regions::movable;
    // Pinned regions stand in the model's RAM from this PFN on (the pages the kernel would pin);
    // 0: the second quarter of the machine's RAM. Deposits come from the upper half.
    std::uint64_t backing_first_pfn = 0;
    VpRunner* runner = nullptr;  // nullptr: RUN_VP answers -EOPNOTSUPP
    // What an async passthrough's completion carries when the call answers CALL_PENDING: the
    // kernel waits for the hypervisor's completion message, which the model never sends.
    hvcall::Status async_completion = hvcall::Status::SUCCESS;
};

class Driver final : public traces::DeviceSeam {
public:
    // `kernel` is the CPU the driver's own calls go through (hvcall's marshalling, on the per-CPU
    // pages); `passthrough` the one MSHV_ROOT_HVCALL uses, whose pages stand for the pair the
    // kernel allocates for each passthrough call (not zeroed, apart from the per-CPU pages).
    // Wrap them to record the calls.
    Driver(Machine& machine, hvcall::Backend& kernel, hvcall::Backend& passthrough, Host& host,
           DriverOptions options = {});
    ~Driver() override;
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;

    // "/dev/mshv" gives a device handle; any other path -ENOENT.
    int open(const char* path) noexcept override;
    // `arg` is the user pointer the ioctl carries; the driver copies through Host.
    int ioctl(int handle, unsigned long request, void* arg) noexcept override;
    // Drops the handle; a partition's last handle tears it down (VPs hold their partition).
    int close(int handle) noexcept override;
    // mmap of a VP handle at this page offset: the VP's pages are not shared with the client
    // (they live in the model's memory), so -ENODEV at 0/1/2 as for a missing page, -EINVAL
    // elsewhere and on other kinds (-ENODEV: no mmap there).
    int mmap(int handle, std::uint64_t page_offset) noexcept;

    [[nodiscard]] std::optional<FdKind> kind(int handle) const noexcept;
    // The ioctl's name on that kind of fd, or nothing: an unknown request.
    [[nodiscard]] static std::optional<std::string_view> ioctl_name(FdKind kind, unsigned long request) noexcept;
    [[nodiscard]] std::size_t live_partitions() const noexcept { return partitions_.size(); }
    [[nodiscard]] std::size_t open_handles() const noexcept { return handles_.size(); }
    [[nodiscard]] std::uint64_t passthrough_deposits() const noexcept { return deposits_; }
    // Pages the driver drew for deposits and pinning, and those it got back.
    [[nodiscard]] const HostPageSource& pages() const noexcept { return pages_; }
    void set_async_completion(hvcall::Status status) noexcept { options_.async_completion = status; }
    // Where the driver tells what it refused or could not do (the kernel's pr_warn / dev_dbg).
    std::function<void(const std::string&)> log;

private:
    struct Region {
        std::uint64_t gfn = 0, pages = 0, user_addr = 0;
        std::uint8_t flags = 0;
        bool large = false;
        std::uint64_t backing_pfn = 0;  // pinned: the first stand-in PFN; movable: unused
    };
    struct Irqfd {
        std::uint64_t eventfd = 0;  // Host::Eventfd::id
        std::uint32_t gsi = 0;
        bool resample = false;
    };
    struct Ioeventfd {
        std::uint64_t addr = 0, datamatch = 0, eventfd = 0;
        std::uint32_t len = 0, connection = 0;
        bool wildcard = true;
    };
    struct Vp {
        std::uint32_t index = 0;
        std::vector<std::uint16_t> state_pages;  // vp_state_page types mapped at creation
        std::vector<std::uint8_t> stats_areas;   // SELF / PARENT stats pages mapped
    };
    struct Partition {
        std::uint64_t id = 0;
        bool initialized = false;
        std::uint32_t refs = 0;  // handles: its own and its VPs'
        std::map<std::uint32_t, Vp> vps;
        std::vector<Region> regions;
        std::vector<Irqfd> irqfds;
        std::vector<Ioeventfd> ioeventfds;
        std::vector<traces::mshv::UserIrqEntry> msi_routes;
    };
    struct Handle {
        FdKind kind = FdKind::device;
        std::uint64_t partition = 0;  // partition and VP handles
        std::uint32_t vp = 0;
    };

    int device_ioctl(unsigned long request, std::uint64_t arg) noexcept;
    int create_partition(std::uint64_t arg) noexcept;
    int partition_ioctl(Partition& p, unsigned long request, std::uint64_t arg) noexcept;
    int initialize(Partition& p) noexcept;
    int create_vp(Partition& p, std::uint64_t arg) noexcept;
    int set_guest_memory(Partition& p, std::uint64_t arg) noexcept;
    int map_region(Partition& p, const traces::mshv::UserMemRegion& r) noexcept;
    int unmap_region(Partition& p, const traces::mshv::UserMemRegion& r) noexcept;
    void unmap_region_pages(Partition& p, const Region& r) noexcept;
    int irqfd(Partition& p, std::uint64_t arg) noexcept;
    void inject(Partition& p, std::uint32_t gsi) noexcept;
    int ioeventfd(Partition& p, std::uint64_t arg) noexcept;
    int set_msi_routing(Partition& p, std::uint64_t arg) noexcept;
    int gpap_access_bitmap(Partition& p, std::uint64_t arg) noexcept;
    int vp_ioctl(Partition& p, Vp& vp, unsigned long request, std::uint64_t arg) noexcept;
    int vp_state(Partition& p, Vp& vp, bool set, std::uint64_t arg) noexcept;
    int run_vp(Partition& p, Vp& vp, std::uint64_t arg) noexcept;
    int root_hvcall(FdKind kind, std::uint64_t partition_id, std::uint64_t arg) noexcept;
    void release_vp(Partition& p, Vp& vp) noexcept;
    void destroy(Partition& p) noexcept;
    int new_handle(Handle h);
    void note(const std::string& what) const;

    Machine& machine_;
    hvcall::Backend& kernel_;
    hvcall::Backend& passthrough_;
    Host& host_;
    DriverOptions options_;
    HostPageSource pages_;
    std::uint64_t self_id_;
    std::uint64_t next_backing_pfn_;
    std::map<int, Handle> handles_;
    std::map<std::uint64_t, Partition> partitions_;
    std::uint32_t next_port_ = 1;  // mshv_portid_alloc: ids from 1
    std::uint64_t deposits_ = 0;
    int next_handle_ = 1;
};

}  // namespace hvsim::devmshv
