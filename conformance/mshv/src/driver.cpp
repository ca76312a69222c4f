// The driver model's fds and their ioctls, in the order mshv_root checks them (root-hypercalls.md
// §6.3-6.4 [MAIN @19c515c2] as updated by upstream-linux.md §3-4 [A-MAIN]; eventfds [K-evfd];
// the per-fd contract of mshv-uapi.md §2).
#include "hvsim/devmshv/driver.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hvcall/calls/interrupt.hpp"
#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/port.hpp"
#include "hvcall/calls/stats.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"

namespace hvsim::devmshv {

namespace uapi = traces::mshv;

namespace {

constexpr std::uint64_t kPage = hvcall::kPageSize;
constexpr std::uint64_t kLargePages = 512;  // 4 KiB pages per 2 MiB page
// HV_SYNIC_DOORBELL_SINT_INDEX = HV_SYNIC_FIRST_UNUSED_SINT_INDEX (root-hypercalls.md §5.9).
constexpr std::uint32_t kDoorbellSint = 5;
// sizeof(struct hv_synthetic_timers_state): SYNTHETIC_TIMERS moves as bytes (§6.4).
constexpr std::uint32_t kSyntheticTimersBytes = 200;
// The partition properties GET_VP_STATE reads for XSAVE (§6.4).
constexpr std::uint32_t kPropXsaveStates = 0x00060007, kPropMaxXsaveDataSize = 0x00060008;
// xsave_states bits the kernel always requests: legacy x87 and SSE.
constexpr std::uint64_t kXsaveLegacy = 0x3;

template <class T>
bool all_zero(const T& bytes) noexcept {
    return std::all_of(std::begin(bytes), std::end(bytes), [](auto b) { return b == 0; });
}

constexpr bool page_aligned(std::uint64_t v) noexcept { return v % kPage == 0; }

}  // namespace

Driver::Driver(Machine& machine, hvcall::Backend& kernel, hvcall::Backend& passthrough, Host& host,
               DriverOptions options)
    : machine_(machine),
      kernel_(kernel),
      passthrough_(passthrough),
      host_(host),
      options_(options),
      pages_(machine),
      self_id_(machine.config().root_partition_id),
      next_backing_pfn_(options.backing_first_pfn != 0 ? options.backing_first_pfn
                                                       : machine.config().ram_bytes / kPage / 4) {}

Driver::~Driver() {
    for (auto& [id, p] : partitions_) destroy(p);
}

void Driver::note(const std::string& what) const {
    if (log) log(what);
}

int Driver::new_handle(Handle h) {
    const int handle = next_handle_++;
    handles_[handle] = h;
    return handle;
}

std::optional<FdKind> Driver::kind(int handle) const noexcept {
    const auto it = handles_.find(handle);
    if (it == handles_.end()) return std::nullopt;
    return it->second.kind;
}

std::optional<std::string_view> Driver::ioctl_name(FdKind kind, unsigned long request) noexcept {
    for (const auto& i : uapi::kIoctls)
        if (i.fd == kind && i.number == request) return i.name;
    return std::nullopt;
}

int Driver::open(const char* path) noexcept {
    if (std::strcmp(path, "/dev/mshv") != 0) return -ENOENT;
    return new_handle({FdKind::device});
}

int Driver::close(int handle) noexcept {
    const auto it = handles_.find(handle);
    if (it == handles_.end()) return -EBADF;
    const Handle h = it->second;
    handles_.erase(it);
    if (h.kind == FdKind::device) return 0;
    const auto p = partitions_.find(h.partition);
    if (p == partitions_.end()) return 0;
    // A VP fd holds a reference on its partition (mshv_vp_release: mshv_partition_put); the
    // partition goes when its last reference does.
    if (--p->second.refs == 0) {
        destroy(p->second);
        partitions_.erase(p);
    }
    return 0;
}

int Driver::mmap(int handle, std::uint64_t page_offset) noexcept {
    const auto k = kind(handle);
    if (!k) return -EBADF;
    if (*k != FdKind::vp) return -ENODEV;
    if (page_offset == uapi::kMmapRegisters || page_offset == uapi::kMmapInterceptMessage ||
        page_offset == uapi::kMmapGhcb)
        return -ENODEV;  // the page is the model's, not shareable: clients fall back to hypercalls
    return -EINVAL;
}

int Driver::ioctl(int handle, unsigned long request, void* argp) noexcept {
    const auto it = handles_.find(handle);
    if (it == handles_.end()) return -EBADF;
    const Handle h = it->second;
    const auto arg = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(argp));
    if (h.kind == FdKind::device) return device_ioctl(request, arg);
    Partition& p = partitions_.at(h.partition);
    if (h.kind == FdKind::partition) return partition_ioctl(p, request, arg);
    return vp_ioctl(p, p.vps.at(h.vp), request, arg);
}

