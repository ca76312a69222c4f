// How the marshalling functions put bytes on the input page and issue calls (private).
#pragma once

#include <algorithm>
#include <cstring>
#include <optional>
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

// What a failed batch means to the loop below: an errno to stop with, or nothing to issue the
// next batch from the first rep that did not complete (a deposit made room).
using BatchFailure = std::optional<int>;

[[nodiscard]] inline BatchFailure stop_with_errno(HypercallResult r) noexcept { return to_errno(r); }
inline void no_output(std::uint64_t /*done*/, std::uint32_t /*completed*/) noexcept {}

// The driver's rep batch loop, once for every rep marshalling function: `elements` in batches
// of at most `batch_max` (what fits the page). fill(page, done, batch) puts the header and the
// batch's elements on the input page; rep_hypercall resumes each batch after a time-slice end;
// take(done, completed) reads the outputs of the reps that completed, a failing call's too;
// failed(result) says what a failure means (BatchFailure). Completed = min(reps, batch), and a
// success that stopped short (a backend that made no progress) is -EIO. `done` counts elements.
template <class Fill, class Take = decltype(no_output), class Failed = decltype(stop_with_errno)>
[[nodiscard]] Progress rep_batches(Backend& backend, CallId id, std::uint64_t elements, std::uint32_t batch_max,
                                   Fill&& fill, Take&& take = no_output, Failed&& failed = stop_with_errno) noexcept {
    std::uint64_t done = 0;
    while (done < elements) {
        const auto batch = static_cast<std::uint32_t>(std::min<std::uint64_t>(elements - done, batch_max));
        fill(backend.input_page(), done, batch);
        const HypercallResult r = rep_hypercall(backend, id, batch);
        const std::uint32_t completed = std::min(r.reps_completed(), batch);
        take(done, completed);
        done += completed;
        if (r.ok()) {
            if (stalled(r, batch)) return {-EIO, done};
        } else if (const BatchFailure e = failed(r)) {
            return {*e, done};
        }
    }
    return {0, done};
}

// A rep call that sends `header` then one input element per rep and reads one output element
// per completed rep; stops at the first failing element with the reps done before it.
template <class Header, class In, class Out>
[[nodiscard]] Progress rep_in_out(Backend& backend, CallId id, const Header& header, std::uint32_t batch_max,
                                  std::span<const In> in, std::span<Out> out) noexcept {
    if (out.size() < in.size()) return {-EINVAL, 0};
    return rep_batches(
        backend, id, in.size(), batch_max,
        [&](std::span<std::byte, kPageSize> page, std::uint64_t done, std::uint32_t batch) {
            put_header(page, header);
            std::memcpy(page.data() + sizeof(Header), in.data() + done, std::size_t{batch} * sizeof(In));
        },
        [&](std::uint64_t done, std::uint32_t completed) {
            std::memcpy(out.data() + done, backend.output_page().data(), std::size_t{completed} * sizeof(Out));
        });
}

}  // namespace hvcall::detail
