// A fake /dev/mshv: the kernel's side of the uapi contract (MAIN, A-MAIN, UAPI)
// over a model. It serves CREATE_PARTITION (v1 and v2) and ROOT_HVCALL on the device,
// INITIALIZE_PARTITION, CREATE_VP and ROOT_HVCALL on a partition, ROOT_HVCALL on a VP; every
// other request, including the uapi's other ioctls, gets -ENOTTY.
#pragma once

#include <map>
#include <vector>

#include "hvcall/status.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvtrace/mshv_backend.hpp"
#include "hvtrace/mshv_uapi.hpp"

namespace hvsim::traces::testing {

class FakeMshv final : public DeviceSeam {
public:
    explicit FakeMshv(Machine& machine) : machine_(machine), cpu1_(machine, 1), pages_(machine) {}
    int open(const char* path) noexcept override;
    int ioctl(int fd, unsigned long request, void* arg) noexcept override;
    int close(int fd) noexcept override;

    // Partitions alive in the model that the fake created.
    [[nodiscard]] std::size_t live_partitions() const noexcept { return partitions_.size(); }
    [[nodiscard]] std::size_t open_fds() const noexcept { return fds_.size(); }
    std::uint64_t deposits = 0;  // deposits the passthrough made on a needs-memory status
    int close_signal_fd = -1;    // when set, every close writes one byte here (the SIGINT test)
    // What the partition's async completion carries when an async call answers CALL_PENDING:
    // the kernel waits for that completion, and the model never sends one.
    hvcall::Status async_completion = hvcall::Status::SUCCESS;

private:
    using Kind = mshv::FdKind;
    struct Fd {
        Kind kind;
        std::uint64_t partition_id = 0;
        std::uint32_t vp = 0;
    };
    struct Partition {
        std::vector<std::uint32_t> vps;
        bool initialized = false;
    };
    int create_partition(const void* arg) noexcept;
    int root_hvcall(const Fd& f, void* arg) noexcept;
    int new_fd(Fd f) {
        fds_[next_fd_] = f;
        return next_fd_++;
    }
    Machine& machine_;
    SimBackend cpu1_;  // the kernel's own calls (create, deposit) use CPU 1; passthrough uses CPU 0
    HostPageSource pages_;
    std::map<int, Fd> fds_;
    std::map<std::uint64_t, Partition> partitions_;
    int next_fd_ = 100;
};

}  // namespace hvsim::traces::testing
