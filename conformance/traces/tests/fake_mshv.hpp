// A fake /dev/mshv: the kernel's side of the uapi contract (MAIN, UAPI) over a model.
#pragma once

#include <map>
#include <vector>

#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"
#include "hvtrace/mshv_backend.hpp"

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
    std::uint64_t deposits = 0;  // pages the INSUFFICIENT_MEMORY retry put in
    int close_signal_fd = -1;    // when set, every close writes one byte here (the SIGINT test)

private:
    enum class Kind { device, partition, vp };
    struct Fd {
        Kind kind;
        std::uint64_t partition_id = 0;
        std::uint32_t vp = 0;
    };
    struct Partition {
        std::vector<std::uint32_t> vps;
        bool initialized = false;
    };
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
