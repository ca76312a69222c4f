// HvCallPostMessageDirect: partition id, VP index, VTL, padding, SINT index, a 256-byte
// hv_message, padding (HDK-3B, 280 bytes). The message lands in the VP's SIM slot for
// the SINT; a slot still holding a message (type non-zero) refuses it.
#include <cstring>

#include "calls.hpp"
#include "ports.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kVtl = 12, kPadding = 13, kSint = 16, kMessageOffset = 20,
                        kPadding2 = 276;
constexpr std::uint32_t kMessageType = kMessageOffset, kPayloadSize = kMessageOffset + 4;
constexpr std::uint32_t kMaxPayload = 240;
}  // namespace

Outcome post_message_direct(CallContext& ctx) {
    using namespace ports;
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    if (auto o = check_vtl_number(ctx, kVtl)) return *o;
    if (auto o =
            reserved(ctx, RuleId::post_message_reserved_nonzero, kPadding, ctx.in<std::uint32_t>(kVtl) >> 8, 0xFFFFFF))
        return *o;
    if (auto o = reserved(ctx, RuleId::post_message_reserved_nonzero, kPadding2, ctx.in<std::uint32_t>(kPadding2), ~0u))
        return *o;
    const auto sint = ctx.in<std::uint32_t>(kSint);
    if (auto o = check_sint(ctx, kSint, sint)) return *o;
    const auto type = ctx.in<std::uint32_t>(kMessageType);
    if (type == 0) return ctx.reject(RuleId::post_message_type_invalid, Site::input, kMessageType, type);
    const auto size = ctx.in<std::uint8_t>(kPayloadSize);
    if (size > kMaxPayload) return ctx.reject(RuleId::post_message_payload_too_large, Site::input, kPayloadSize, size);
    if (vp->message_type(sint) != 0)
        return ctx.reject(RuleId::post_message_slot_full, Site::input, kSint, sint, vp->message_type(sint));
    std::memcpy(vp->messages[sint].data(), ctx.in_bytes(kMessageOffset, state::kMessageBytes).data(),
                state::kMessageBytes);
    return Outcome::ok();
}

}  // namespace hvsim::calls
