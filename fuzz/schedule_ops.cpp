#include "schedule_ops.hpp"

#include <array>

#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvsim/host_pages.hpp"

namespace hvsim::fuzz {

using namespace hvcall;

namespace {

constexpr std::uint32_t kRW = map_flags::readable | map_flags::writable;

// Maps appear twice: most state comes from maps.
constexpr std::array kKinds = {OpKind::map,           OpKind::map,     OpKind::unmap,          OpKind::guest_access,
                               OpKind::access_states, OpKind::deposit, OpKind::access_tracking};

std::vector<Op> decode_ops(Bytes& in) {
    std::vector<Op> ops;
    while (!in.empty() && ops.size() < kMaxOps) {
        Op op{};
        op.kind = kKinds[in.below(kKinds.size())];
        op.slot = static_cast<std::uint8_t>(in.below(2));
        op.large = (in.take<std::uint8_t>() & 1) != 0;
        op.gfn = op.large ? in.below(kGfnSpace / 512) * 512ull : in.below(kGfnSpace);
        op.count = op.large ? (1 + in.below(2)) * 512ull : 1 + in.below(kMaxPagesPerOp);
        ops.push_back(op);
    }
    return ops;
}

// Guest RAM for maps: the lower half of RAM, never reused; 2 MiB aligned for large pages.
struct GuestRam {
    std::uint64_t next = kGuestRamFirstPfn;
    std::vector<std::uint64_t> pfns;
    const std::vector<std::uint64_t>& take(const Op& op) {
        pfns.clear();
        if (op.large) {
            next = (next + 511) / 512 * 512;
            for (std::uint64_t i = 0; i < op.count / 512; ++i, next += 512) pfns.push_back(next);
        } else {
            for (std::uint64_t i = 0; i < op.count; ++i) pfns.push_back(next++);
        }
        return pfns;
    }
};

}  // namespace

ScheduleInput decode_schedule(Bytes& in) {
    ScheduleInput s;
    s.config.ram_bytes = kScheduleRamBytes;
    s.config.strict = true;
    const std::uint8_t shape = in.take<std::uint8_t>();
    s.plan.seed = in.take<std::uint8_t>();
    s.plan.early_end_per_mille = (shape & 1) != 0 ? 1 + in.below(500) : 0;
    if ((shape & 2) != 0) s.plan.rep_ends.push_back({FaultPlan::kAnyCall, 1 + in.below(600)});
    for (int i = 0; i < ((shape >> 2) & 3); ++i) s.plan.failing_allocations.push_back(in.below(64));
    s.plan.max_ends_per_loop = kMinEndsPerLoop + (shape >> 5);
    s.faulty = s.config;
    s.faulty.hypervisor_restarts_reps = (shape & 16) != 0;
    s.ops = decode_ops(in);
    return s;
}

ScheduleRun run_schedule(Machine& m, Backend& backend, const std::vector<Op>& ops,
                         const GuestAccessSink& on_guest_access) {
    HostPageSource pages(m);
    ScheduleRun out;
    std::uint64_t self = 0;
    (void)get_partition_id(backend, self);
    std::uint64_t ids[2] = {};
    for (auto& id : ids) {
        CreatePartitionArgs args;
        args.flags |= creation_flags::gpa_super_pages_enabled;
        out.errnos.push_back(create_partition(backend, pages, args, self, id));
        out.errnos.push_back(initialize_partition(backend, pages, id));
    }
    GuestRam ram;
    std::vector<std::uint8_t> states;
    for (const Op& op : ops) {
        const std::uint64_t id = ids[op.slot];
        switch (op.kind) {
            case OpKind::map:
                out.errnos.push_back(map_gpa_pages(backend, pages, id, op.gfn, op.count,
                                                   kRW | (op.large ? map_flags::large_page : 0), ram.take(op))
                                         .error);
                break;
            case OpKind::unmap:
                out.errnos.push_back(
                    unmap_gpa_pages(backend, id, op.gfn, op.count, op.large ? kUnmapLargePage : 0).error);
                break;
            case OpKind::guest_access: {
                const std::uint64_t marked = m.hypervisor().guest_access(id, op.gfn, op.count, op.large);
                if (on_guest_access) on_guest_access(id, op.gfn, op.count, op.large, marked);
                break;
            }
            case OpKind::access_states: {
                states.assign(op.count, 0);
                const auto p =
                    get_gpa_pages_access_states(backend, id, op.gfn, op.count, access_flags::clear_dirty, states);
                out.errnos.push_back(p.error);
                for (auto s : states) out.digest += static_cast<char>('0' + (s & 3));
                break;
            }
            case OpKind::deposit:
                out.errnos.push_back(deposit_memory(backend, pages, id, static_cast<std::uint32_t>(op.count % 64)));
                break;
            case OpKind::access_tracking:
                out.errnos.push_back(
                    set_partition_property(backend, id, property::gpa_page_access_tracking, op.count & 1));
                break;
        }
        if (out.broken.empty()) out.broken = m.hypervisor().check_invariants();
    }
    out.digest += m.hypervisor().digest();
    return out;
}

}  // namespace hvsim::fuzz
