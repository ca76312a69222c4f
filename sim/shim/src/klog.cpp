// What driver code reports and how it stops: printk into the shim's log, WARN_ON as a shim
// diagnostic, BUG as a diagnostic that ends the driver function being run (a jump back to
// the glue that called it). And what drivers/hv/hv_common.c gives the driver files: the
// status-to-errno mapping and status names.
#include <cstdarg>
#include <cstdio>
#include <exception>
#include <string>

#include "hvcall/errno.hpp"
#include "hvcall/status.hpp"
#include "kernel_abi.hpp"
#include "shim_state.hpp"

namespace hvsim {

std::span<const LogLine> shim_log() noexcept { return shim_detail::shim().log; }

}  // namespace hvsim

using hvsim::shim_detail::shim;

namespace {

constexpr int kDefaultLevel = 4;  // KERN_WARNING: printk without a level
constexpr char kSoh = '\001';

void log_line(const char* text) {
    int level = kDefaultLevel;
    bool cont = false;
    while (text[0] == kSoh && text[1] != '\0') {
        if (text[1] >= '0' && text[1] <= '7') level = text[1] - '0';
        if (text[1] == 'c') cont = true;
        text += 2;
    }
    std::string line(text);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    auto& log = shim().log;
    if (cont && !log.empty()) {
        log.back().text += line;
        return;
    }
    log.push_back({level, line});
}

}  // namespace

extern "C" {

int vprintk(const char* fmt, va_list args) {
    char buf[1024];
    const int n = std::vsnprintf(buf, sizeof buf, fmt, args);
    log_line(buf);
    return n;
}

int printk(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const int n = vprintk(fmt, args);
    va_end(args);
    return n;
}

void hvsim_warn(const char* file, int line, const char* what) {
    hvsim::shim_detail::report(hvsim::ShimRule::kernel_warn,
                               std::string(what) + " at " + file + ":" + std::to_string(line));
}

// Where BUG() jumps to: set by the glue around each driver function it calls.
std::jmp_buf* hvsim_set_bug_target(std::jmp_buf* target) {
    std::jmp_buf* previous = shim().bug_target;
    shim().bug_target = target;
    return previous;
}

[[noreturn]] void hvsim_bug(const char* file, int line, const char* what) {
    hvsim::shim_detail::report(hvsim::ShimRule::kernel_bug, std::string(what) + " at " + file + ":" +
                                                                std::to_string(line) + "; the driver function stopped");
    std::jmp_buf* target = shim().bug_target;
    if (target == nullptr) std::terminate();  // no glue to return to: as fatal as on Linux
    std::longjmp(*target, 1);
}

// hv_common.c: the driver's mapping of a hypercall result to an errno, and a status's name.
int hv_result_to_errno(u64 status) { return hvcall::to_errno(hvcall::HypercallResult::from_raw(status)); }

const char* hv_result_to_string(u64 status) {
    static thread_local std::string name;
    name = "HV_STATUS_" + std::string(hvcall::status_name(hvcall::HypercallResult::from_raw(status).status()));
    return name.c_str();
}

const char* hv_status_to_string(u64 status) { return hv_result_to_string(status); }

}  // extern "C"
