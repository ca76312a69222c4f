// HvCallCreatePartition: 56-byte input (HDK-2B, two feature banks), output the new
// partition's id. The creating (root) partition's pool pays for it (HVCALL deposits into it).
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::create_partition_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kFlags = F::flags.offset;
constexpr std::uint32_t kProximityFlags =
    F::proximity_flags.offset;  // hv_proximity_domain_info at 8: domain id, then flags
constexpr std::uint32_t kPadding = F::padding.offset;
constexpr std::uint32_t kBank0 = F::disabled_processor_features.offset, kBank1 = kBank0 + 8;  // its two u64 banks
constexpr std::uint32_t kXsave = F::disabled_processor_xsave_features.offset;
constexpr std::uint32_t kIsolation = F::isolation_properties.offset;

// Bits 0, 1, 4, 8, 13, 19, 22 (HDK-2B, HDK-3B).
constexpr std::uint64_t kDefinedFlags = 0x1 | 0x2 | 0x10 | 0x100 | 0x2000 | 0x80000 | 0x400000;
constexpr std::uint64_t kBank0Reserved = 1ull << 63;
constexpr std::uint64_t kBank1Reserved = ~((1ull << 22) - 1);
constexpr std::uint64_t kXsaveReserved = ~((1ull << 38) - 1);
constexpr std::uint64_t kIsolationReserved = 0xF80;  // bits 7-11
}  // namespace

Outcome create_partition(CallContext& ctx) {
    const auto flags = ctx.in<std::uint64_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::create_partition_flags_reserved, kFlags, flags, ~kDefinedFlags)) return *o;
    if (auto o = check_proximity_flags(ctx, RuleId::create_partition_proximity_reserved, kProximityFlags)) return *o;
    if (auto o =
            reserved(ctx, RuleId::create_partition_padding_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    for (auto [offset, mask] : {std::pair{kBank0, kBank0Reserved}, {kBank1, kBank1Reserved}, {kXsave, kXsaveReserved}})
        if (auto o =
                reserved(ctx, RuleId::create_partition_features_reserved, offset, ctx.in<std::uint64_t>(offset), mask))
            return *o;
    const auto isolation = ctx.in<std::uint64_t>(kIsolation);
    const std::uint64_t type = isolation_type(isolation);
    if ((type != 0 && type != kIsolationSnp && type != kIsolationTdx) || isolation_host_type(isolation) > 1)
        return ctx.reject(RuleId::create_partition_isolation_invalid, Site::input, kIsolation, isolation,
                          isolation & (kIsolationTypeMask | kIsolationHostTypeMask << kIsolationHostTypeShift));
    if (auto o = reserved(ctx, RuleId::create_partition_isolation_reserved, kIsolation, isolation, kIsolationReserved))
        return *o;

    if (auto o = can_allocate(ctx, model(ctx).root(), model(ctx).costs().create_partition, kFlags); !o.is_ok())
        return o;
    Partition& p = model(ctx).create(flags, isolation);
    p.disabled_features = {ctx.in<std::uint64_t>(kBank0), ctx.in<std::uint64_t>(kBank1), ctx.in<std::uint64_t>(kXsave)};
    ctx.out<std::uint64_t>(0, p.id);
    return Outcome::ok();
}

}  // namespace hvsim::calls
