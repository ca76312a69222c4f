// /dev/mshv for the mshv backend's tests: the driver model (conformance/mshv) over a model,
// called in-process through its handles (no preload). The kernel's own calls run on CPU 1, the
// passthrough on CPU 0; close can signal a pipe (the SIGINT test counts closes there).
#pragma once

#include <unistd.h>

#include "hvsim/devmshv/driver.hpp"
#include "hvsim/devmshv/host.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/mshv_backend.hpp"

namespace hvsim::traces::testing {

class ModelDevice final : public DeviceSeam {
public:
    explicit ModelDevice(Machine& machine)
        : kernel_(machine, 1), passthrough_(machine, 0), driver_(machine, kernel_, passthrough_, host_) {}
    int open(const char* path) noexcept override { return driver_.open(path); }
    int ioctl(int fd, unsigned long request, void* arg) noexcept override { return driver_.ioctl(fd, request, arg); }
    int close(int fd) noexcept override {
        if (close_signal_fd >= 0) {
            const char c = 1;
            (void)!::write(close_signal_fd, &c, 1);
        }
        return driver_.close(fd);
    }
    [[nodiscard]] std::size_t live_partitions() const noexcept { return driver_.live_partitions(); }
    [[nodiscard]] std::size_t open_fds() const noexcept { return driver_.open_handles(); }
    // Deposits the passthrough made on a needs-memory status.
    [[nodiscard]] std::uint64_t deposits() const noexcept { return driver_.passthrough_deposits(); }
    void set_async_completion(hvcall::Status s) noexcept { driver_.set_async_completion(s); }
    int close_signal_fd = -1;

private:
    SimBackend kernel_, passthrough_;
    devmshv::ProcessHost host_;
    devmshv::Driver driver_;
};

}  // namespace hvsim::traces::testing
