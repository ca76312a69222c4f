// How same_state_under_schedule_fuzz reads its bytes: a fault plan, then a bounded sequence of
// typed hvcall calls on two partitions. Shared with `hvsim fuzz-input-to-trace`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "domains.hpp"
#include "hvcall/backend.hpp"
#include "hvsim/machine.hpp"

namespace hvsim::fuzz {

// Budgets: a few ops keep one execution in milliseconds.
inline constexpr int kMaxOps = 12;
inline constexpr std::uint64_t kMaxPagesPerOp = 1100;  // above 1024: crosses a batch of rep elements
inline constexpr std::uint64_t kGfnSpace = 0x8000;
// Early ends per rep loop: 2 to 9. A resume bug shows at a loop's first or second restart;
// "every call ends after one element" over 1,100 pages made 1,100 calls of one op and a
// hundred times the cost of an execution, for no state the first restarts did not reach.
inline constexpr std::uint32_t kMinEndsPerLoop = 2;

// Root RAM. Maps take fresh guest RAM from the lower half, from kGuestRamFirstPfn up; deposits
// take pages from the upper half (HostPageSource). The halves must never meet: a deposit the
// fault plan forces would otherwise take a page a later map wants, and the runs with and
// without faults would differ for a reason that is not the code under test.
inline constexpr std::uint64_t kScheduleRamBytes = 256ull << 20;
inline constexpr std::uint64_t kGuestRamFirstPfn = 0x1000;
// The most guest RAM one map takes: 1100 small pages, or two 2 MiB pages after aligning up.
inline constexpr std::uint64_t kMaxGuestPagesPerOp = kMaxPagesPerOp > 2 * 512 + 511 ? kMaxPagesPerOp : 2 * 512 + 511;
static_assert(kGuestRamFirstPfn + kMaxOps * kMaxGuestPagesPerOp <= kScheduleRamBytes / 4096 / 2,
              "guest RAM for maps must stay below the deposit pages in the upper half of RAM");

enum class OpKind : std::uint8_t {
    map,              // map_gpa_pages, fresh guest RAM each time
    unmap,            // unmap_gpa_pages
    guest_access,     // the guest touches pages: a model event, not a hypercall
    access_states,    // get_gpa_pages_access_states, clearing dirty bits
    deposit,          // deposit_memory
    access_tracking,  // set_partition_property(gpa_page_access_tracking)
};

struct Op {
    OpKind kind = OpKind::map;
    std::uint8_t slot = 0;  // which of the two partitions
    std::uint64_t gfn = 0, count = 0;
    bool large = false;
};

struct ScheduleInput {
    MachineConfig config;  // the run without faults
    MachineConfig faulty;  // the same, with the hypervisor's own rep restarts when asked
    FaultPlan plan;
    std::vector<Op> ops;
};
[[nodiscard]] ScheduleInput decode_schedule(Bytes& in);

// What a run leaves behind: the observable state and each call's errno.
struct ScheduleRun {
    std::string digest;
    std::vector<int> errnos;
    std::string broken;  // the first invariant report, if any
};
// Told of each guest access after it ran, with how many pages it marked (a trace records it).
using GuestAccessSink = std::function<void(std::uint64_t partition, std::uint64_t gfn, std::uint64_t count, bool write,
                                           std::uint64_t marked)>;
// Creates and initializes two partitions, then runs the ops through `backend`, which issues on `m`.
[[nodiscard]] ScheduleRun run_schedule(Machine& m, hvcall::Backend& backend, const std::vector<Op>& ops,
                                       const GuestAccessSink& on_guest_access = {});

}  // namespace hvsim::fuzz