// --- /dev/mshv ------------------------------------------------------------------------------

int Driver::device_ioctl(unsigned long request, std::uint64_t arg) noexcept {
    if (request == uapi::kCreatePartition) return create_partition(arg);
    if (request == uapi::kRootHvcall) return root_hvcall(FdKind::device, hvcall::kPartitionIdSelf, arg);
    return -ENOTTY;
}

// The v1 struct first; with CPU_AND_XSAVE_FEATURES set, the 64-byte v2 struct under the same
// number, its v1 fields checked again after the second copy. v1 sends every bank 0 ("enable
// everything"); the isolation qword goes as 0 (upstream-linux.md §4.3).
int Driver::create_partition(std::uint64_t arg) noexcept {
    uapi::CreatePartitionV2 in{};
    if (!host_.copy_in(&in, arg, sizeof(uapi::CreatePartition))) return -EFAULT;
    const auto v1_invalid = [&in] {
        return (in.pt_flags & ~uapi::kPtFlagsMask) != 0 || in.pt_isolation >= uapi::kPtIsolationCount;
    };
    if (v1_invalid()) return -EINVAL;
    hvcall::CreatePartitionArgs args;
    if ((in.pt_flags & uapi::kPtFlagCpuAndXsaveFeatures) != 0) {
        if (!host_.copy_in(&in, arg, sizeof in)) return -EFAULT;
        if (v1_invalid()) return -EINVAL;
        if (in.pt_num_cpu_fbanks != uapi::kNumCpuFeaturesBanks || !all_zero(in.pt_rsvd) || !all_zero(in.pt_rsvd1))
            return -EINVAL;
        auto& props = args.creation_properties;
        props.disabled_processor_features[0] = in.pt_cpu_fbanks[0];
        props.disabled_processor_features[1] = in.pt_cpu_fbanks[1];
        props.disabled_processor_xsave_features = in.pt_disabled_xsave;
    }
    args.flags = uapi::creation_flags_for(in.pt_flags);
    std::uint64_t id = 0;
    if (const int e = hvcall::create_partition(kernel_, pages_, args, self_id_, id); e != 0) return e;
    Partition& p = partitions_[id];
    p.id = id;
    p.refs = 1;
    return new_handle({FdKind::partition, id});
}

// --- partition fds --------------------------------------------------------------------------

int Driver::partition_ioctl(Partition& p, unsigned long request, std::uint64_t arg) noexcept {
    switch (request) {
        case uapi::kInitializePartition:
            return initialize(p);
        case uapi::kCreateVp:
            return create_vp(p, arg);
        case uapi::kSetGuestMemory:
            return set_guest_memory(p, arg);
        case uapi::kIrqfd:
            return irqfd(p, arg);
        case uapi::kIoeventfd:
            return ioeventfd(p, arg);
        case uapi::kSetMsiRouting:
            return set_msi_routing(p, arg);
        case uapi::kGetGpapAccessBitmap:
            return gpap_access_bitmap(p, arg);
        case uapi::kRootHvcall:
            return root_hvcall(FdKind::partition, p.id, arg);
        default:
            return -ENOTTY;
    }
}

// A no-op once initialized; on failure every page deposited so far is withdrawn.
int Driver::initialize(Partition& p) noexcept {
    if (p.initialized) return 0;
    if (const int e = hvcall::initialize_partition(kernel_, pages_, p.id); e != 0) {
        (void)hvcall::withdraw_memory(kernel_, pages_, p.id, ~0ull);
        return e;
    }
    p.initialized = true;
    return 0;
}

