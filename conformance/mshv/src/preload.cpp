// The preload library `hvsim mshv run` puts under a command: /dev/mshv opened through any of
// glibc's entry points (open, open64, openat, their fortified __*_2 forms) reaches the driver
// model, and so do ioctl, mmap and close on the fds it hands out and on their dups. Every other
// path and fd goes to the C library untouched.
//
// Each model object (the device, a partition, a VP) gets a real fd, a memfd, so that fd
// numbers, dup, poll-free close and fork behave as the kernel's would; a table maps fds to
// driver handles. One lock serialises the driver; calls the driver itself makes (fopen of
// /proc files, the trace's writes) bypass the interposer on that thread.
//
// Configuration comes from the environment `hvsim mshv run` sets:
//   HVSIM_MSHV_MACHINE  the machine, as a scenario's "machine" object (JSON)
//   HVSIM_MSHV_RECORD   trace path (first process to open /dev/mshv; others add ".PID")
//   HVSIM_MSHV_CHANNEL  file the summary and the driver's notes are appended to, as JSON lines
//   HVSIM_MSHV_REGIONS  "pinned" maps guest regions pinned instead of movable
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "hvsim/conformance/codecs.hpp"
#include "hvsim/devmshv/session.hpp"

namespace {

using hvsim::devmshv::FdKind;
using hvsim::devmshv::Session;

template <class F>
F real(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

using OpenFn = int (*)(const char*, int, ...);
using OpenatFn = int (*)(int, const char*, int, ...);
using Open2Fn = int (*)(const char*, int);
using Openat2Fn = int (*)(int, const char*, int);
using IoctlFn = int (*)(int, unsigned long, ...);
using CloseFn = int (*)(int);
using DupFn = int (*)(int);
using Dup2Fn = int (*)(int, int);
using Dup3Fn = int (*)(int, int, int);
using FcntlFn = int (*)(int, int, ...);
using MmapFn = void* (*)(void*, size_t, int, int, int, off_t);

thread_local bool t_inside = false;  // this thread is in the driver: pass everything through

struct Guard {
    Guard() { t_inside = true; }
    ~Guard() { t_inside = false; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
};

struct Object {
    int handle;
};

struct State {
    std::mutex lock;
    std::unique_ptr<Session> session;
    std::map<int, std::shared_ptr<Object>> fds;
    std::string channel;
    bool failed = false;
};

State& state() {
    static State* s = new State;  // never destroyed: fds may be closed during exit
    return *s;
}

void append_line(const std::string& path, const std::string& line) {
    if (path.empty()) {
        std::fprintf(stderr, "%s\n", line.c_str());
        return;
    }
    const int fd = real<OpenFn>("open")(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    const std::string text = line + "\n";
    (void)!write(fd, text.data(), text.size());
    real<CloseFn>("close")(fd);
}

void note(const std::string& text) { append_line(state().channel, nlohmann::json{{"note", text}}.dump()); }

// A claimed trace path: the first process gets the name itself, a later one NAME.PID.
std::string claim(const std::string& path) {
    const int fd = real<OpenFn>("open")(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        real<CloseFn>("close")(fd);
        return path;
    }
    return path + "." + std::to_string(getpid());
}

void finish() {
    State& s = state();
    std::lock_guard lock(s.lock);
    if (!s.session) return;
    Guard g;
    s.session->finish();
    append_line(s.channel, nlohmann::json{{"summary", s.session->summary()}, {"pid", getpid()}}.dump());
    s.session.reset();
    s.fds.clear();
}

// A client that aborts (assert, g_error, abort()) runs no atexit handler, but the kernel would
// still close its fds: tear the session down then too, so the trace ends as the hardware's
// would and the summary is written. Best effort and not async-signal-safe (the process is dying
// anyway); skipped when the abort comes from inside the driver or another thread holds it.
struct sigaction g_prior_abort {};

void on_abort(int sig) {
    State& s = state();
    if (!t_inside && s.lock.try_lock()) {
        s.lock.unlock();
        note("the command aborted (SIGABRT): closing its /dev/mshv fds");
        finish();
    }
    sigaction(sig, &g_prior_abort, nullptr);
    raise(sig);
}

void hook_abort() {
    struct sigaction sa {};
    sa.sa_handler = on_abort;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGABRT, &sa, &g_prior_abort);
}

// The session, made on the first open of /dev/mshv. Lock held.
Session* session() {
    State& s = state();
    if (s.session || s.failed) return s.session.get();
    Guard g;
    const char* channel = std::getenv("HVSIM_MSHV_CHANNEL");
    s.channel = channel != nullptr ? channel : "";
    try {
        hvsim::devmshv::SessionOptions o;
        if (const char* m = std::getenv("HVSIM_MSHV_MACHINE"); m != nullptr && *m != '\0')
            o.machine = hvsim::conformance::read_machine(nlohmann::json::parse(m));
        if (const char* r = std::getenv("HVSIM_MSHV_REGIONS"); r != nullptr && std::strcmp(r, "pinned") == 0)
            o.driver.regions = hvsim::devmshv::DriverOptions::Regions::pinned;
        if (const char* t = std::getenv("HVSIM_MSHV_RECORD"); t != nullptr && *t != '\0') o.record = claim(t);
        o.producer = "hvsim mshv run";
        s.session = std::make_unique<Session>(std::move(o));
        s.session->driver().log = note;
        std::atexit(finish);
        hook_abort();
    } catch (const std::exception& e) {
        s.failed = true;
        note(std::string("cannot start the driver model: ") + e.what());
    }
    return s.session.get();
}

bool is_device(const char* path) { return path != nullptr && std::strcmp(path, "/dev/mshv") == 0; }

// A real fd for a driver handle. Lock held.
int bind(State& s, int handle, const char* name, bool cloexec) {
    const int fd = memfd_create(name, cloexec ? MFD_CLOEXEC : 0);
    if (fd < 0) {
        s.session->close(handle);
        return -1;
    }
    s.fds[fd] = std::make_shared<Object>(Object{handle});
    return fd;
}

int open_device(int flags) {
    State& s = state();
    std::lock_guard lock(s.lock);
    Session* m = session();
    if (m == nullptr) {
        errno = ENODEV;
        return -1;
    }
    Guard g;
    const int handle = m->open("/dev/mshv");
    return bind(s, handle, "mshv", (flags & O_CLOEXEC) != 0);
}

// The fd leaves the table; the object goes when no dup names it. Lock held.
void forget(State& s, int fd) {
    const auto it = s.fds.find(fd);
    if (it == s.fds.end()) return;
    const std::shared_ptr<Object> object = it->second;
    s.fds.erase(it);
    if (object.use_count() == 1 && s.session) s.session->close(object->handle);
}

int dup_tracked(int from, int to) {
    if (to < 0 || t_inside) return to;
    State& s = state();
    std::lock_guard lock(s.lock);
    const auto it = s.fds.find(from);
    if (it != s.fds.end() && from != to) {
        Guard g;
        forget(s, to);
        s.fds[to] = it->second;
    }
    return to;
}

// F_DUPFD and F_DUPFD_CLOEXEC make a dup like dup(2); the argument passes as the C library's
// variadic int does (a full register).
int fcntl_tracked(const char* name, int fd, int cmd, void* arg) {
    const int r = real<FcntlFn>(name)(fd, cmd, arg);
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) return dup_tracked(fd, r);
    return r;
}

mode_t mode_arg(int flags, va_list ap) { return (flags & (O_CREAT | O_TMPFILE)) != 0 ? va_arg(ap, mode_t) : 0; }

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int open(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<OpenFn>("open")(path, flags, mode);
}

__attribute__((visibility("default"))) int open64(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<OpenFn>("open64")(path, flags, mode);
}

__attribute__((visibility("default"))) int openat(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<OpenatFn>("openat")(dirfd, path, flags, mode);
}

__attribute__((visibility("default"))) int openat64(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<OpenatFn>("openat64")(dirfd, path, flags, mode);
}

__attribute__((visibility("default"))) int __open_2(const char* path, int flags) {
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<Open2Fn>("__open_2")(path, flags);
}

__attribute__((visibility("default"))) int __open64_2(const char* path, int flags) {
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<Open2Fn>("__open64_2")(path, flags);
}

__attribute__((visibility("default"))) int __openat_2(int dirfd, const char* path, int flags) {
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<Openat2Fn>("__openat_2")(dirfd, path, flags);
}

__attribute__((visibility("default"))) int __openat64_2(int dirfd, const char* path, int flags) {
    if (!t_inside && is_device(path)) return open_device(flags);
    return real<Openat2Fn>("__openat64_2")(dirfd, path, flags);
}

__attribute__((visibility("default"))) int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    if (!t_inside) {
        State& s = state();
        std::unique_lock lock(s.lock);
        const auto it = s.fds.find(fd);
        if (it != s.fds.end() && s.session) {
            Guard g;
            const int handle = it->second->handle;
            const auto kind = s.session->driver().kind(handle);
            const int r = s.session->ioctl(handle, request, arg);
            if (r < 0) {
                errno = -r;
                return -1;
            }
            const bool creates = (kind == FdKind::device && request == hvsim::traces::mshv::kCreatePartition) ||
                                 (kind == FdKind::partition && request == hvsim::traces::mshv::kCreateVp);
            if (creates) return bind(s, r, kind == FdKind::device ? "mshv-partition" : "mshv-vp", true);
            return r;
        }
    }
    return real<IoctlFn>("ioctl")(fd, request, arg);
}

namespace {
void* map_tracked(void* addr, size_t len, int prot, int flags, int fd, off_t offset, const char* name) {
    if (!t_inside && fd >= 0) {
        State& s = state();
        std::lock_guard lock(s.lock);
        const auto it = s.fds.find(fd);
        if (it != s.fds.end() && s.session) {
            Guard g;
            const int r = s.session->mmap(it->second->handle, static_cast<std::uint64_t>(offset) / 4096);
            errno = r < 0 ? -r : ENODEV;
            return MAP_FAILED;
        }
    }
    return real<MmapFn>(name)(addr, len, prot, flags, fd, offset);
}
}  // namespace

__attribute__((visibility("default"))) void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t offset) {
    return map_tracked(addr, len, prot, flags, fd, offset, "mmap");
}

