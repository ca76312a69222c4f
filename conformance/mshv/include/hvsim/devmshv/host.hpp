// What the driver model asks of the process it serves, as mshv_root asks it of the kernel:
// copy_from_user / copy_to_user (-EFAULT on a bad pointer, never a crash), whether a user
// range has a VMA and whether huge pages back it, and which eventfd an fd names.
// ProcessHost answers for the calling process; tests may answer from a table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace hvsim::devmshv {

class Host {
public:
    virtual ~Host() = default;
    // copy_from_user / copy_to_user: false when any byte of the user range is not accessible.
    [[nodiscard]] virtual bool copy_in(void* to, std::uint64_t user_addr, std::size_t size) noexcept = 0;
    [[nodiscard]] virtual bool copy_out(std::uint64_t user_addr, const void* from, std::size_t size) noexcept = 0;
    // Every page of [addr, addr + size) lies in a mapping (the kernel's VMA lookup). Nothing is
    // touched or faulted in: a many-GiB MAP_NORESERVE region stays unbacked.
    [[nodiscard]] virtual bool mapped(std::uint64_t addr, std::uint64_t size) noexcept = 0;
    // The range is backed by 2 MiB pages (hugetlbfs), as a PMD-order folio is in the kernel.
    [[nodiscard]] virtual bool huge_backed(std::uint64_t addr, std::uint64_t size) noexcept = 0;
    // The eventfd behind `fd`, as an identity that dup'd fds share: -EBADF when `fd` is not
    // open, -EINVAL when it is not an eventfd (eventfd_ctx_fdget's answers).
    struct Eventfd {
        int error = 0;
        std::uint64_t id = 0;
    };
    [[nodiscard]] virtual Eventfd eventfd(int fd) noexcept = 0;
    // Whether the eventfd's counter is non-zero now (an event already pending), without
    // consuming it.
    [[nodiscard]] virtual bool eventfd_pending(int fd) noexcept = 0;
};

// The calling process: process_vm_readv/writev on itself for the copies, mincore(2) for VMAs,
// /proc/self/smaps for the page size, /proc/self/fd and fdinfo for eventfds.
class ProcessHost final : public Host {
public:
    bool copy_in(void* to, std::uint64_t user_addr, std::size_t size) noexcept override;
    bool copy_out(std::uint64_t user_addr, const void* from, std::size_t size) noexcept override;
    bool mapped(std::uint64_t addr, std::uint64_t size) noexcept override;
    bool huge_backed(std::uint64_t addr, std::uint64_t size) noexcept override;
    Eventfd eventfd(int fd) noexcept override;
    bool eventfd_pending(int fd) noexcept override;
};

}  // namespace hvsim::devmshv