// The VP, its intercept-message and register pages, and its SELF and PARENT stats pages
// (every VP since 7.0); unwound in reverse on failure.
int Driver::create_vp(Partition& p, std::uint64_t arg) noexcept {
    uapi::CreateVp in{};
    if (!host_.copy_in(&in, arg, sizeof in)) return -EFAULT;
    if (in.vp_index >= uapi::kMaxVps) return -EINVAL;
    if (p.vps.contains(in.vp_index)) return -EEXIST;
    if (const int e = hvcall::create_vp(kernel_, pages_, p.id, in.vp_index, self_id_); e != 0) return e;
    Vp vp{in.vp_index, {}, {}};
    int e = 0;
    for (const std::uint16_t type : {hvcall::vp_state_page::intercept_message, hvcall::vp_state_page::registers}) {
        std::uint64_t pfn = 0;
        if ((e = hvcall::map_vp_state_page(kernel_, pages_, p.id, in.vp_index, type, pfn)) != 0) break;
        vp.state_pages.push_back(type);
    }
    for (const std::uint8_t area : {hvcall::stats_area::self, hvcall::stats_area::parent}) {
        if (e != 0) break;
        std::uint64_t pfn = 0;
        e = hvcall::map_stats_page(kernel_, pages_, hvcall::vp_stats(p.id, in.vp_index, area), self_id_, pfn);
        if (e == 0 && pfn != 0) vp.stats_areas.push_back(area);  // no PARENT page: SELF serves
    }
    if (e != 0) {
        release_vp(p, vp);
        return e;
    }
    p.vps[in.vp_index] = vp;
    ++p.refs;
    return new_handle({FdKind::vp, p.id, in.vp_index});
}

// Stats pages, then state pages, then the VP (mshv_vp_release and the create unwind).
void Driver::release_vp(Partition& p, Vp& vp) noexcept {
    for (auto a = vp.stats_areas.rbegin(); a != vp.stats_areas.rend(); ++a)
        (void)hvcall::unmap_stats_page(kernel_, hvcall::vp_stats(p.id, vp.index, *a));
    for (auto t = vp.state_pages.rbegin(); t != vp.state_pages.rend(); ++t)
        (void)hvcall::unmap_vp_state_page(kernel_, p.id, vp.index, *t);
    vp.stats_areas.clear();
    vp.state_pages.clear();
    (void)hvcall::delete_vp(kernel_, p.id, vp.index);
}

// Release: the VPs' pages, finalize, the regions, every deposited page, then the partition.
void Driver::destroy(Partition& p) noexcept {
    for (auto& [index, vp] : p.vps) {
        for (auto a = vp.stats_areas.rbegin(); a != vp.stats_areas.rend(); ++a)
            (void)hvcall::unmap_stats_page(kernel_, hvcall::vp_stats(p.id, vp.index, *a));
        for (auto t = vp.state_pages.rbegin(); t != vp.state_pages.rend(); ++t)
            (void)hvcall::unmap_vp_state_page(kernel_, p.id, vp.index, *t);
    }
    for (const Ioeventfd& io : p.ioeventfds) {
        (void)hvcall::disconnect_port(kernel_, p.id, io.connection);
        (void)hvcall::delete_port(kernel_, self_id_, io.connection);
    }
    (void)hvcall::finalize_partition(kernel_, p.id);
    for (const Region& r : p.regions) unmap_region_pages(p, r);
    (void)hvcall::withdraw_memory(kernel_, pages_, p.id, ~0ull);
    (void)hvcall::delete_partition(kernel_, p.id);
    p.regions.clear();
    p.ioeventfds.clear();
    p.vps.clear();
}

// --- SET_GUEST_MEMORY -------------------------------------------------------------------------

int Driver::set_guest_memory(Partition& p, std::uint64_t arg) noexcept {
    uapi::UserMemRegion r{};
    if (!host_.copy_in(&r, arg, sizeof r)) return -EFAULT;
    if (r.size == 0 || !page_aligned(r.size) || !page_aligned(r.userspace_addr) ||
        (r.flags & ~uapi::kSetMemFlagsMask) != 0 || !all_zero(r.rsvd))
        return -EINVAL;
    return (r.flags & uapi::kSetMemUnmap) != 0 ? unmap_region(p, r) : map_region(p, r);
}

