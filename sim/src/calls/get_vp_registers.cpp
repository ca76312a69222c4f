// HvCallGetVpRegisters (rep): partition id, VP index, input VTL, two reserved fields, then one
// 4-byte register name per element; each element's output is the 16-byte value (GDKMINI).
#include "calls.hpp"
#include "common.hpp"
#include "vp_registers.hpp"

namespace hvsim::calls {

namespace {

Outcome get_register(CallContext& ctx, const RegistersHeader& h, std::uint32_t index) {
    const auto offset = static_cast<std::uint32_t>(ctx.rep_input_offset(index));
    const auto name = ctx.in<std::uint32_t>(offset);
    const auto r = state::register_index(name);
    if (!r) return ctx.reject(RuleId::vp_registers_name_unknown, Site::input, offset, name);
    ctx.out<std::uint64_t>(ctx.rep_output_offset(index), h.vp->registers[*r].low);
    ctx.out<std::uint64_t>(ctx.rep_output_offset(index) + 8, h.vp->registers[*r].high);
    return Outcome::ok();
}

}  // namespace

constinit const Handler get_vp_registers = rep_handler<RegistersHeader, read_registers_header, get_register>();

}  // namespace hvsim::calls
