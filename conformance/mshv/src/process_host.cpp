// The calling process as the driver model's user space. Copies go through process_vm_readv /
// process_vm_writev on the process itself, which fail with EFAULT where a kernel copy would,
// instead of faulting; VMAs are looked up with mincore(2), which touches nothing.
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "hvsim/devmshv/host.hpp"

namespace hvsim::devmshv {

namespace {

constexpr std::uint64_t kPage = 4096;

bool copy(bool write, std::uint64_t user_addr, void* local, std::size_t size) noexcept {
    if (size == 0) return true;
    if (user_addr == 0 || user_addr + size < user_addr) return false;
    iovec mine{local, size};
    iovec theirs{reinterpret_cast<void*>(static_cast<std::uintptr_t>(user_addr)), size};
    const ssize_t n = write ? process_vm_writev(getpid(), &mine, 1, &theirs, 1, 0)
                            : process_vm_readv(getpid(), &mine, 1, &theirs, 1, 0);
    return n == static_cast<ssize_t>(size);
}

// The "KernelPageSize:" of the smaps entry holding addr, in KiB (0: no entry).
std::uint64_t kernel_page_kib(std::uint64_t addr) noexcept {
    std::FILE* f = std::fopen("/proc/self/smaps", "re");
    if (f == nullptr) return 0;
    char line[512];
    bool inside = false;
    std::uint64_t kib = 0;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        unsigned long long lo = 0, hi = 0;
        if (std::sscanf(line, "%llx-%llx ", &lo, &hi) == 2 && std::strchr(line, ':') != nullptr &&
            std::strchr(line, '-') < std::strchr(line, ' ')) {
            inside = addr >= lo && addr < hi;
            continue;
        }
        unsigned long long v = 0;
        if (inside && std::sscanf(line, "KernelPageSize: %llu kB", &v) == 1) {
            kib = v;
            break;
        }
    }
    std::fclose(f);
    return kib;
}

}  // namespace

bool ProcessHost::copy_in(void* to, std::uint64_t user_addr, std::size_t size) noexcept {
    return copy(false, user_addr, to, size);
}

bool ProcessHost::copy_out(std::uint64_t user_addr, const void* from, std::size_t size) noexcept {
    return copy(true, user_addr, const_cast<void*>(from), size);
}

// mincore fails with ENOMEM where part of the range is not mapped; it reports residency in
// a byte per page, chunked so that a many-GiB range needs little memory.
bool ProcessHost::mapped(std::uint64_t addr, std::uint64_t size) noexcept {
    if (size == 0 || addr % kPage != 0 || addr + size < addr) return false;
    constexpr std::uint64_t kChunk = std::uint64_t{1} << 30;
    std::vector<unsigned char> residency(kChunk / kPage);
    for (std::uint64_t at = addr; at < addr + size; at += kChunk) {
        const std::uint64_t n = std::min(kChunk, addr + size - at);
        if (mincore(reinterpret_cast<void*>(static_cast<std::uintptr_t>(at)), n, residency.data()) != 0) return false;
    }
    return true;
}

bool ProcessHost::huge_backed(std::uint64_t addr, std::uint64_t) noexcept { return kernel_page_kib(addr) >= 2048; }

// eventfds are anonymous inodes that all share one inode, so the identity is the "eventfd-id"
// fdinfo gives (Linux 6.1 and later), else the fd number.
Host::Eventfd ProcessHost::eventfd(int fd) noexcept {
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) return {-EBADF, 0};
    char target[64] = {};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    if (readlink(link.c_str(), target, sizeof target - 1) < 0 || std::strcmp(target, "anon_inode:[eventfd]") != 0)
        return {-EINVAL, 0};
    std::uint64_t id = static_cast<std::uint64_t>(fd) | (std::uint64_t{1} << 63);
    const std::string info = "/proc/self/fdinfo/" + std::to_string(fd);
    if (std::FILE* f = std::fopen(info.c_str(), "re")) {
        char line[128];
        unsigned long long v = 0;
        while (std::fgets(line, sizeof line, f) != nullptr)
            if (std::sscanf(line, "eventfd-id: %llu", &v) == 1) id = v;
        std::fclose(f);
    }
    return {0, id};
}

bool ProcessHost::eventfd_pending(int fd) noexcept {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

}  // namespace hvsim::devmshv
