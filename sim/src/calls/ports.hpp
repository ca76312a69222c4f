// What the port calls share (GDKMINI, GDK, HDK): port types, id fields (24-bit ids, bits 24-31
// reserved), and the VTL numbers the model allows.
#pragma once

#include "common.hpp"

namespace hvsim::calls::ports {

inline constexpr std::uint32_t kMessage = 1, kEvent = 2, kMonitor = 3, kDoorbell = 4;
inline constexpr std::uint32_t kIdReserved = 0xFF000000;
inline constexpr std::uint32_t kAnyVp = 0xFFFFFFFF;  // HV_ANY_VP

// A port or connection id field: the reserved high byte is a violation.
[[nodiscard]] inline std::optional<Outcome> check_id(CallContext& ctx, std::uint32_t offset) noexcept {
    return reserved(ctx, RuleId::port_reserved_nonzero, offset, ctx.in<std::uint32_t>(offset), kIdReserved);
}

// A plain VTL number (not an hv_input_vtl byte): only 0 exists.
[[nodiscard]] inline std::optional<Outcome> check_vtl_number(CallContext& ctx, std::uint32_t offset) noexcept {
    const auto vtl = ctx.in<std::uint8_t>(offset);
    if (vtl != 0) return ctx.reject(RuleId::vtl_not_supported, Site::input, offset, vtl);
    return std::nullopt;
}

[[nodiscard]] inline std::optional<Outcome> check_sint(CallContext& ctx, std::uint32_t offset,
                                                       std::uint32_t sint) noexcept {
    if (sint >= state::kSints) return ctx.reject(RuleId::synic_sint_invalid, Site::input, offset, sint);
    return std::nullopt;
}

[[nodiscard]] inline std::optional<Outcome> check_zero(CallContext& ctx, std::uint32_t offset, std::uint64_t value,
                                                       std::uint64_t mask = ~0ull) noexcept {
    return reserved(ctx, RuleId::port_reserved_nonzero, offset, value, mask);
}

}  // namespace hvsim::calls::ports