int Driver::map_region(Partition& p, const uapi::UserMemRegion& in) noexcept {
    const std::uint64_t pages = in.size / kPage;
    if (in.guest_pfn + pages < in.guest_pfn || in.userspace_addr + in.size < in.userspace_addr) return -EINVAL;
    if (!host_.mapped(in.userspace_addr, in.size)) return -EINVAL;  // access_ok and the VMA lookup
    for (const Region& r : p.regions)                               // only a GFN overlap is refused since 6.19
        if (in.guest_pfn < r.gfn + r.pages && r.gfn < in.guest_pfn + pages) return -EEXIST;

    Region region{in.guest_pfn, pages, in.userspace_addr, in.flags, false, 0};
    std::uint32_t flags = hvcall::map_flags::readable;
    if ((in.flags & uapi::kSetMemWritable) != 0) flags |= hvcall::map_flags::writable;
    if ((in.flags & uapi::kSetMemExecutable) != 0) flags |= hvcall::map_flags::executable;
    hvcall::Progress done;
    if (options_.regions == DriverOptions::Regions::movable) {
        done = hvcall::map_gpa_pages(kernel_, pages_, p.id, in.guest_pfn, pages, hvcall::map_flags::no_access, {});
    } else {
        // Pinned: a run of the model's RAM stands in for the pinned user pages, 2 MiB aligned so
        // that a huge-page-backed range with aligned GFN and count maps 2 MiB elements.
        region.large = host_.huge_backed(in.userspace_addr, in.size) && in.guest_pfn % kLargePages == 0 &&
                       pages % kLargePages == 0;
        region.backing_pfn = (next_backing_pfn_ + kLargePages - 1) / kLargePages * kLargePages;
        if (region.backing_pfn + pages > machine_.config().ram_bytes / kPage / 2) return -ENOMEM;
        next_backing_pfn_ = region.backing_pfn + pages;
        const std::uint64_t step = region.large ? kLargePages : 1;
        std::vector<std::uint64_t> pfns;
        pfns.reserve(pages / step);
        for (std::uint64_t i = 0; i < pages; i += step) pfns.push_back(region.backing_pfn + i);
        if (region.large) flags |= hvcall::map_flags::large_page;
        done = hvcall::map_gpa_pages(kernel_, pages_, p.id, in.guest_pfn, pages, flags, pfns);
    }
    if (!done.ok()) return done.error;  // map_gpa_pages has unmapped what it mapped
    p.regions.push_back(region);
    return 0;
}

// The region holding the GFN (none: -ENOENT, since 6.19's region refcounting), which must match
// start, user address and size exactly (else -EINVAL); unmap failures are ignored.
int Driver::unmap_region(Partition& p, const uapi::UserMemRegion& in) noexcept {
    const auto it = std::find_if(p.regions.begin(), p.regions.end(), [&](const Region& r) {
        return in.guest_pfn >= r.gfn && in.guest_pfn - r.gfn < r.pages;
    });
    if (it == p.regions.end()) return -ENOENT;
    if (it->gfn != in.guest_pfn || it->user_addr != in.userspace_addr || it->pages != in.size / kPage) return -EINVAL;
    unmap_region_pages(p, *it);
    p.regions.erase(it);
    return 0;
}

void Driver::unmap_region_pages(Partition& p, const Region& r) noexcept {
    (void)hvcall::unmap_gpa_pages(kernel_, p.id, r.gfn, r.pages, r.large ? hvcall::kUnmapLargePage : 0);
}

// --- eventfds and interrupts [K-evfd] ---------------------------------------------------------

int Driver::irqfd(Partition& p, std::uint64_t arg) noexcept {
    uapi::UserIrqfd in{};
    if (!host_.copy_in(&in, arg, sizeof in)) return -EFAULT;
    if ((in.flags & ~uapi::kIrqfdFlagsMask) != 0) return -EINVAL;
    const Host::Eventfd ev = host_.eventfd(in.fd);
    if ((in.flags & uapi::kIrqfdDeassign) != 0) {  // every match goes; none is not an error
        if (ev.error != 0) return ev.error;
        std::erase_if(p.irqfds, [&](const Irqfd& i) { return i.eventfd == ev.id && i.gsi == in.gsi; });
        return 0;
    }
    if (ev.error != 0) return ev.error;
    const bool resample = (in.flags & uapi::kIrqfdResample) != 0;
    if (resample)
        if (const Host::Eventfd rs = host_.eventfd(in.resamplefd); rs.error != 0) return rs.error;
    for (const Irqfd& i : p.irqfds)
        if (i.eventfd == ev.id) return -EBUSY;
    // A resample irqfd needs a level-triggered route (MSI data bit 15), checked once the route is
    // read, after the busy check, as the fix posted to the list in May 2026 orders it. K-evfd
    // checks before reading the route, so it refuses every RESAMPLE with -EINVAL.
    if (resample) {
        const auto route = std::find_if(p.msi_routes.begin(), p.msi_routes.end(),
                                        [&](const uapi::UserIrqEntry& e) { return e.gsi == in.gsi; });
        if (route == p.msi_routes.end() || (route->data & (1u << 15)) == 0) return -EINVAL;
    }
    p.irqfds.push_back({ev.id, in.gsi, resample});
    if (host_.eventfd_pending(in.fd)) inject(p, in.gsi);  // an event already signalled fires now
    return 0;
}

