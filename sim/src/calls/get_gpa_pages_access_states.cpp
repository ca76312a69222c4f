// HvCallGetGpaPagesAccessStates (rep, 1-byte outputs): partition id, flags, base GFN
// (HDKMINI). Element i reports page base + i's accessed/dirty bits as they were, then applies the
// set/clear flags to them. Unmapped pages read as 0 and keep no bits.
#include <algorithm>

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

struct Header {
    Partition* p = nullptr;
    std::uint64_t flags = 0;
    std::uint64_t base = 0;
    std::uint64_t limit = 0;  // the GFN limit

    // A mapped page's bits after the call's set and clear flags.
    [[nodiscard]] std::uint8_t applied(std::uint8_t bits) const noexcept {
        if (flags & kClearAccessed) bits &= static_cast<std::uint8_t>(~kPageAccessed);
        if (flags & kSetAccessed) bits |= kPageAccessed;
        if (flags & kClearDirty) bits &= static_cast<std::uint8_t>(~kPageDirty);
        if (flags & kSetDirty) bits |= kPageDirty;
        return bits;
    }
};

Outcome read_header(CallContext& ctx, Header& h) {
    if (auto o = find_partition(ctx, kPartition, Target::child, h.p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *h.p, kPartition); !o.is_ok()) return o;
    h.flags = ctx.in<std::uint64_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::access_states_flags_reserved, kFlags, h.flags, ~kDefinedFlags)) return *o;
    if ((h.flags & (kClearAccessed | kSetAccessed)) == (kClearAccessed | kSetAccessed) ||
        (h.flags & (kClearDirty | kSetDirty)) == (kClearDirty | kSetDirty))
        return ctx.reject(RuleId::access_states_flags_conflict, Site::input, kFlags, h.flags);
    h.base = ctx.in<std::uint64_t>(kGfnBase);
    h.limit = gfn_limit(ctx.view());
    return Outcome::ok();
}

Outcome report_and_apply(CallContext& ctx, const Header& h, std::uint32_t index) {
    if (h.base >= h.limit || h.limit - h.base <= index)
        return ctx.reject(RuleId::access_states_gfn_out_of_range, Site::input, kGfnBase, h.base);
    const std::uint64_t gfn = h.base + index;
    Partition& p = *h.p;
    std::uint8_t bits = 0;
    if (p.gpa.at(gfn)) {
        if (auto a = p.access.at(gfn)) bits = a->bits;
        const std::uint8_t next = h.applied(bits);
        if (next != bits) {
            if (next == 0)
                p.access.erase(gfn, 1);
            else
                p.access.assign(gfn, 1, state::AccessBits{next});
        }
    }
    ctx.out<std::uint8_t>(ctx.rep_output_offset(index), bits);
    return Outcome::ok();
}

// The bulk form: every element below the GFN limit, extent by extent. Unmapped pages read 0;
// each mapped extent reports its pages' bits and then takes the flags, pieces of equal bits
// at a time, which is what the elements do page by page.
std::uint32_t report_and_apply_run(CallContext& ctx, const Header& h, std::uint32_t first, std::uint32_t count) {
    if (h.base >= h.limit || h.limit - h.base <= first) return 0;
    const std::uint64_t gfn = h.base + first;
    const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(count, h.limit - gfn));
    const auto out = ctx.out_bytes(ctx.rep_output_offset(first), n);
    std::fill(out.begin(), out.end(), std::byte{0});
    Partition& p = *h.p;
    p.gpa.for_each_in(gfn, n, [&](const auto& mapped) {
        p.access.for_each_in(mapped.start, mapped.count, [&](const auto& a) {
            std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(a.start - gfn), a.count,
                        static_cast<std::byte>(a.value.bits));
        });
        p.access.update(mapped.start, mapped.count,
                        [&](std::optional<state::AccessBits> old) -> std::optional<state::AccessBits> {
                            const std::uint8_t next = h.applied(old ? old->bits : std::uint8_t{0});
                            if (next == 0) return std::nullopt;
                            return state::AccessBits{next};
                        });
    });
    return n;
}

}  // namespace

constinit const Handler get_gpa_pages_access_states =
    rep_handler<Header, read_header, report_and_apply, report_and_apply_run>();

}  // namespace hvsim::calls
