// HvCallDisconnectPort: connection partition, connection id, is_doorbell bit (HVCALL
// issues it fast-16 with is_doorbell = 1). The connection's pages go back to its pool.
#include "calls.hpp"
#include "ports.hpp"

namespace hvsim::calls {

Outcome disconnect_port(CallContext& ctx) {
    using namespace ports;
    state::State& s = model(ctx);
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, 0, Target::any, p); !o.is_ok()) return o;
    if (auto o = check_id(ctx, 8)) return *o;
    if (auto o = check_zero(ctx, 12, ctx.in<std::uint32_t>(12), ~1ull)) return *o;  // bit 0 is_doorbell
    const std::uint32_t id = ctx.in<std::uint32_t>(8) & ~kIdReserved;
    auto it = s.connections.find({p->id, id});
    if (it == s.connections.end()) return ctx.reject(RuleId::connection_unknown, Site::input, 8, id);
    s.connections.erase(it);
    p->fixed_used -= s.costs().port;
    return Outcome::ok();
}

}  // namespace hvsim::calls
