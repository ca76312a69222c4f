// HvCallDeletePort: port partition, port id, reserved (HVCALL issues it fast-16).
// Connections to the port go with it, and every freed object's pages go back to its pool.
#include "calls.hpp"
#include "hvsim/fields.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace F = fields::delete_port_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::port_partition_id.offset, kPortId = F::port_id.offset;
constexpr std::uint32_t kReserved = F::reserved.offset;
}  // namespace

Outcome delete_port(CallContext& ctx) {
    using namespace ports;
    state::State& s = model(ctx);
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    if (auto o = check_id(ctx, kPortId)) return *o;
    if (auto o = check_zero(ctx, kReserved, ctx.in<std::uint32_t>(kReserved))) return *o;
    const std::uint32_t id = ctx.in<std::uint32_t>(kPortId) & ~kIdReserved;
    auto it = s.ports.find({p->id, id});
    if (it == s.ports.end()) return ctx.reject(RuleId::port_unknown, Site::input, kPortId, id);
    std::erase_if(s.connections, [&](const auto& e) {
        if (e.second.port_partition != p->id || e.second.port_id != id) return false;
        if (Partition* c = s.find(e.first.first)) c->fixed_used -= s.costs().port;
        return true;
    });
    s.ports.erase(it);
    p->fixed_used -= s.costs().port;
    return Outcome::ok();
}

}  // namespace hvsim::calls
