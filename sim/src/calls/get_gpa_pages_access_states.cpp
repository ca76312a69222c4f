// HvCallGetGpaPagesAccessStates (rep, 1-byte outputs): partition id, flags, base GFN
// (HDKMINI). Element i reports page base + i's accessed/dirty bits as they were, then applies the
// set/clear flags to them. Unmapped pages read as 0 and keep no bits.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::get_gpa_pages_access_states_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kFlags = F::flags.offset,
                        kGfnBase = F::hv_gpa_page_number.offset;
constexpr std::uint64_t kClearAccessed = 0x1, kSetAccessed = 0x2, kClearDirty = 0x4, kSetDirty = 0x8;
constexpr std::uint64_t kDefinedFlags = 0xF;
}  // namespace

Outcome get_gpa_pages_access_states_element(CallContext& ctx, std::uint32_t index) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    const auto flags = ctx.in<std::uint64_t>(kFlags);
    if (first_element(ctx, index)) {
        if (auto o = find_partition(ctx, kPartition, Target::child, p); !o.is_ok()) return o;
        if (auto o = require_active(ctx, *p, kPartition); !o.is_ok()) return o;
        if (auto o = reserved(ctx, RuleId::access_states_flags_reserved, kFlags, flags, ~kDefinedFlags)) return *o;
        if ((flags & (kClearAccessed | kSetAccessed)) == (kClearAccessed | kSetAccessed) ||
            (flags & (kClearDirty | kSetDirty)) == (kClearDirty | kSetDirty))
            return ctx.reject(RuleId::access_states_flags_conflict, Site::input, kFlags, flags);
    } else {
        p = s.find(ctx.in<std::uint64_t>(kPartition));
    }
    const auto base = ctx.in<std::uint64_t>(kGfnBase);
    const std::uint64_t limit = gfn_limit(s);
    if (base >= limit || limit - base <= index)
        return ctx.reject(RuleId::access_states_gfn_out_of_range, Site::input, kGfnBase, base);
    const std::uint64_t gfn = base + index;
    std::uint8_t bits = 0;
    if (p->gpa.at(gfn)) {
        if (auto a = p->access.at(gfn)) bits = a->bits;
        std::uint8_t next = bits;
        if (flags & kClearAccessed) next &= static_cast<std::uint8_t>(~kPageAccessed);
        if (flags & kSetAccessed) next |= kPageAccessed;
        if (flags & kClearDirty) next &= static_cast<std::uint8_t>(~kPageDirty);
        if (flags & kSetDirty) next |= kPageDirty;
        if (next != bits) {
            if (next == 0)
                p->access.erase(gfn, 1);
            else
                p->access.assign(gfn, 1, state::AccessBits{next});
        }
    }
    ctx.out<std::uint8_t>(ctx.rep_output_offset(index), bits);
    return Outcome::ok();
}

}  // namespace hvsim::calls
