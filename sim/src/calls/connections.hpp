// What post message and signal event share (TLFS HvCallPostMessage / HvCallSignalEvent): the
// root's own connection named by id, the port it leads to, and the VP that port targets.
#pragma once

#include "ports.hpp"

namespace hvsim::calls::ports {

struct Route {
    const state::Port* port = nullptr;
    std::uint32_t port_id = 0;
    state::Vp* vp = nullptr;
};

// The caller is the root, so the connection is keyed (root, id). Finalizing or deleting the
// port's partition, and deleting the port, take its connections with it (State::finalize,
// delete_port), so a connection always leads to an existing port of an active partition.
[[nodiscard]] inline Outcome route(CallContext& ctx, std::uint32_t offset, std::uint32_t type, EnforcedRule wrong_type,
                                   Route& r) noexcept {
    state::State& s = model(ctx);
    const std::uint32_t id = ctx.in<std::uint32_t>(offset) & ~kIdReserved;
    const auto c = s.connections.find({s.root_id(), id});
    if (c == s.connections.end()) return ctx.reject(RuleId::connection_unknown, Site::input, offset, id);
    const state::Port& port = s.ports.find({c->second.port_partition, c->second.port_id})->second;
    if (port.type != type) return ctx.reject(wrong_type, Site::input, offset, port.type);
    Partition& p = *s.find(c->second.port_partition);
    // HV_ANY_VP: the model picks the lowest-numbered VP (the choice among several is hvsim's).
    const auto vp = port.target_vp == kAnyVp ? p.vps.begin() : p.vps.find(port.target_vp);
    if (vp == p.vps.end()) return ctx.reject(RuleId::connection_target_vp_missing, Site::input, offset, port.target_vp);
    r = {&port, c->second.port_id, &vp->second};
    return Outcome::ok();
}

}  // namespace hvsim::calls::ports