__attribute__((visibility("default"))) void* mmap64(void* addr, size_t len, int prot, int flags, int fd, off_t offset) {
    return map_tracked(addr, len, prot, flags, fd, offset, "mmap64");
}

__attribute__((visibility("default"))) int close(int fd) {
    if (!t_inside) {
        State& s = state();
        std::lock_guard lock(s.lock);
        if (s.fds.contains(fd)) {
            Guard g;
            forget(s, fd);
        }
    }
    return real<CloseFn>("close")(fd);
}

__attribute__((visibility("default"))) int dup(int fd) {
    const int to = real<DupFn>("dup")(fd);
    return dup_tracked(fd, to);
}

__attribute__((visibility("default"))) int dup2(int fd, int to) {
    const int r = real<Dup2Fn>("dup2")(fd, to);
    return dup_tracked(fd, r);
}

__attribute__((visibility("default"))) int dup3(int fd, int to, int flags) {
    const int r = real<Dup3Fn>("dup3")(fd, to, flags);
    return dup_tracked(fd, r);
}

__attribute__((visibility("default"))) int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return fcntl_tracked("fcntl", fd, cmd, arg);
}

__attribute__((visibility("default"))) int fcntl64(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return fcntl_tracked("fcntl64", fd, cmd, arg);
}

// The device node exists for clients that look before they open (Cloud Hypervisor's
// fs::metadata, OpenVMM).
__attribute__((visibility("default"))) int access(const char* path, int mode) {
    if (!t_inside && is_device(path)) return 0;
    return real<int (*)(const char*, int)>("access")(path, mode);
}

}  // extern "C"