// mshv_assert_irq_slow: the route's MSI address and data give the vector, the destination, its
// mode and the delivery type (SDM vol. 3, 11.11.1-11.11.2); a GSI without a route injects nothing.
void Driver::inject(Partition& p, std::uint32_t gsi) noexcept {
    const auto route = std::find_if(p.msi_routes.begin(), p.msi_routes.end(),
                                    [&](const uapi::UserIrqEntry& e) { return e.gsi == gsi; });
    if (route == p.msi_routes.end()) return;
    const std::uint32_t vector = route->data & 0xFF;
    const std::uint64_t dest = (route->address_lo >> 12) & 0xFF;
    hvcall::InterruptControl control{(route->data >> 8) & 0x7, 0};
    if ((route->address_lo & (1u << 2)) != 0) control.flags |= hvcall::interrupt_flags::logical_dest_mode;
    if ((route->data & (1u << 15)) != 0) control.flags |= hvcall::interrupt_flags::level_triggered;
    (void)hvcall::assert_virtual_interrupt(kernel_, p.id, vector, dest, control);
}

// MMIO doorbells: a DOORBELL port of the root for the partition and a connection to it with the
// address, value and trigger size (mshv_register_doorbell); PIO is refused.
int Driver::ioeventfd(Partition& p, std::uint64_t arg) noexcept {
    uapi::UserIoeventfd in{};
    if (!host_.copy_in(&in, arg, sizeof in)) return -EFAULT;
    if ((in.flags & ~uapi::kIoeventfdFlagsMask) != 0 || !all_zero(in.rsvd)) return -EINVAL;
    if ((in.flags & uapi::kIoeventfdPio) != 0) return -EOPNOTSUPP;
    const bool wildcard = (in.flags & uapi::kIoeventfdDatamatch) == 0;
    const Host::Eventfd ev = host_.eventfd(in.fd);
    const auto same = [&](const Ioeventfd& io) {
        return io.addr == in.addr && io.len == in.len && io.wildcard == wildcard &&
               (wildcard || io.datamatch == in.datamatch);
    };
    if ((in.flags & uapi::kIoeventfdDeassign) != 0) {
        if (ev.error != 0) return ev.error;  // the eventfd lookup fails first (K-evfd)
        const auto it = std::find_if(p.ioeventfds.begin(), p.ioeventfds.end(),
                                     [&](const Ioeventfd& io) { return io.eventfd == ev.id && same(io); });
        if (it == p.ioeventfds.end()) return -ENOENT;
        (void)hvcall::disconnect_port(kernel_, p.id, it->connection);
        (void)hvcall::delete_port(kernel_, self_id_, it->connection);
        p.ioeventfds.erase(it);
        return 0;
    }
    std::uint64_t trigger = 0;
    switch (in.len) {
        case 0:
            trigger = hvcall::doorbell_flags::trigger_any;
            break;
        case 1:
            trigger = hvcall::doorbell_flags::trigger_byte;
            break;
        case 2:
            trigger = hvcall::doorbell_flags::trigger_word;
            break;
        case 4:
            trigger = hvcall::doorbell_flags::trigger_dword;
            break;
        case 8:
            trigger = hvcall::doorbell_flags::trigger_qword;
            break;
        default:
            return -EINVAL;
    }
    if (in.addr + in.len < in.addr) return -EINVAL;
    if (ev.error != 0) return ev.error;
    // A collision: the same address and length (exactly: a length-0 one collides only with
    // another of length 0), and either side matching any value or both the same (K-evfd).
    for (const Ioeventfd& io : p.ioeventfds)
        if (io.addr == in.addr && io.len == in.len && (io.wildcard || wildcard || io.datamatch == in.datamatch))
            return -EEXIST;
    if (wildcard) trigger |= hvcall::doorbell_flags::any_value;
    const std::uint32_t port = next_port_++;
    if (const int e = hvcall::create_port(kernel_, pages_, self_id_, port, p.id,
                                          hvcall::doorbell_port(kDoorbellSint, hvcall::kAnyVp));
        e != 0)
        return e;
    if (const int e = hvcall::connect_port(kernel_, pages_, p.id, port, self_id_, port,
                                           hvcall::doorbell_connection(in.addr, in.datamatch, trigger));
        e != 0) {
        (void)hvcall::delete_port(kernel_, self_id_, port);
        return e;
    }
    p.ioeventfds.push_back({in.addr, in.datamatch, ev.id, in.len, port, wildcard});
    return 0;
}

