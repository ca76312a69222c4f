// HvCallAssertVirtualInterrupt: partition id, interrupt control, destination (APIC id), vector,
// target VTL, reserved (HDK, 32 bytes). The model's APIC ids are the VP indices; logical
// destinations are flat (bit i names VP i). Fixed and lowest-priority interrupts become pending
// vectors (level-triggered ones marked so clear_virtual_interrupt can take them back); NMIs
// count; other types are accepted and not modelled further.
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::assert_virtual_interrupt_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kType = F::interrupt_type.offset,
                        kControlHigh = kType + 4,  // the control union's flag bits
    kDest = F::dest_addr.offset, kVector = F::vector.offset, kVtl = F::target_vtl.offset, kRsvd0 = F::rsvd_z0.offset;
constexpr std::uint32_t kFixed = 0, kLowestPriority = 1, kNmi = 4, kTypeMaximum = 0xA;
constexpr std::uint32_t kLevelTriggered = 0x1, kLogicalDest = 0x2, kControlReserved = ~0x3u;
constexpr std::uint64_t kBroadcastXapic = 0xFF, kBroadcastX2apic = 0xFFFFFFFF;
constexpr std::uint32_t kFirstUsableVector = 16, kVectors = 256;

bool addressed(const state::Vp& vp, std::uint64_t dest, bool logical) {
    if (logical) return vp.index < 32 && ((dest >> vp.index) & 1) != 0;
    return dest == kBroadcastXapic || dest == kBroadcastX2apic || dest == vp.index;
}
}  // namespace

Outcome assert_virtual_interrupt(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::child, p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *p, kPartition); !o.is_ok()) return o;
    const auto type = ctx.in<std::uint32_t>(kType);
    if (type >= kTypeMaximum) return ctx.reject(RuleId::assert_interrupt_type_invalid, Site::input, kType, type);
    const auto control = ctx.in<std::uint32_t>(kControlHigh);
    if (auto o = reserved(ctx, RuleId::assert_interrupt_control_reserved, kControlHigh, control, kControlReserved))
        return *o;
    const auto vtl = ctx.in<std::uint8_t>(kVtl);
    if (vtl != 0) return ctx.reject(RuleId::vtl_not_supported, Site::input, kVtl, vtl);
    const std::uint32_t rsvd = ctx.in<std::uint32_t>(kVtl) >> 8;
    if (auto o = reserved(ctx, RuleId::assert_interrupt_reserved_nonzero, kRsvd0, rsvd, 0xFFFFFF)) return *o;
    const auto vector = ctx.in<std::uint32_t>(kVector);
    const bool fixed = type == kFixed || type == kLowestPriority;
    if (vector >= kVectors || (fixed && vector < kFirstUsableVector))
        return ctx.reject(RuleId::assert_interrupt_vector_invalid, Site::input, kVector, vector);
    const auto dest = ctx.in<std::uint64_t>(kDest);
    const bool logical = (control & kLogicalDest) != 0;
    const bool level = (control & kLevelTriggered) != 0;
    bool any = false;
    for (auto& [index, vp] : p->vps) {
        if (!addressed(vp, dest, logical)) continue;
        any = true;
        if (type == kNmi) ++vp.nmi_pending;
        if (fixed) {
            vp.pending[vector / 64] |= 1ull << (vector % 64);
            if (level) vp.level[vector / 64] |= 1ull << (vector % 64);
        }
        if (type == kLowestPriority) break;  // one VP of the set takes it: the lowest index here
    }
    if (!any) return ctx.reject(RuleId::assert_interrupt_destination_unknown, Site::input, kDest, dest);
    return Outcome::ok();
}

}  // namespace hvsim::calls
