// HvCallCreatePort: port partition, port id, port VTL, minimum connection VTL, padding,
// connection partition, 24-byte port info, proximity (HDK, 56 bytes). The port
// partition's pool pays Costs::port (HVCALL deposits into it on retry).
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace F = fields::create_port_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPortPartition = F::port_partition_id.offset, kPortId = F::port_id.offset;
constexpr std::uint32_t kPortVtl = F::port_vtl.offset, kMinVtl = F::min_connection_vtl.offset,
                        kPadding = F::padding.offset;
constexpr std::uint32_t kConnectionPartition = F::connection_partition_id.offset, kType = F::port_type.offset,
                        kInfoPadding = F::info_padding.offset;
constexpr std::uint32_t kSint = F::target_sint.offset, kTargetVp = F::target_vp.offset;
constexpr std::uint32_t kMessageRsvd = F::message_rsvdz.offset;
constexpr std::uint32_t kBaseFlag = F::base_flag_number.offset, kFlagCount = F::flag_count.offset,
                        kEventRsvd = F::event_rsvdz.offset, kMonitorRsvd = F::monitor_rsvdz.offset;
}  // namespace

Outcome create_port(CallContext& ctx) {
    using namespace ports;
    state::State& s = model(ctx);
    Partition* port_p = nullptr;
    Partition* conn_p = nullptr;
    if (auto o = find_partition(ctx, kPortPartition, Target::any, port_p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *port_p, kPortPartition); !o.is_ok()) return o;
    if (auto o = find_partition(ctx, kConnectionPartition, Target::any, conn_p); !o.is_ok()) return o;
    if (auto o = check_id(ctx, kPortId)) return *o;
    if (auto o = check_vtl_number(ctx, kPortVtl)) return *o;
    if (auto o = check_vtl_number(ctx, kMinVtl)) return *o;
    if (auto o = check_zero(ctx, kPadding, ctx.in<std::uint16_t>(kPadding))) return *o;
    const auto type = ctx.in<std::uint32_t>(kType);
    if (type < kMessage || type > kDoorbell) return ctx.reject(RuleId::port_type_invalid, Site::input, kType, type);
    if (auto o = check_zero(ctx, kInfoPadding, ctx.in<std::uint32_t>(kInfoPadding))) return *o;
    state::Port port{type, conn_p->id, 0, 0, 0, 0};
    if (type == kMonitor) {
        if (auto o = check_zero(ctx, kMonitorRsvd, ctx.in<std::uint64_t>(kMonitorRsvd))) return *o;
    } else {
        port.target_sint = ctx.in<std::uint32_t>(kSint);
        port.target_vp = ctx.in<std::uint32_t>(kTargetVp);
        if (auto o = check_sint(ctx, kSint, port.target_sint)) return *o;
        // The root's own processors are not modelled: only a child's target VP is checked.
        if (!port_p->is_root(s.root_id()) && port.target_vp != kAnyVp && port_p->vps.count(port.target_vp) == 0)
            return ctx.reject(RuleId::vp_index_unknown, Site::input, kTargetVp, port.target_vp);
        if (type == kEvent) {
            port.base_flag = ctx.in<std::uint16_t>(kBaseFlag);
            port.flag_count = ctx.in<std::uint16_t>(kFlagCount);
            if (std::uint32_t{port.base_flag} + port.flag_count > state::kEventFlags)
                return ctx.reject(RuleId::port_flags_out_of_range, Site::input, kBaseFlag, port.base_flag);
            if (auto o = check_zero(ctx, kEventRsvd, ctx.in<std::uint32_t>(kEventRsvd))) return *o;
        } else if (auto o = check_zero(ctx, kMessageRsvd, ctx.in<std::uint64_t>(kMessageRsvd))) {
            return *o;
        }
    }
    const std::uint32_t id = ctx.in<std::uint32_t>(kPortId) & ~kIdReserved;
    if (s.ports.count({port_p->id, id}) != 0) return ctx.reject(RuleId::create_port_exists, Site::input, kPortId, id);
    if (auto o = can_allocate(ctx, *port_p, s.costs().port, kPortPartition); !o.is_ok()) return o;
    s.ports.emplace(std::pair{port_p->id, id}, port);
    port_p->fixed_used += s.costs().port;
    return Outcome::ok();
}

}  // namespace hvsim::calls