// The table stays in the driver (mshv_update_routing_table); no hypercall.
int Driver::set_msi_routing(Partition& p, std::uint64_t arg) noexcept {
    uapi::UserIrqTable head{};
    if (!host_.copy_in(&head, arg, sizeof head)) return -EFAULT;
    if (head.nr > uapi::kMaxGuestIrqs || head.rsvd != 0) return -EINVAL;
    std::vector<uapi::UserIrqEntry> entries(head.nr);
    if (head.nr != 0 &&
        !host_.copy_in(entries.data(), arg + uapi::kIrqTableEntriesOffset, entries.size() * sizeof(uapi::UserIrqEntry)))
        return -EFAULT;
    p.msi_routes = std::move(entries);
    return 0;
}

// GET_GPA_PAGES_ACCESS_STATES over the range, one state byte per page, then a bitmap of the
// asked-for bit; bits past what was written are zeroed. Copied out even when the call failed.
int Driver::gpap_access_bitmap(Partition& p, std::uint64_t arg) noexcept {
    uapi::GpapAccessBitmap in{};
    if (!host_.copy_in(&in, arg, sizeof in)) return -EFAULT;
    if (in.access_type >= uapi::kGpapAccessTypeCount || in.access_op >= uapi::kGpapOpCount || !all_zero(in.rsvd) ||
        in.page_count == 0 || in.bitmap_ptr == 0)
        return -EINVAL;
    // The kernel vzallocs a state byte per page; a count no allocation can hold is -ENOMEM.
    if (in.page_count > (std::uint64_t{1} << 32)) return -ENOMEM;
    std::uint64_t flags = 0;
    std::uint8_t mask = 0;
    namespace af = hvcall::access_flags;
    if (in.access_type == uapi::kGpapAccessed) {
        flags = in.access_op == uapi::kGpapOpClear ? af::clear_accessed | af::clear_dirty : af::set_accessed;
        mask = hvcall::kGpaPageAccessed;
    } else {
        flags = in.access_op == uapi::kGpapOpClear ? af::clear_dirty : af::set_dirty | af::set_accessed;
        mask = hvcall::kGpaPageDirty;
    }
    std::vector<std::uint8_t> states(in.page_count);
    const hvcall::Progress done =
        hvcall::get_gpa_pages_access_states(kernel_, p.id, in.gpap_base, in.page_count, flags, states);
    std::vector<std::uint8_t> bitmap((in.page_count + 7) / 8, 0);
    for (std::uint64_t i = 0; i < done.done; ++i)
        if ((states[i] & mask) != 0) bitmap[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
    if (!host_.copy_out(in.bitmap_ptr, bitmap.data(), bitmap.size())) return -EFAULT;
    return done.error;
}

// --- VP fds -----------------------------------------------------------------------------------

int Driver::vp_ioctl(Partition& p, Vp& vp, unsigned long request, std::uint64_t arg) noexcept {
    switch (request) {
        case uapi::kRunVp:
            return run_vp(p, vp, arg);
        case uapi::kGetVpState:
            return vp_state(p, vp, false, arg);
        case uapi::kSetVpState:
            return vp_state(p, vp, true, arg);
        case uapi::kRootHvcall:
            return root_hvcall(FdKind::vp, p.id, arg);
        default:
            note("VP fd: unknown ioctl " + std::to_string(request) + ": -ENOTTY");
            return -ENOTTY;
    }
}

int Driver::run_vp(Partition& p, Vp& vp, std::uint64_t arg) noexcept {
    if (options_.runner == nullptr) {
        note("MSHV_RUN_VP on partition " + std::to_string(p.id) + " VP " + std::to_string(vp.index) +
             ": the model executes no guest code: -EOPNOTSUPP");
        return -EOPNOTSUPP;
    }
    std::array<std::byte, uapi::kRunVpBufSize> message{};
    if (const int e = options_.runner->run(p.id, vp.index, message); e != 0) return e;
    return host_.copy_out(arg, message.data(), message.size()) ? 0 : -EFAULT;
}

// GET/SET_VP_STATE: the needed size is written back before a too-small buffer is refused; PFN
// types move through pages the kernel would pin (here: pages of the model's RAM, copied to and
// from the user buffer), the synthetic timers as bytes.
int Driver::vp_state(Partition& p, Vp& vp, bool set, std::uint64_t arg) noexcept {
    uapi::GetSetVpState in{};
    if (!host_.copy_in(&in, arg, sizeof in)) return -EFAULT;
    if (in.type >= uapi::kVpStateCount || !all_zero(in.rsvd) || in.buf_sz == 0 || !page_aligned(in.buf_sz) ||
        !page_aligned(in.buf_ptr))
        return -EINVAL;
    hvcall::VpStateData data{};
    std::uint64_t size = kPage;
    switch (in.type) {
        case uapi::kVpStateLapic:
            data.type = hvcall::vp_state_type::lapic;
            break;
        case uapi::kVpStateSimp:
            data.type = hvcall::vp_state_type::sim_page;
            break;
        case uapi::kVpStateSiefp:
            data.type = hvcall::vp_state_type::sief_page;
            break;
        case uapi::kVpStateSyntheticTimers:
            data.type = hvcall::vp_state_type::synthetic_timers;
            size = kSyntheticTimersBytes;
            break;
        default: {  // XSAVE: the partition's states and size, legacy x87 and SSE always asked for
            data.type = hvcall::vp_state_type::xsave;
            if (const int e = hvcall::get_partition_property(kernel_, p.id, kPropXsaveStates, data.xsave_states);
                e != 0)
                return e;
            if (const int e = hvcall::get_partition_property(kernel_, p.id, kPropMaxXsaveDataSize, size); e != 0)
                return e;
            data.xsave_states |= kXsaveLegacy;
        }
    }
    const auto needed = static_cast<std::uint32_t>(size);
    if (!host_.copy_out(arg + offsetof(uapi::GetSetVpState, buf_sz), &needed, sizeof needed)) return -EFAULT;
    if (size > in.buf_sz) return -EINVAL;

    if (in.type == uapi::kVpStateSyntheticTimers) {
        hvcall::OutputGetVpState timers{};
        if (set) {
            if (!host_.copy_in(&timers, in.buf_ptr, kSyntheticTimersBytes)) return -EFAULT;
            return hvcall::set_vp_state(kernel_, pages_, p.id, vp.index, data, {},
                                        std::as_bytes(std::span(&timers, 1)).first(kSyntheticTimersBytes));
        }
        if (const int e = hvcall::get_vp_state(kernel_, pages_, p.id, vp.index, data, {}, &timers); e != 0) return e;
        return host_.copy_out(in.buf_ptr, &timers, kSyntheticTimersBytes) ? 0 : -EFAULT;
    }
    const std::uint64_t count = in.buf_sz / kPage;
    if (count > hvcall::kVpStateBatch) return -EINVAL;  // the hypercall helper's limit
    std::vector<std::uint64_t> pfns(count);
    if (const std::size_t got = pages_.allocate(pfns); got != count) {
        pages_.release(std::span(pfns).first(got));
        return -ENOMEM;
    }
    std::vector<std::byte> buffer(in.buf_sz);
    int e = 0;
    if (set) {
        if (!host_.copy_in(buffer.data(), in.buf_ptr, buffer.size())) e = -EFAULT;
        for (std::uint64_t i = 0; e == 0 && i < count; ++i)
            machine_.memory().write(pfns[i] * kPage, std::span(buffer).subspan(i * kPage, kPage));
        if (e == 0) e = hvcall::set_vp_state(kernel_, pages_, p.id, vp.index, data, pfns, {});
    } else {
        e = hvcall::get_vp_state(kernel_, pages_, p.id, vp.index, data, pfns, nullptr);
        for (std::uint64_t i = 0; e == 0 && i < count; ++i)
            machine_.memory().read(pfns[i] * kPage, std::span(buffer).subspan(i * kPage, kPage));
        if (e == 0 && !host_.copy_out(in.buf_ptr, buffer.data(), buffer.size())) e = -EFAULT;
    }
    pages_.release(pfns);
    return e;
}

}  // namespace hvsim::devmshv
