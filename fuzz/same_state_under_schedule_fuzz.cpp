// Property (the fuzzers' main oracle): a bounded sequence of typed hvcall calls reaches the
// same final model state, with the same errno per call, under a fuzzed fault plan (early rep
// ends, failing allocations, the hypervisor restarting reps) as without faults.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "domains.hpp"
#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/machine.hpp"

namespace {

using namespace hvcall;

// Budgets: a few ops keep one execution in milliseconds; mapped pages stay well inside the
// lower half of RAM, which the page source (upper half) never hands out.
constexpr int kMaxOps = 12;
constexpr std::uint64_t kMaxPagesPerOp = 1100;
constexpr std::uint64_t kGfnSpace = 0x8000;
constexpr std::uint32_t kRW = map_flags::readable | map_flags::writable;

struct Op {
    std::uint8_t kind, slot;
    std::uint64_t gfn, count;
    bool large;
};

std::vector<Op> decode_ops(hvsim::fuzz::Bytes& in) {
    std::vector<Op> ops;
    while (!in.empty() && ops.size() < kMaxOps) {
        Op op{};
        op.kind = static_cast<std::uint8_t>(in.below(7));
        op.slot = static_cast<std::uint8_t>(in.below(2));
        op.large = (in.take<std::uint8_t>() & 1) != 0;
        op.gfn = op.large ? in.below(kGfnSpace / 512) * 512ull : in.below(kGfnSpace);
        op.count = op.large ? (1 + in.below(2)) * 512ull : 1 + in.below(kMaxPagesPerOp);
        ops.push_back(op);
    }
    return ops;
}

struct Run {
    std::string digest;
    std::vector<int> errnos;
    std::string broken;
};

Run run(const std::vector<Op>& ops, hvsim::MachineConfig config, hvsim::FaultPlan plan) {
    hvsim::Machine m(config, std::move(plan));
    hvsim::SimBackend backend(m);
    hvsim::HostPageSource pages(m);
    Run out;
    std::uint64_t self = 0;
    (void)get_partition_id(backend, self);
    std::uint64_t ids[2] = {};
    for (auto& id : ids) {
        CreatePartitionArgs args;
        args.flags |= creation_flags::gpa_super_pages_enabled;
        out.errnos.push_back(create_partition(backend, pages, args, self, id));
        out.errnos.push_back(initialize_partition(backend, pages, id));
    }
    std::uint64_t next_ram = 0x1000;  // guest pages from the lower half of RAM, never reused
    std::vector<std::uint64_t> pfns;
    std::vector<std::uint8_t> states;
    for (const Op& op : ops) {
        const std::uint64_t id = ids[op.slot];
        switch (op.kind) {
            case 0:
            case 1: {  // map (twice as likely: most state comes from maps)
                pfns.clear();
                if (op.large) {
                    next_ram = (next_ram + 511) / 512 * 512;
                    for (std::uint64_t i = 0; i < op.count / 512; ++i, next_ram += 512) pfns.push_back(next_ram);
                } else {
                    for (std::uint64_t i = 0; i < op.count; ++i) pfns.push_back(next_ram++);
                }
                out.errnos.push_back(
                    map_gpa_pages(backend, pages, id, op.gfn, op.count, kRW | (op.large ? map_flags::large_page : 0), pfns).error);
                break;
            }
            case 2:
                out.errnos.push_back(unmap_gpa_pages(backend, id, op.gfn, op.count, op.large ? kUnmapLargePage : 0).error);
                break;
            case 3:
                m.hypervisor().guest_access(id, op.gfn, op.count, op.large);
                break;
            case 4: {
                states.assign(op.count, 0);
                const auto p = get_gpa_pages_access_states(backend, id, op.gfn, op.count, access_flags::clear_dirty, states);
                out.errnos.push_back(p.error);
                for (auto s : states) out.digest += static_cast<char>('0' + (s & 3));
                break;
            }
            case 5:
                out.errnos.push_back(deposit_memory(backend, pages, id, static_cast<std::uint32_t>(op.count % 64)));
                break;
            case 6:
                out.errnos.push_back(set_partition_property(backend, id, property::gpa_page_access_tracking, op.count & 1));
                break;
        }
        if (out.broken.empty()) out.broken = m.hypervisor().check_invariants();
    }
    out.digest += m.hypervisor().digest();
    return out;
}

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
    std::fprintf(stderr, "same_state_under_schedule: %s\n--- without faults\n%s\n--- with the fault plan\n%s\n", what,
                 a.c_str(), b.c_str());
    std::abort();
}

std::string errnos_text(const std::vector<int>& e) {
    std::string s;
    for (int v : e) s += std::to_string(v) + " ";
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hvsim::fuzz::Bytes in(data, size);
    hvsim::MachineConfig config;
    config.ram_bytes = 64ull << 20;
    config.strict = true;
    hvsim::FaultPlan plan;
    const std::uint8_t shape = in.take<std::uint8_t>();
    plan.seed = in.take<std::uint8_t>();
    plan.early_end_per_mille = (shape & 1) != 0 ? 1 + in.below(500) : 0;
    if ((shape & 2) != 0) plan.rep_ends.push_back({hvsim::FaultPlan::kAnyCall, 1 + in.below(600)});
    for (int i = 0; i < ((shape >> 2) & 3); ++i) plan.failing_allocations.push_back(in.below(64));
    hvsim::MachineConfig faulty = config;
    faulty.hypervisor_restarts_reps = (shape & 16) != 0;
    const auto ops = decode_ops(in);

    const Run base = run(ops, config, {});
    const Run got = run(ops, faulty, plan);
    if (!base.broken.empty()) fail("model invariant broken without faults", base.broken, "");
    if (!got.broken.empty()) fail("model invariant broken under the fault plan", "", got.broken);
    if (base.errnos != got.errnos) fail("different errno sequence", errnos_text(base.errnos), errnos_text(got.errnos));
    if (base.digest != got.digest) fail("different final state", base.digest, got.digest);
    return 0;
}
