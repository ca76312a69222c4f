// How the marshalling functions put bytes on the input page and issue calls (private).
#pragma once

#include <algorithm>
#include <cstring>
#include <span>
#include <type_traits>

#include "hvcall/backend.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvcall/catalogue.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"

namespace hvcall::detail {

// The header goes on the page whole: built value-initialised, so padding and reserved
// fields are zero whatever the page held before (strict mode poisons it).
template <class T>
void put_header(std::span<std::byte, kPageSize> page, const T& header) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>);
    std::memcpy(page.data(), &header, sizeof header);
}

inline void put_qwords(std::span<std::byte, kPageSize> page, std::size_t offset,
                       std::span<const std::uint64_t> v) noexcept {
    if (!v.empty()) std::memcpy(page.data() + offset, v.data(), v.size_bytes());
}

template <class T>
[[nodiscard]] T read_output(const Backend& backend, std::size_t offset = 0) noexcept {
    T v;
    std::memcpy(&v, backend.output_page().data() + offset, sizeof v);
    return v;
}

[[nodiscard]] constexpr std::uint16_t code(CallId id) noexcept { return info(id).code; }

// hv_do_rep_hypercall_ex: issue, and after a time-slice end (success, fewer reps) reissue at
// rep start = reps completed. Returns the last result; its reps completed is absolute. A
// result that makes no progress is returned as it is, so a broken backend cannot spin us.
[[nodiscard]] inline HypercallResult rep_hypercall(Backend& backend, CallId id, std::uint32_t count) noexcept {
    Control control = *Control::rep(code(id), count);  // callers' batches are below 4096
    for (;;) {
        const HypercallResult r = backend.hypercall(control);
#ifdef HVCALL_PLANTED_BUG_NO_REP_RESTART
        // Planted for the fuzzers' self-test only (fuzz/CMakeLists.txt): a caller that takes a
        // time-slice end for completion. Never defined in a real build.
        return HypercallResult::make(r.status(), r.ok() ? count : r.reps_completed());
#endif
        if (!r.ok() || r.reps_completed() >= count || r.reps_completed() <= control.rep_start()) return r;
        control = *control.with_rep_start(r.reps_completed());
    }
}

// Deposit-and-retry for a simple call, as the driver's since 7.0: `issue()` until it stops
// answering a needs-memory status, depositing what that status asks for (deposit_for_status:
// into `payer`, or into the root itself) each time; no retry limit (as A-HVCALL), a failing
// deposit ends it. Returns 0 or a negative errno. (6.15-6.19 retried INSUFFICIENT_MEMORY only,
// one page into `payer`.)
template <class Issue>
[[nodiscard]] int retry_with_deposit(Backend& backend, HostPages& pages, std::uint64_t payer, Issue&& issue) noexcept {
    for (;;) {
        const HypercallResult r = issue();
        if (!needs_memory(r.status())) return to_errno(r);
        if (const int e = deposit_for_status(backend, pages, payer, r.status())) return e;
    }
}

// Reps a result says completed; a success that stopped short (a backend that made no
// progress) is an I/O error to the caller.
[[nodiscard]] constexpr bool stalled(HypercallResult r, std::uint32_t count) noexcept {
    return r.ok() && r.reps_completed() < count;
}

// A rep call that sends `header` then one input element per rep and reads one output element
// per completed rep: batches of at most `batch_max` (what fits the page), each resumed by
// rep_hypercall; stops at the first failing element with the reps done before it.
template <class Header, class In, class Out>
[[nodiscard]] Progress rep_in_out(Backend& backend, CallId id, const Header& header, std::uint32_t batch_max,
                                  std::span<const In> in, std::span<Out> out) noexcept {
    if (out.size() < in.size()) return {-EINVAL, 0};
    std::uint64_t done = 0;
    while (done < in.size()) {
        const auto batch = static_cast<std::uint32_t>(std::min<std::uint64_t>(in.size() - done, batch_max));
        auto page = backend.input_page();
        put_header(page, header);
        std::memcpy(page.data() + sizeof(Header), in.data() + done, std::size_t{batch} * sizeof(In));
        const HypercallResult r = rep_hypercall(backend, id, batch);
        const std::uint32_t completed = std::min(r.reps_completed(), batch);
        std::memcpy(out.data() + done, backend.output_page().data(), std::size_t{completed} * sizeof(Out));
        done += completed;
        if (!r.ok()) return {to_errno(r), done};
        if (stalled(r, batch)) return {-EIO, done};
    }
    return {0, done};
}

}  // namespace hvcall::detail
