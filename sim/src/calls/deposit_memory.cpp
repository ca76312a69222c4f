// HvCallDepositMemory (rep): partition id, then one host PFN per element (HDKMINI). Each
// page becomes the hypervisor's, in the partition's pool, until withdrawn.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::deposit_memory_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset;
}

namespace {

struct Header {
    Partition* p = nullptr;
};

Outcome read_header(CallContext& ctx, Header& h) {
    if (auto o = find_partition(ctx, kPartition, Target::any, h.p); !o.is_ok()) return o;
    if (h.p->state == PartitionState::finalized)
        return ctx.reject(RuleId::deposit_memory_partition_finalized, Site::input, kPartition, h.p->id);
    return Outcome::ok();
}

Outcome deposit(CallContext& ctx, const Header& h, std::uint32_t index) {
    state::State& s = model(ctx);
    const auto offset = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const auto pfn = ctx.in<std::uint64_t>(offset);
    if (!s.is_ram(pfn)) return ctx.reject(RuleId::deposit_memory_pfn_not_ram, Site::input, offset, pfn);
    const state::OwnerValue deposited{h.p->id, 0, PfnOwner::deposited};
    const bool extends = s.owners.can_append(pfn, deposited);  // O(1) for a run of consecutive pages
    if (!extends && s.owners.at(pfn)) return ctx.reject(RuleId::deposit_memory_pfn_in_use, Site::input, offset, pfn);
    if (s.host_access_of(pfn) != HostAccess{})
        return ctx.reject(RuleId::deposit_memory_pfn_no_host_access, Site::input, offset, pfn);
    if (!extends || !s.owners.try_append(pfn, deposited)) s.owners.assign(pfn, 1, deposited);
    if (!h.p->pool.try_append(pfn, state::Unit{})) h.p->pool.assign(pfn, 1, state::Unit{});
    return Outcome::ok();
}

// The bulk form: consecutive free RAM pages with the root's default access, in two extent
// operations. Anything else stops the run for the element step to judge.
std::uint32_t deposit_run(CallContext& ctx, const Header& h, std::uint32_t first, std::uint32_t count) {
    state::State& s = model(ctx);
    const std::size_t at = ctx.rep_input_offset(first);
    const auto pfn = ctx.in<std::uint64_t>(at);
    std::uint64_t n = std::min<std::uint64_t>(count, s.free_ram_from(pfn));
    if (n != 0) n = consecutive_prefix(ctx.in_bytes(at, n * sizeof(std::uint64_t)), pfn);
    if (n == 0 || s.host_access.any_in(pfn, n)) return 0;
    s.owners.assign(pfn, n, state::OwnerValue{h.p->id, 0, PfnOwner::deposited});
    h.p->pool.assign(pfn, n, state::Unit{});
    return static_cast<std::uint32_t>(n);
}

}  // namespace

constinit const Handler deposit_memory = rep_handler<Header, read_header, deposit, deposit_run>();

}  // namespace hvsim::calls
