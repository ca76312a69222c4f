// HvCallSetVpRegisters (rep): the get header, then one 32-byte hv_register_assoc per element:
// name, reserved1, reserved2, 16-byte value (GDKMINI).
#include "calls.hpp"
#include "common.hpp"
#include "hvsim/fields.hpp"
#include "vp_registers.hpp"

namespace hvsim::calls {

namespace F = fields::set_vp_registers_assoc;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kName = F::name.offset, kReserved1 = F::reserved1.offset, kReserved2 = F::reserved2.offset,
                        kValue = F::value.offset;

Outcome set_register(CallContext& ctx, const RegistersHeader& h, std::uint32_t index) {
    const auto offset = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const auto name = ctx.in<std::uint32_t>(offset + kName);
    const auto r = state::register_index(name);
    if (!r) return ctx.reject(RuleId::vp_registers_name_unknown, Site::input, offset + kName, name);
    if (auto o = reserved(ctx, RuleId::set_vp_registers_assoc_reserved, offset + kReserved1,
                          ctx.in<std::uint32_t>(offset + kReserved1), ~0u))
        return *o;
    if (auto o = reserved(ctx, RuleId::set_vp_registers_assoc_reserved, offset + kReserved2,
                          ctx.in<std::uint64_t>(offset + kReserved2), ~0ull))
        return *o;
    const state::RegisterInfo& info = state::kRegisters[*r];
    if (!info.writable) return ctx.reject(RuleId::set_vp_registers_read_only, Site::input, offset + kName, name);
    const state::RegisterValue v{ctx.in<std::uint64_t>(offset + kValue), ctx.in<std::uint64_t>(offset + kValue + 8)};
    // A 64-bit register's high qword is reserved with it; a wide one takes all 16 bytes.
    if ((v.low & info.reserved) != 0 || (v.low & info.must_be_one) != info.must_be_one || (v.high != 0 && !info.wide))
        return ctx.reject(RuleId::set_vp_registers_value_invalid, Site::input, offset + kValue, v.low,
                          (v.low & info.reserved) | (~v.low & info.must_be_one));
    if (name == state::reg::deliverability_notifications && (v.low & 1) != 0)
        return ctx.reject(RuleId::set_vp_registers_nmi_notification, Site::input, offset + kValue, v.low, 1);
    h.vp->registers[*r] = v;
    show_register_change(ctx, *h.vp, name);
    return Outcome::ok();
}

}  // namespace

constinit const Handler set_vp_registers = rep_handler<RegistersHeader, read_registers_header, set_register>();

}  // namespace hvsim::calls
