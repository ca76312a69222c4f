// HvCallConnectPort: connection partition, connection id, connection VTL, reserved, port
// partition, port id, reserved, 32-byte connection info, proximity (HDK, 72 bytes). The
// connection partition's pool pays Costs::port (HVCALL deposits into it on retry).
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace F = fields::connect_port_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kConnPartition = F::connection_partition_id.offset, kConnId = F::connection_id.offset,
                        kConnVtl = F::connection_vtl.offset, kRsvd0 = F::rsvdz0.offset, kRsvd1 = F::rsvdz1.offset;
constexpr std::uint32_t kPortPartition = F::port_partition_id.offset, kPortId = F::port_id.offset,
                        kRsvd2 = F::reserved2.offset;
constexpr std::uint32_t kType = F::port_type.offset, kInfoPadding = F::info_padding.offset;
constexpr std::uint32_t kInfo = F::message_rsvdz.offset;
}  // namespace

Outcome connect_port(CallContext& ctx) {
    using namespace ports;
    state::State& s = model(ctx);
    Partition* conn_p = nullptr;
    Partition* port_p = nullptr;
    if (auto o = find_partition(ctx, kConnPartition, Target::any, conn_p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *conn_p, kConnPartition); !o.is_ok()) return o;
    if (auto o = find_partition(ctx, kPortPartition, Target::any, port_p); !o.is_ok()) return o;
    if (auto o = check_id(ctx, kConnId)) return *o;
    if (auto o = check_vtl_number(ctx, kConnVtl)) return *o;
    if (auto o = check_zero(ctx, kRsvd0, ctx.in<std::uint8_t>(kRsvd0))) return *o;
    if (auto o = check_zero(ctx, kRsvd1, ctx.in<std::uint16_t>(kRsvd1))) return *o;
    if (auto o = check_id(ctx, kPortId)) return *o;
    if (auto o = check_zero(ctx, kRsvd2, ctx.in<std::uint32_t>(kRsvd2))) return *o;
    if (auto o = check_zero(ctx, kInfoPadding, ctx.in<std::uint32_t>(kInfoPadding))) return *o;
    const std::uint32_t port_id = ctx.in<std::uint32_t>(kPortId) & ~kIdReserved;
    auto port = s.ports.find({port_p->id, port_id});
    if (port == s.ports.end()) return ctx.reject(RuleId::port_unknown, Site::input, kPortId, port_id);
    const auto type = ctx.in<std::uint32_t>(kType);
    if (type != port->second.type) return ctx.reject(RuleId::port_type_invalid, Site::input, kType, type);
    if (type == kMessage || type == kEvent)  // their info is a single reserved qword
        if (auto o = check_zero(ctx, kInfo, ctx.in<std::uint64_t>(kInfo))) return *o;
    const std::uint32_t id = ctx.in<std::uint32_t>(kConnId) & ~kIdReserved;
    if (s.connections.count({conn_p->id, id}) != 0)
        return ctx.reject(RuleId::connect_port_exists, Site::input, kConnId, id);
    if (auto o = can_allocate(ctx, *conn_p, s.costs().port, kConnPartition); !o.is_ok()) return o;
    s.connections.emplace(std::pair{conn_p->id, id}, state::Connection{port_p->id, port_id});
    conn_p->fixed_used += s.costs().port;
    return Outcome::ok();
}

}  // namespace hvsim::calls
