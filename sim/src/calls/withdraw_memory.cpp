// HvCallWithdrawMemory (rep): partition id, proximity domain (HDKMINI); each element returns
// one PFN of a pool page the hypervisor is not using, zeroed, in the output list.
#include <cstring>

#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::withdraw_memory_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kDomainId = F::domain_id.offset,
                        kProximityFlags = F::proximity_flags.offset;
constexpr std::uint32_t kProximityValid = 0x80000000;

struct Header {
    Partition* p = nullptr;
};

Outcome read_header(CallContext& ctx, Header& h) {
    if (auto o = find_partition(ctx, kPartition, Target::any, h.p); !o.is_ok()) return o;
    const auto flags = ctx.in<std::uint32_t>(kProximityFlags);
    // Enforced here, unlike the creation calls' reserved bits (check_proximity_flags).
    if ((flags & kProximityFlagsReserved) != 0)
        return ctx.reject(RuleId::withdraw_memory_proximity_invalid, Site::input, kProximityFlags, flags,
                          flags & kProximityFlagsReserved);
    if ((flags & kProximityValid) != 0 && ctx.in<std::uint32_t>(kDomainId) != 0)
        return ctx.reject(RuleId::withdraw_memory_proximity_invalid, Site::input, kDomainId,
                          ctx.in<std::uint32_t>(kDomainId));
    return Outcome::ok();
}

Outcome withdraw(CallContext& ctx, const Header& h, std::uint32_t index) {
    state::State& s = model(ctx);
    Partition& p = *h.p;
    if (p.pool.covered() <= p.used(s.costs()))
        return ctx.reject(RuleId::withdraw_memory_pool_empty, Site::input, kPartition, p.id);
    // The highest deposited page goes first: deterministic, and cheap to take off an extent.
    // Pinned pages (overlay pages the root still reads) are in use and stay.
    std::uint64_t pfn = 0;
    for (auto it = p.pool.runs().rbegin(); it != p.pool.runs().rend(); ++it) {
        std::uint64_t candidate = it->first + it->second.count;
        while (candidate > it->first && p.pinned.at(candidate - 1)) --candidate;
        if (candidate > it->first) {
            pfn = candidate - 1;
            break;
        }
    }
    p.pool.erase(pfn, 1);
    s.owners.erase(pfn, 1);
    if (Page* page = ctx.memory().find_page(pfn * hvcall::kPageSize)) std::memset(page->data(), 0, page->size());
    ctx.out<std::uint64_t>(ctx.rep_output_offset(index), pfn);
    return Outcome::ok();
}

}  // namespace

constinit const Handler withdraw_memory = rep_handler<Header, read_header, withdraw>();

}  // namespace hvsim::calls
