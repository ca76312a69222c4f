// HvCallDisconnectPort: connection partition, connection id, is_doorbell bit (HVCALL
// issues it fast-16 with is_doorbell = 1). The connection's pages go back to its pool.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace F = fields::disconnect_port_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::connection_partition_id.offset, kConnId = F::connection_id.offset;
}

Outcome disconnect_port(CallContext& ctx) {
    using namespace ports;
    state::State& s = model(ctx);
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    if (auto o = check_id(ctx, kConnId)) return *o;
    if (auto o = check_zero(ctx, 12, ctx.in<std::uint32_t>(12), ~1ull)) return *o;  // bit 0 is_doorbell
    const std::uint32_t id = ctx.in<std::uint32_t>(kConnId) & ~kIdReserved;
    auto it = s.connections.find({p->id, id});
    if (it == s.connections.end()) return ctx.reject(RuleId::connection_unknown, Site::input, kConnId, id);
    s.connections.erase(it);
    p->fixed_used -= s.costs().port;
    return Outcome::ok();
}

}  // namespace hvsim::calls
