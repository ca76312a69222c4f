// Rule cases of the interrupt, intercept, port, message and stats-page calls.
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<CaseAnswer>;

bool simple_only(const CaseForm& v) { return v.fast || v.rep_start != 0; }
bool fast_or_memory(const CaseForm& v) { return v.rep_start != 0; }

// A simple memory call on an active partition with VPs 0 and 1; `build` fills the input.
template <class Build>
Opt simple_call(const CaseForm& v, CallId call, Build build) {
    if (simple_only(v)) return std::nullopt;
    Model md(v.strict);
    const auto id = md.with_vps(2);
    Bytes in = build(md, id);
    return capture(md.m, md.raw(call, in));
}

// A fast-16 call in the fast variants, the same 16 bytes as a memory call otherwise.
template <class Build>
Opt fast16_call(const CaseForm& v, CallId call, Build build) {
    if (fast_or_memory(v)) return std::nullopt;
    Model md(v.strict);
    const auto id = md.with_vps(2);
    const auto [rdx, r8] = build(md, id);
    return capture(md.m, v.fast ? md.fast(call, rdx, r8) : md.raw(call, Bytes{}.at(0, rdx).at(8, r8)));
}

Bytes interrupt(std::uint64_t id, std::uint32_t type, std::uint64_t dest, std::uint32_t vector) {
    return Bytes{}.at(0, id).at(8, type).at(16, dest).at(24, vector);
}

// Port 5 of the root, message type, targeting the child's SINT 2: the root pays its cost.
Bytes port_input(std::uint64_t child, std::uint32_t type = 1) {
    return Bytes{}.at(0, kSelf).at(8, 5u).at(16, child).at(24, type).at(32, 2u);
}
Bytes connect_input(std::uint64_t child, std::uint32_t type = 1) {
    return Bytes{}.at(0, child).at(8, 7u).at(16, kSelf).at(24, 5u).at(32, type);
}
void make_port(Model& md, std::uint64_t child) {
    md.deposit(kSelf, 4);
    REQUIRE(md.raw(CallId::create_port, port_input(child)).ok());
}

Bytes post(std::uint64_t id, std::uint32_t type, std::uint8_t size) {
    return Bytes{}.at(0, id).at(16, 1u).at(20, type).at(24, size);
}

}  // namespace

