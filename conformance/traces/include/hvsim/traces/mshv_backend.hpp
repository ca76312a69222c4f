// The hardware backend: a Linux root partition's /dev/mshv. It creates and initializes its own
// partition, issues allow-listed hypercalls through MSHV_ROOT_HVCALL, skips the rest with the
// reason, and closes what it opened on destruction and on SIGINT/SIGTERM.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvsim/traces/replay.hpp"

namespace hvsim::traces {

// Every syscall the backend makes. Returns follow the kernel: a value >= 0, or -errno.
class DeviceSeam {
public:
    virtual ~DeviceSeam() = default;
    virtual int open(const char* path) noexcept = 0;
    virtual int ioctl(int fd, unsigned long request, void* arg) noexcept = 0;
    // Called from the signal handler too: implementations must be async-signal-safe.
    virtual int close(int fd) noexcept = 0;
};

// The real thing: open(2), ioctl(2), close(2).
class SystemDevice final : public DeviceSeam {
public:
    int open(const char* path) noexcept override;
    int ioctl(int fd, unsigned long request, void* arg) noexcept override;
    int close(int fd) noexcept override;
};

struct MshvOptions {
    std::string path = "/dev/mshv";
    std::uint64_t pt_flags = 1;   // MSHV_PT_BIT_LAPIC
    bool handle_signals = false;  // close everything on SIGINT/SIGTERM, then die of the signal
};

class MshvBackend final : public hvcall::Backend {
public:
    // Opens the device and creates + initializes a partition. Throws std::runtime_error with
    // "PATH: what failed: errno" when it cannot.
    MshvBackend(DeviceSeam& device, MshvOptions options);
    ~MshvBackend() override;
    MshvBackend(const MshvBackend&) = delete;
    MshvBackend& operator=(const MshvBackend&) = delete;

    [[nodiscard]] std::span<std::byte, hvcall::kPageSize> input_page() noexcept override { return in_; }
    [[nodiscard]] std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override { return out_; }
    // Allow-listed memory-form calls go to the kernel, which overwrites the first input qword
    // with the fd's partition id; what the caller put there picks the fd. HV_PARTITION_ID_SELF
    // goes to /dev/mshv itself (the self-targeted passthrough, its own short list), anything
    // else to the backend's partition. Anything else, or a kernel-side rejection (status still
    // 0), returns the all-ones word (as hv_do_hypercall without a hypercall page) and leaves
    // the reason in last_error().
    hvcall::HypercallResult hypercall(hvcall::Control control) noexcept override;
    hvcall::HypercallResult hypercall_fast(hvcall::Control control, std::uint64_t, std::uint64_t) noexcept override;
    hvcall::HypercallResult hypercall_fast_xmm(hvcall::Control control, hvcall::XmmRegisters&) noexcept override;
    // Not supported: MSHV_ROOT_HVCALL copies in_sz bytes to a page of its own, so blocks cannot
    // sit at chosen GPAs. Issues nothing, returns PlacedCall{} and leaves the reason in last_error().
    [[nodiscard]] hvcall::PlacedCall hypercall_at(hvcall::Control control, std::uint64_t input_gpa,
                                                  std::span<const std::byte> input, std::uint64_t output_gpa,
                                                  std::span<std::byte> output) noexcept override;

    // Why the kernel would not pass this control word through, or nothing: on the partition's
    // fd, or with `self` on /dev/mshv for the root itself.
    [[nodiscard]] static std::optional<std::string> refusal(hvcall::Control control, bool self = false);
    // MSHV_CREATE_VP for `vp_index` unless done already; 0 or -errno.
    int ensure_vp(std::uint32_t vp_index) noexcept;
    // Closes the partition (the kernel deletes it) and creates + initializes a fresh one with
    // `pt_flags`, so that each recorded run starts from a new partition made as the recording's
    // was; 0 or -errno.
    int renew_partition(std::uint64_t pt_flags) noexcept;

    [[nodiscard]] int last_errno() const noexcept { return last_errno_; }
    [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }
    [[nodiscard]] const std::string& path() const noexcept { return options_.path; }

private:
    int open_partition() noexcept;
    void close_partition() noexcept;
    void close_all() noexcept;
    DeviceSeam& device_;
    MshvOptions options_;
    int device_fd_ = -1, partition_fd_ = -1;
    std::vector<std::pair<std::uint32_t, int>> vps_;
    alignas(4096) std::array<std::byte, hvcall::kPageSize> in_{};
    alignas(4096) std::array<std::byte, hvcall::kPageSize> out_{};
    int last_errno_ = 0;
    std::string last_error_;
};

// Replays on an MshvBackend: the backend's partition stands in for the trace's first created
// partition; records the kernel does not pass through are skipped with the reason.
class MshvTarget final : public Target {
public:
    // The id the trace's created partition maps to. The kernel writes the real id into the
    // first 8 input bytes; userspace never learns it, so this is only a marker.
    static constexpr std::uint64_t kStandInId = 0x6D736876'00000001ull;
    explicit MshvTarget(MshvBackend& backend) : backend_(backend) {}
    [[nodiscard]] std::string name() const override { return "mshv"; }
    void issue(const Record& r, Issued& out) override;
    // Off-page blocks, calls the kernel does not pass through, other partitions than the stand-in
    // and the root itself (HV_PARTITION_ID_SELF, sent on /dev/mshv).
    [[nodiscard]] std::optional<std::string> refusal(const Record& r) const override;
    // Skipped like any model-only record; a "run" lets its first partition stand in again.
    void apply(const ModelAction& a, Issued& out) override;

private:
    void stand_in(const Record& r, Issued& out);
    // create_partition, initialize_partition, create_vp, deposit_memory: what the kernel does instead.
    void replace(const hvcall::CallInfo& c, const Record& r, Issued& out);
    MshvBackend& backend_;
    bool have_partition_ = false;
    // The backend initializes its partition when it makes it; until the recording initializes
    // the one standing in, calls on it would see a different partition.
    bool initialized_ = false;
};

}  // namespace hvsim::traces
