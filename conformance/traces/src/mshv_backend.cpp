// The /dev/mshv backend. The kernel's contract [MAIN, A-MAIN]:
// allow-listed codes only, input starting with the partition id (the kernel overwrites it:
// the partition fd's, or HV_PARTITION_ID_SELF on /dev/mshv with the self list), rep calls
// looped by the kernel from rep start 0, its own deposit and retry on every needs-memory
// status, status and reps copied back, output only on success.
#include "hvsim/traces/mshv_backend.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "hvcall/types/partition.hpp"
#include "hvsim/traces/mshv_uapi.hpp"

namespace hvsim::traces {

namespace {

// Why an off-page call cannot be issued here: the backend's answer and the target's refusal.
constexpr const char* kOffPageRefusal =
    "blocks not at the start of the per-CPU pages: MSHV_ROOT_HVCALL copies in_sz bytes to a page of its own";

std::string hex4(std::uint16_t v) {
    static constexpr char d[] = "0123456789abcdef";
    return std::string("0x") + d[(v >> 12) & 15] + d[(v >> 8) & 15] + d[(v >> 4) & 15] + d[v & 15];
}

// Open descriptors the signal handler closes: a fixed table, since the handler cannot allocate.
struct OpenFd {
    std::atomic<DeviceSeam*> device{nullptr};
    std::atomic<int> fd{-1};
};
constexpr std::size_t kMaxOpenFds = 512;
OpenFd g_open[kMaxOpenFds];
std::atomic<bool> g_handlers_installed{false};

void track(DeviceSeam* d, int fd) noexcept {
    for (auto& e : g_open) {
        DeviceSeam* none = nullptr;
        if (e.device.compare_exchange_strong(none, d)) {
            e.fd.store(fd);
            return;
        }
    }
}

void untrack(DeviceSeam* d, int fd) noexcept {
    for (auto& e : g_open) {
        if (e.device.load() == d && e.fd.load() == fd) {
            e.fd.store(-1);
            e.device.store(nullptr);
            return;
        }
    }
}

extern "C" void close_on_signal(int sig) {
    // Newest first: VPs before their partition, the partition before the device.
    for (std::size_t i = kMaxOpenFds; i-- > 0;) {
        DeviceSeam* d = g_open[i].device.exchange(nullptr);
        const int fd = g_open[i].fd.exchange(-1);
        if (d != nullptr && fd >= 0) d->close(fd);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void install_handlers() {
    if (g_handlers_installed.exchange(true)) return;
    struct sigaction sa {};
    sa.sa_handler = close_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int SystemDevice::open(const char* path) noexcept {
    const int fd = ::open(path, O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}
int SystemDevice::ioctl(int fd, unsigned long request, void* arg) noexcept {
    const int r = ::ioctl(fd, request, arg);
    return r < 0 ? -errno : r;
}
int SystemDevice::close(int fd) noexcept { return ::close(fd) < 0 ? -errno : 0; }

MshvBackend::MshvBackend(DeviceSeam& device, MshvOptions options) : device_(device), options_(std::move(options)) {
    if (options_.handle_signals) install_handlers();
    auto fail = [&](const std::string& what, int err) {
        close_all();
        throw std::runtime_error(options_.path + ": " + what + ": " + std::strerror(-err));
    };
    device_fd_ = device_.open(options_.path.c_str());
    if (device_fd_ < 0) {
        const int err = device_fd_;
        device_fd_ = -1;
        fail("cannot open the device", err);
    }
    track(&device_, device_fd_);
    if (const int r = open_partition(); r < 0)
        fail(partition_fd_ < 0 ? "MSHV_CREATE_PARTITION failed" : "MSHV_INITIALIZE_PARTITION failed", r);
}

MshvBackend::~MshvBackend() { close_all(); }

int MshvBackend::open_partition() noexcept {
    mshv::CreatePartition args{options_.pt_flags, 0};
    const int pfd = device_.ioctl(device_fd_, mshv::kCreatePartition, &args);
    if (pfd < 0) return pfd;
    partition_fd_ = pfd;
    track(&device_, partition_fd_);
    return std::min(device_.ioctl(partition_fd_, mshv::kInitializePartition, nullptr), 0);
}

int MshvBackend::renew_partition(std::uint64_t pt_flags) noexcept {
    close_partition();
    options_.pt_flags = pt_flags;
    return open_partition();
}

void MshvBackend::close_partition() noexcept {
    for (auto it = vps_.rbegin(); it != vps_.rend(); ++it) {
        untrack(&device_, it->second);
        device_.close(it->second);
    }
    vps_.clear();
    if (partition_fd_ >= 0) {  // closing the last fd deletes the partition in the kernel
        untrack(&device_, partition_fd_);
        device_.close(partition_fd_);
        partition_fd_ = -1;
    }
}

void MshvBackend::close_all() noexcept {
    close_partition();
    if (device_fd_ >= 0) {
        untrack(&device_, device_fd_);
        device_.close(device_fd_);
        device_fd_ = -1;
    }
}

int MshvBackend::ensure_vp(std::uint32_t vp_index) noexcept {
    for (const auto& [index, fd] : vps_)
        if (index == vp_index) return 0;
    mshv::CreateVp args{vp_index};
    const int fd = device_.ioctl(partition_fd_, mshv::kCreateVp, &args);
    if (fd < 0) return fd;
    vps_.emplace_back(vp_index, fd);
    track(&device_, fd);
    return 0;
}

std::optional<std::string> MshvBackend::refusal(hvcall::Control control, bool self) {
    const hvcall::CallInfo* c = hvcall::find_call(control.code());
    const std::string name =
        (c != nullptr ? std::string(c->name) : std::string("code")) + " (" + hex4(control.code()) + ")";
    if (self && !mshv::self_allowed(control.code()))
        return name +
               " targets the root (HV_PARTITION_ID_SELF): not in the self-targeted list of MSHV_ROOT_HVCALL on /dev/mshv";
    if (!self && !mshv::allowed(control.code())) return name + " is not in the MSHV_ROOT_HVCALL allow-list";
    if (control.fast()) return name + ": fast form; MSHV_ROOT_HVCALL issues memory-form calls only";
    if (control.varhead_qwords() != 0) return name + ": variable header; the kernel always sends size 0";
    if (control.rep_start() != 0)
        return name + ": rep start " + std::to_string(control.rep_start()) +
               "; the kernel starts at 0 and continues partial completions itself";
    if (control.nested() || control.reserved_bits() != 0)
        return name + ": reserved or nested control bits; the kernel builds the control word itself";
    if (c == nullptr) return name + ": not catalogued, so its input size is unknown";
    return std::nullopt;
}

hvcall::HypercallResult MshvBackend::hypercall(hvcall::Control control) noexcept {
    last_errno_ = 0;
    last_error_.clear();
    std::uint64_t target = 0;
    std::memcpy(&target, in_.data(), sizeof target);
    const bool self = target == hvcall::kPartitionIdSelf;
    if (auto why = refusal(control, self)) {
        last_error_ = std::move(*why);
        return hvcall::HypercallResult::from_raw(hvcall::HypercallResult::kHypercallPageMissing);
    }
    const hvcall::CallInfo* c = hvcall::find_call(control.code());
    const std::uint32_t in_sz = std::min(c->input_size(0, control.rep_count()), mshv::kMaxHvcallBytes);
    const std::uint32_t out_sz = std::min(c->output_bytes(control.rep_count()), mshv::kMaxHvcallBytes);
    mshv::RootHvcall args{};
    args.code = control.code();
    args.reps = static_cast<std::uint16_t>(control.rep_count());
    args.in_sz = static_cast<std::uint16_t>(in_sz);
    args.out_sz = static_cast<std::uint16_t>(out_sz);
    args.in_ptr = reinterpret_cast<std::uintptr_t>(in_.data());
    args.out_ptr = out_sz != 0 ? reinterpret_cast<std::uintptr_t>(out_.data()) : 0;
    const int r = device_.ioctl(self ? device_fd_ : partition_fd_, mshv::kRootHvcall, &args);
    if (r < 0) {
        last_errno_ = r;
        last_error_ = std::string(self ? "MSHV_ROOT_HVCALL on the device: " : "MSHV_ROOT_HVCALL: ") + std::strerror(-r);
        // Status 0 with an error: the kernel refused before (or without) a hypercall.
        if (args.status == 0) return hvcall::HypercallResult::from_raw(hvcall::HypercallResult::kHypercallPageMissing);
    }
    return hvcall::HypercallResult::make(static_cast<hvcall::Status>(args.status), args.reps);
}

hvcall::HypercallResult MshvBackend::hypercall_fast(hvcall::Control control, std::uint64_t, std::uint64_t) noexcept {
    last_errno_ = 0;
    last_error_ = refusal(control).value_or("fast form; MSHV_ROOT_HVCALL issues memory-form calls only");
    return hvcall::HypercallResult::from_raw(hvcall::HypercallResult::kHypercallPageMissing);
}

hvcall::HypercallResult MshvBackend::hypercall_fast_xmm(hvcall::Control control, hvcall::XmmRegisters&) noexcept {
    return hypercall_fast(control, 0, 0);
}

hvcall::PlacedCall MshvBackend::hypercall_at(hvcall::Control, std::uint64_t, std::span<const std::byte>, std::uint64_t,
                                             std::span<std::byte>) noexcept {
    last_errno_ = 0;
    last_error_ = kOffPageRefusal;
    return {};
}

// A new run on a machine the hardware is (no injected faults, the default machine but for
// strict mode, which changes only bytes a call leaves undefined) starts again from a fresh
// partition, made at the run's first create_partition: the run's records stay comparable.
// Any other run is one the root cannot reproduce, and taints what follows.
void MshvTarget::apply(const ModelAction& a, Issued& out) {
    Target::apply(a, out);
    if (a.kind != "run") return;
    have_partition_ = false;
    initialized_ = false;
    const auto faults = a.args.find("faults");
    const auto machine = a.args.find("machine");
    const bool no_faults = faults == a.args.end() || faults->empty();
    bool plain_machine = true;
    if (machine != a.args.end() && machine->is_object())
        for (const auto& [key, _] : machine->items()) plain_machine = plain_machine && key == "strict";
    if (no_faults && plain_machine) {
        out.replaced = true;
        out.skipped =
            "model-only \"run\" record: a new run on the default machine; the next create_partition makes a fresh partition";
    }
}

namespace {

std::uint64_t first_id(const Record& r) {
    std::uint64_t id = 0;
    if (r.input.size() >= 8) std::memcpy(&id, r.input.data(), 8);
    return id;
}

bool replaced_by_the_kernel(const hvcall::CallInfo* c) {
    using hvcall::CallId;
    return c != nullptr && (c->id == CallId::create_partition || c->id == CallId::initialize_partition ||
                            c->id == CallId::create_vp || c->id == CallId::deposit_memory);
}

}  // namespace

std::optional<std::string> MshvTarget::refusal(const Record& r) const {
    if (r.at) return kOffPageRefusal;
    const hvcall::CallInfo* c = hvcall::find_call(r.control.code());
    if (replaced_by_the_kernel(c)) return std::nullopt;
    const bool self = first_id(r) == hvcall::kPartitionIdSelf;
    if (auto why = MshvBackend::refusal(r.control, self)) return why;
    if (self) return std::nullopt;  // the root's own, on /dev/mshv: no partition of the backend's involved
    if (first_id(r) != kStandInId) return std::string(c->name) + ": targets a partition the backend did not create";
    if (!initialized_)
        return std::string(c->name) +
               ": the recording's partition is not initialized yet; the backend's is, from creation";
    return std::nullopt;
}

// A new partition made with the recorded creation flags stands in for the run's first one.
void MshvTarget::stand_in(const Record& r, Issued& out) {
    std::uint64_t flags = 0;
    if (r.input.size() >= 8) std::memcpy(&flags, r.input.data(), 8);
    const auto pt = mshv::pt_flags_for(flags);
    if (!pt) {
        out.skipped = "create_partition: not passed through, and MSHV_CREATE_PARTITION cannot make its creation flags";
        return;
    }
    if (const int e = backend_.renew_partition(*pt); e != 0) {
        out.skipped =
            "create_partition: not passed through, and MSHV_CREATE_PARTITION failed: " + std::string(std::strerror(-e));
        return;
    }
    have_partition_ = true;
    initialized_ = false;
    out.stand_in = kStandInId;
    out.replaced = true;
    out.skipped =
        "create_partition: not passed through; a partition made by MSHV_CREATE_PARTITION with its flags stands in";
}

void MshvTarget::replace(const hvcall::CallInfo& c, const Record& r, Issued& out) {
    if (c.id == hvcall::CallId::create_partition) {
        if (!r.result.ok()) {
            out.skipped = "create_partition: not passed through (a recorded failure: nothing to stand in for)";
        } else if (!have_partition_) {
            stand_in(r, out);
        } else {
            out.skipped = "create_partition: not passed through; the backend makes one partition only";
        }
    } else if (c.id == hvcall::CallId::initialize_partition) {
        out.replaced = first_id(r) == kStandInId;
        if (out.replaced && r.result.ok()) initialized_ = true;
        out.skipped = "initialize_partition: done by MSHV_INITIALIZE_PARTITION when the backend made its partition";
    } else if (c.id == hvcall::CallId::deposit_memory) {
        // The kernel deposits what a needs-memory status asks for and retries whenever a
        // passed-through call runs short, so a later call does not see these pages missing.
        out.replaced = first_id(r) == kStandInId;
        out.skipped = "deposit_memory: not passed through; the kernel deposits on every needs-memory status itself";
    } else if (!r.result.ok()) {
        out.skipped = "create_vp: not passed through (a recorded failure: no VP to make)";
    } else if (r.form != Form::memory || r.input.size() < 12 || first_id(r) != kStandInId || !initialized_) {
        out.skipped = "create_vp: not passed through, and not for the backend's initialized partition";
    } else {
        std::uint32_t vp = 0;
        std::memcpy(&vp, r.input.data() + 8, 4);
        const int e = backend_.ensure_vp(vp);
        out.replaced = e == 0;
        out.skipped =
            e == 0 ? "create_vp: not passed through; the VP is made with MSHV_CREATE_VP instead"
                   : "create_vp: not passed through, and MSHV_CREATE_VP failed: " + std::string(std::strerror(-e));
    }
}

void MshvTarget::issue(const Record& r, Issued& out) {
    out = Issued{};
    const hvcall::CallInfo* c = hvcall::find_call(r.control.code());
    if (!r.at && replaced_by_the_kernel(c)) return replace(*c, r, out);
    if (auto why = refusal(r)) {
        out.skipped = std::move(*why);
        return;
    }
    auto page = backend_.input_page();
    std::memcpy(page.data(), r.input.data(), std::min<std::size_t>(r.input.size(), page.size()));
    out.result = backend_.hypercall(r.control);
    const std::uint32_t n = output_written(c, r.form, r.control, out.result);
    const auto o = backend_.output_page();
    out.output.assign(o.begin(), o.begin() + n);
    if (c != nullptr && c->id == hvcall::CallId::get_partition_property_ex && n != 0) {
        hvcall::InputGetPartitionPropertyEx in{};
        std::memcpy(&in, r.input.data(), std::min(r.input.size(), sizeof(in)));
        out.defined_output = hvcall::partition_property_ex_value_size(in.property_code);
    }
    if (!backend_.last_error().empty()) out.note = "mshv: " + backend_.last_error();
}

}  // namespace hvsim::traces