void add_synic_cases(const AddCase& add) {
    add(RuleId::assert_interrupt_type_invalid, "interrupt type 0xA (MAXIMUM)", [](const CaseForm& v) {
        return simple_call(v, CallId::assert_virtual_interrupt,
                           [](Model&, std::uint64_t id) { return interrupt(id, 0xA, 0, 0x30); });
    });
    add(RuleId::assert_interrupt_control_reserved, "control bit 34", [](const CaseForm& v) {
        return simple_call(v, CallId::assert_virtual_interrupt,
                           [](Model&, std::uint64_t id) { return interrupt(id, 0, 0, 0x30).at(12, 4u); });
    });
    add(RuleId::assert_interrupt_reserved_nonzero, "rsvd_z0 non-zero", [](const CaseForm& v) {
        return simple_call(v, CallId::assert_virtual_interrupt,
                           [](Model&, std::uint64_t id) { return interrupt(id, 0, 0, 0x30).at(29, std::uint8_t{1}); });
    });
    add(RuleId::assert_interrupt_vector_invalid, "fixed interrupt with vector 5", [](const CaseForm& v) {
        return simple_call(v, CallId::assert_virtual_interrupt,
                           [](Model&, std::uint64_t id) { return interrupt(id, 0, 0, 5); });
    });
    add(RuleId::assert_interrupt_destination_unknown, "physical destination 7 with VPs 0 and 1", [](const CaseForm& v) {
        return simple_call(v, CallId::assert_virtual_interrupt,
                           [](Model&, std::uint64_t id) { return interrupt(id, 0, 7, 0x30); });
    });

    add(RuleId::install_intercept_type_invalid, "intercept type 4 (RESERVED0)", [](const CaseForm& v) {
        return simple_call(v, CallId::install_intercept,
                           [](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(8, 1u).at(12, 4u); });
    });
    add(RuleId::install_intercept_access_reserved, "access type bit 3", [](const CaseForm& v) {
        return simple_call(v, CallId::install_intercept,
                           [](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(8, 8u); });
    });
    add(RuleId::install_intercept_parameter_reserved, "I/O port parameter above 16 bits", [](const CaseForm& v) {
        return simple_call(v, CallId::install_intercept, [](Model&, std::uint64_t id) {
            return Bytes{}.at(0, id).at(8, 1u).at(16, std::uint64_t{0x10000});
        });
    });
    add(RuleId::register_intercept_result_type_invalid, "result for an I/O port intercept", [](const CaseForm& v) {
        return simple_call(v, CallId::register_intercept_result,
                           [](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(12, 0u); });
    });
    add(RuleId::register_intercept_result_reserved_nonzero, "CPUID result with padding non-zero",
        [](const CaseForm& v) {
            return simple_call(v, CallId::register_intercept_result, [](Model&, std::uint64_t id) {
                return Bytes{}.at(0, id).at(12, 2u).at(26, std::uint16_t{1});
            });
        });

    add(RuleId::synic_sint_invalid, "notify ring empty for SINT 16", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return capture(md.m, v.fast ? md.fast(CallId::notify_port_ring_empty, 16)
                                    : md.raw(CallId::notify_port_ring_empty, Bytes{}.at(0, 16u)));
    });
    add(RuleId::port_reserved_nonzero, "notify ring empty with the reserved word set", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return capture(md.m, v.fast ? md.fast(CallId::notify_port_ring_empty, 1ull << 32)
                                    : md.raw(CallId::notify_port_ring_empty, Bytes{}.at(4, 1u)));
    });
    add(RuleId::port_type_invalid, "port type 5", [](const CaseForm& v) {
        return simple_call(v, CallId::create_port, [](Model& md, std::uint64_t id) {
            md.deposit(kSelf, 4);
            return port_input(id, 5);
        });
    });
    add(RuleId::port_flags_out_of_range, "event port flags 2000 + 100", [](const CaseForm& v) {
        return simple_call(v, CallId::create_port, [](Model& md, std::uint64_t id) {
            md.deposit(kSelf, 4);
            return port_input(id, 2).at(40, std::uint16_t{2000}).at(42, std::uint16_t{100});
        });
    });
    add(RuleId::create_port_exists, "create port 5 twice", [](const CaseForm& v) {
        return simple_call(v, CallId::create_port, [](Model& md, std::uint64_t id) {
            make_port(md, id);
            return port_input(id);
        });
    });
    add(RuleId::port_unknown, "delete port 9, never created", [](const CaseForm& v) {
        return fast16_call(v, CallId::delete_port, [](Model&, std::uint64_t) {
            return std::pair{kSelf, std::uint64_t{9}};
        });
    });
    add(RuleId::connect_port_exists, "connect connection 7 twice", [](const CaseForm& v) {
        return simple_call(v, CallId::connect_port, [](Model& md, std::uint64_t id) {
            make_port(md, id);
            REQUIRE(md.raw(CallId::connect_port, connect_input(id)).ok());
            return connect_input(id);
        });
    });
    add(RuleId::connection_unknown, "disconnect connection 9, never connected", [](const CaseForm& v) {
        return fast16_call(v, CallId::disconnect_port, [](Model&, std::uint64_t id) {
            return std::pair{id, std::uint64_t{9}};
        });
    });
    add(RuleId::signal_event_flag_out_of_range, "signal flag 2048", [](const CaseForm& v) {
        return simple_call(v, CallId::signal_event_direct,
                           [](Model&, std::uint64_t id) { return Bytes{}.at(0, id).at(14, std::uint16_t{2048}); });
    });
    add(RuleId::post_message_reserved_nonzero, "padding byte 13 non-zero", [](const CaseForm& v) {
        return simple_call(v, CallId::post_message_direct,
                           [](Model&, std::uint64_t id) { return post(id, 1, 8).at(13, std::uint8_t{1}); });
    });
    add(RuleId::post_message_payload_too_large, "payload size 241", [](const CaseForm& v) {
        return simple_call(v, CallId::post_message_direct, [](Model&, std::uint64_t id) { return post(id, 1, 241); });
    });
    add(RuleId::post_message_type_invalid, "message type 0", [](const CaseForm& v) {
        return simple_call(v, CallId::post_message_direct, [](Model&, std::uint64_t id) { return post(id, 0, 8); });
    });
    add(RuleId::post_message_slot_full, "post twice to the same SINT", [](const CaseForm& v) {
        return simple_call(v, CallId::post_message_direct, [](Model& md, std::uint64_t id) {
            REQUIRE(md.raw(CallId::post_message_direct, post(id, 1, 8)).ok());
            return post(id, 2, 8);
        });
    });

    add(RuleId::stats_page_type_invalid, "stats type 3", [](const CaseForm& v) {
        return simple_call(v, CallId::map_stats_page, [](Model&, std::uint64_t) { return Bytes{}.at(0, 3u); });
    });
    add(RuleId::stats_page_reserved_nonzero, "hypervisor stats with padding non-zero", [](const CaseForm& v) {
        return simple_call(v, CallId::map_stats_page,
                           [](Model&, std::uint64_t) { return Bytes{}.at(0, 1u).at(4, 1u); });
    });
    add(RuleId::stats_page_lp_invalid, "LP stats of LP 99", [](const CaseForm& v) {
        return simple_call(v, CallId::map_stats_page,
                           [](Model&, std::uint64_t) { return Bytes{}.at(0, 2u).at(8, 99u); });
    });
    add(RuleId::unmap_stats_page_not_mapped, "unmap hypervisor stats never mapped", [](const CaseForm& v) {
        return simple_call(v, CallId::unmap_stats_page, [](Model&, std::uint64_t) { return Bytes{}.at(0, 1u); });
    });
}

}  // namespace hvsim::test
