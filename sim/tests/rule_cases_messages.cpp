// Rule cases of the root-issued message calls (post message, signal event through the root's
// own connections) and of guest memory access (read GPA, write GPA).
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<CaseAnswer>;

constexpr std::uint32_t kMessagePort = 1, kEventPort = 2, kAnyVp = 0xFFFFFFFF;

bool memory_only(const CaseForm& v) { return v.fast || v.rep_start != 0; }

// The child's port 3 (SINT 2, target VP `target`; an event port has flags 8..8+count) and the
// root's connection 9 to it. Both sides pay one pool page.
void connect_root(Model& md, std::uint64_t child, std::uint32_t type, std::uint32_t target = 1,
                  std::uint16_t count = 4) {
    Bytes port = Bytes{}.at(0, child).at(8, 3u).at(16, kSelf).at(24, type).at(32, 2u).at(36, target);
    if (type == kEventPort) port.at(40, std::uint16_t{8}).at(42, count);
    REQUIRE(md.raw(CallId::create_port, port).ok());
    md.deposit(kSelf, 4);
    REQUIRE(md.raw(CallId::connect_port, Bytes{}.at(0, kSelf).at(8, 9u).at(16, child).at(24, 3u).at(32, type)).ok());
}

Bytes message(std::uint32_t type, std::uint32_t size) { return Bytes{}.at(0, 9u).at(8, type).at(12, size); }

// Post message on connection 9 to a child with VPs 0 and 1 behind a port of `port_type`.
template <class Build>
Opt post(const CaseForm& v, std::uint32_t port_type, Build build) {
    if (memory_only(v)) return std::nullopt;
    Model md(v.strict);
    connect_root(md, md.with_vps(2), port_type);
    return capture(md.m, md.raw(CallId::post_message, build()));
}

// Signal event (fast-8 or memory form) on connection 9 to a port of `port_type`.
Opt signal(const CaseForm& v, std::uint32_t port_type, std::uint64_t input) {
    if (v.rep_start != 0) return std::nullopt;
    Model md(v.strict);
    connect_root(md, md.with_vps(2), port_type);
    return capture(md.m,
                   v.fast ? md.fast(CallId::signal_event, input) : md.raw(CallId::signal_event, Bytes{}.at(0, input)));
}

// Read or write GPA on VP 0 of a child whose GFN 0x10 is mapped read-write.
Opt access(const CaseForm& v, CallId call, std::uint32_t count, std::uint64_t flags) {
    if (memory_only(v)) return std::nullopt;
    Model md(v.strict);
    const auto id = md.with_vps(1);
    REQUIRE(md.map(id, 0x10, md.take_pages(1)).ok());
    return capture(md.m, md.raw(call, Bytes{}.at(0, id).at(12, count).at(16, std::uint64_t{0x10000}).at(24, flags)));
}

}  // namespace

void add_message_cases(const AddCase& add) {
    add(RuleId::connection_target_vp_missing, "post to an any-VP port of a partition without VPs",
        [](const CaseForm& v) -> Opt {
            if (memory_only(v)) return std::nullopt;
            Model md(v.strict);
            connect_root(md, md.active(), kMessagePort, kAnyVp);
            return capture(md.m, md.raw(CallId::post_message, message(1, 8)));
        });
    add(RuleId::post_message_root_reserved_nonzero, "post with RsvdZ byte 4 set",
        [](const CaseForm& v) { return post(v, kMessagePort, [] { return message(1, 8).at(4, std::uint8_t{1}); }); });
    add(RuleId::post_message_root_type_invalid, "post message type 0x80000001 (a hypervisor type)",
        [](const CaseForm& v) { return post(v, kMessagePort, [] { return message(0x80000001u, 8); }); });
    add(RuleId::post_message_root_payload_too_large, "post payload size 256 (a u32: not 0 as its low byte)",
        [](const CaseForm& v) { return post(v, kMessagePort, [] { return message(1, 256); }); });
    add(RuleId::post_message_root_port_not_message, "post through a connection to an event port",
        [](const CaseForm& v) { return post(v, kEventPort, [] { return message(1, 8); }); });
    add(RuleId::signal_event_root_reserved_nonzero, "signal with RsvdZ bit 48 set",
        [](const CaseForm& v) { return signal(v, kEventPort, 9 | (1ull << 48)); });
    add(RuleId::signal_event_root_port_not_event, "signal through a connection to a message port",
        [](const CaseForm& v) { return signal(v, kMessagePort, 9); });
    add(RuleId::signal_event_root_flag_out_of_range, "signal flag 4 of a 4-flag port",
        [](const CaseForm& v) { return signal(v, kEventPort, 9 | (4ull << 32)); });
    add(RuleId::access_gpa_byte_count_invalid, "read 17 bytes",
        [](const CaseForm& v) { return access(v, CallId::read_gpa, 17, 6); });
    add(RuleId::access_gpa_cache_type_invalid, "read with cache type 2",
        [](const CaseForm& v) { return access(v, CallId::read_gpa, 8, 2); });
    add(RuleId::access_gpa_flags_reserved, "write with control flag bit 8",
        [](const CaseForm& v) { return access(v, CallId::write_gpa, 8, 0x106); });
}

}  // namespace hvsim::test
