// Rule cases of the VP family: create/delete VP, registers, VP state and state pages, CPUID,
// translate virtual address.
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<CaseAnswer>;

bool simple_only(const CaseForm& v) { return v.fast || v.rep_start != 0; }
bool fast_or_memory(const CaseForm& v) { return v.rep_start != 0; }

constexpr std::uint32_t kRip = 0x00020010, kRflags = 0x00020011, kCr0 = 0x00040000, kVpIndexReg = 0x00090003;
constexpr std::uint32_t kLapic = 0x80000000, kTimers = 0x4;

// A simple memory call on an active partition with VPs 0 and 1; `build` fills the input.
template <class Build>
Opt simple_call(const CaseForm& v, CallId call, Build build) {
    if (simple_only(v)) return std::nullopt;
    Model md(v.strict);
    const auto id = md.with_vps(2);
    Bytes in = build(md, id);
    return capture(md.m, md.raw(call, in));
}

// A rep call whose first executed element is the variant's rep start.
template <class Header, class Element>
Opt rep_call(const CaseForm& v, CallId call, Header header, Element element) {
    if (v.fast) return std::nullopt;
    Model md(v.strict);
    const auto id = md.with_vps(2);
    Bytes in = header(id);
    for (std::uint32_t i = 0; i <= v.rep_start; ++i) element(in, i, i == v.rep_start);
    return capture(md.m, md.raw(call, in, v.rep_start + 1, v.rep_start));
}

Bytes get_regs_header(std::uint64_t id) { return Bytes{}.at(0, id).at(8, std::uint32_t{0}); }
auto name_at(std::uint32_t bad_name) {
    return [=](Bytes& in, std::uint32_t i, bool last) { in.at(16 + 4 * i, last ? bad_name : kRip); };
}
// A set element: name and value, reserved fields as given.
void assoc(Bytes& in, std::uint32_t i, std::uint32_t name, std::uint64_t value, std::uint32_t reserved1 = 0) {
    in.at(16 + 32 * i, name).at(20 + 32 * i, reserved1).at(32 + 32 * i, value);
}

}  // namespace

