// HvCallPostMessage: connection id, RsvdZ, message type, payload size, 240-byte payload (TLFS,
// 256 bytes). The root posts through one of its own connections to a message port; the message
// lands in the port's target VP's SIM slot for the port's SINT, with the port id as its sender
// (hv_message header, GDKMINI; the sender field's content is hvsim's reading). The model has
// one slot per SINT and no queue behind it, so a slot still holding a message refuses the post.
#include <cstring>

#include "calls.hpp"
#include "connections.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kConnection = 0, kReserved = 4, kType = 8, kPayloadSize = 12, kPayload = 16;
constexpr std::uint32_t kMaxPayload = 240;
constexpr std::uint32_t kHypervisorTypes = 0x80000000;
// hv_message (GDKMINI): type, payload size, flags, reserved, sender / port, payload.
constexpr std::size_t kMsgType = 0, kMsgSize = 4, kMsgPort = 8, kMsgPayload = 16;
}  // namespace

Outcome post_message(CallContext& ctx) {
    using namespace ports;
    if (auto o = check_id(ctx, kConnection)) return *o;
    if (auto o =
            reserved(ctx, RuleId::post_message_root_reserved_nonzero, kReserved, ctx.in<std::uint32_t>(kReserved), ~0u))
        return *o;
    const auto type = ctx.in<std::uint32_t>(kType);
    if (type == 0 || (type & kHypervisorTypes) != 0)
        return ctx.reject(RuleId::post_message_root_type_invalid, Site::input, kType, type, type & kHypervisorTypes);
    const auto size = ctx.in<std::uint32_t>(kPayloadSize);
    if (size > kMaxPayload)
        return ctx.reject(RuleId::post_message_root_payload_too_large, Site::input, kPayloadSize, size);
    Route r;
    if (auto o = route(ctx, kConnection, kMessage, RuleId::post_message_root_port_not_message, r); !o.is_ok()) return o;
    const std::uint32_t sint = r.port->target_sint;
    if (r.vp->message_type(sint) != 0)
        return ctx.reject(RuleId::post_message_slot_full, Site::input, kConnection, sint, r.vp->message_type(sint));
    state::Message& slot = r.vp->messages[sint];
    slot.fill(std::byte{0});
    std::memcpy(slot.data() + kMsgType, &type, 4);
    slot[kMsgSize] = static_cast<std::byte>(size);
    std::memcpy(slot.data() + kMsgPort, &r.port_id, 4);
    std::memcpy(slot.data() + kMsgPayload, ctx.in_bytes(kPayload, size).data(), size);  // only the first n bytes travel
    return Outcome::ok();
}

}  // namespace hvsim::calls