void add_vp_cases(const AddCase& add) {
    add(RuleId::vp_index_unknown, "delete VP 9, which was never created", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        const auto id = md.with_vps(1);
        return capture(
            md.m, v.fast ? md.fast(CallId::delete_vp, id, 9) : md.raw(CallId::delete_vp, Bytes{}.at(0, id).at(8, 9u)));
    });
    add(RuleId::vtl_reserved_bits, "get registers with input VTL bit 5 set", [](const CaseForm& v) {
        return rep_call(
            v, CallId::get_vp_registers,
            [](std::uint64_t id) { return get_regs_header(id).at(12, std::uint8_t{0x20}); }, name_at(kRip));
    });
    add(RuleId::vtl_not_supported, "get registers of VTL 1", [](const CaseForm& v) {
        return rep_call(
            v, CallId::get_vp_registers,
            [](std::uint64_t id) { return get_regs_header(id).at(12, std::uint8_t{0x11}); }, name_at(kRip));
    });
    auto create = [](const CaseForm& v, std::size_t offset, auto value, std::uint32_t index = 5) {
        return simple_call(v, CallId::create_vp,
                           [=](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(8, index).at(offset, value); });
    };
    add(RuleId::create_vp_index_out_of_range, "create VP 256",
        [=](const CaseForm& v) { return create(v, 8, 256u, 256); });
    add(RuleId::create_vp_exists, "create VP 0 twice", [=](const CaseForm& v) { return create(v, 8, 0u, 0); });
    add(RuleId::create_vp_padding_nonzero, "padding byte 12 non-zero",
        [=](const CaseForm& v) { return create(v, 12, std::uint8_t{1}); });
    add(RuleId::create_vp_subnode_invalid, "subnode type 4",
        [=](const CaseForm& v) { return create(v, 15, std::uint8_t{4}); });
    add(RuleId::create_vp_flags_reserved, "creation flags 1",
        [=](const CaseForm& v) { return create(v, 32, std::uint64_t{1}); });
    add(RuleId::create_vp_proximity_reserved, "proximity flags bit 1",
        [=](const CaseForm& v) { return create(v, 28, 2u); });
    add(RuleId::delete_vp_reserved_nonzero, "delete VP with bit 32 of the second qword set",
        [](const CaseForm& v) -> Opt {
            if (fast_or_memory(v)) return std::nullopt;
            Model md(v.strict);
            const auto id = md.with_vps(1);
            return capture(md.m, v.fast ? md.fast(CallId::delete_vp, id, 1ull << 32)
                                        : md.raw(CallId::delete_vp, Bytes{}.at(0, id).at(12, 1u)));
        });

    add(RuleId::vp_registers_reserved_nonzero, "get registers with rsvd_z8 set", [](const CaseForm& v) {
        return rep_call(
            v, CallId::get_vp_registers, [](std::uint64_t id) { return get_regs_header(id).at(13, std::uint8_t{1}); },
            name_at(kRip));
    });
    add(RuleId::vp_registers_name_unknown, "get register name 0x12345 at the rep start",
        [](const CaseForm& v) { return rep_call(v, CallId::get_vp_registers, get_regs_header, name_at(0x12345)); });
    add(RuleId::set_vp_registers_assoc_reserved, "set RIP with reserved1 non-zero", [](const CaseForm& v) {
        return rep_call(v, CallId::set_vp_registers, get_regs_header,
                        [](Bytes& in, std::uint32_t i, bool last) { assoc(in, i, kRip, 0x1000, last ? 1 : 0); });
    });
    add(RuleId::set_vp_registers_read_only, "set the VP index register", [](const CaseForm& v) {
        return rep_call(v, CallId::set_vp_registers, get_regs_header,
                        [](Bytes& in, std::uint32_t i, bool last) { assoc(in, i, last ? kVpIndexReg : kRip, 3); });
    });
    add(RuleId::set_vp_registers_value_invalid, "set RFLAGS with bit 1 clear", [](const CaseForm& v) {
        return rep_call(v, CallId::set_vp_registers, get_regs_header,
                        [](Bytes& in, std::uint32_t i, bool last) { assoc(in, i, last ? kRflags : kRip, 0); });
    });
    add(RuleId::set_vp_registers_nmi_notification, "ask for NMI-window notifications", [](const CaseForm& v) {
        return rep_call(v, CallId::set_vp_registers, get_regs_header, [](Bytes& in, std::uint32_t i, bool last) {
            assoc(in, i, last ? 0x00010006u : kRip, last ? 1 : 0x1000);
        });
    });

    auto state_call = [](const CaseForm& v, CallId call, std::uint32_t type, std::uint32_t varhead,
                         auto&& extra) -> Opt {
        if (simple_only(v)) return std::nullopt;
        Model md(v.strict);
        const auto id = md.with_vps(1);
        Bytes in = Bytes{}.at(0, id).at(16, type);
        extra(md, in);
        return capture(md.m, md.raw_varhead(call, in, varhead));
    };
    add(RuleId::vp_state_type_unknown, "get VP state type 5",
        [=](const CaseForm& v) { return state_call(v, CallId::get_vp_state, 5, 0, [](Model&, Bytes&) {}); });
    add(RuleId::vp_state_reserved_nonzero, "state data reserved word non-zero", [=](const CaseForm& v) {
        return state_call(v, CallId::get_vp_state, kTimers, 0, [](Model&, Bytes& in) { in.at(20, 1u); });
    });
    add(RuleId::vp_state_size_mismatch, "LAPIC state with no PFN",
        [=](const CaseForm& v) { return state_call(v, CallId::get_vp_state, kLapic, 0, [](Model&, Bytes&) {}); });
    add(RuleId::vp_state_pfn_invalid, "LAPIC state into a PFN beyond RAM", [=](const CaseForm& v) {
        return state_call(v, CallId::set_vp_state, kLapic, 1, [](Model&, Bytes& in) { in.at(40, kRam / 4096 + 5); });
    });

    auto state_page = [](const CaseForm& v, CallId call, std::size_t offset, auto value) {
        return simple_call(v, call, [=](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(offset, value); });
    };
    add(RuleId::vp_state_page_type_invalid, "map a GHCB page of a partition that is not SNP",
        [=](const CaseForm& v) { return state_page(v, CallId::map_vp_state_page, 12, std::uint16_t{2}); });
    add(RuleId::vp_state_page_reserved_nonzero, "map with flags bit 1",
        [=](const CaseForm& v) { return state_page(v, CallId::map_vp_state_page, 15, std::uint8_t{2}); });
    add(RuleId::vp_state_page_overlay_not_allowed, "map with map_location_provided",
        [=](const CaseForm& v) { return state_page(v, CallId::map_vp_state_page, 15, std::uint8_t{1}); });
    add(RuleId::unmap_vp_state_page_not_mapped, "unmap a register page never mapped",
        [=](const CaseForm& v) { return state_page(v, CallId::unmap_vp_state_page, 12, std::uint16_t{0}); });
    add(RuleId::get_vp_cpuid_values_reserved_nonzero, "CPUID flags bit 2", [](const CaseForm& v) {
        return rep_call(
            v, CallId::get_vp_cpuid_values, [](std::uint64_t id) { return Bytes{}.at(0, id).at(12, 4u); },
            [](Bytes& in, std::uint32_t i, bool) { in.at(24 + 24 * i, 0u); });
    });

    add(RuleId::translate_reserved_nonzero, "control flag bit 20", [](const CaseForm& v) {
        return simple_call(v, CallId::translate_virtual_address,
                           [](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(16, 1ull << 20); });
    });
    add(RuleId::translate_paging_mode, "CR0.PG set without PAE and long mode", [](const CaseForm& v) {
        return simple_call(v, CallId::translate_virtual_address, [](Model& md, std::uint64_t id) {
            Bytes set = get_regs_header(id);
            assoc(set, 0, kCr0, 0x80000011);
            REQUIRE(md.rep(CallId::set_vp_registers, set, 1).ok());
            return Bytes{}.at(0, id).at(16, std::uint64_t{1});
        });
    });
}

}  // namespace hvsim::test
