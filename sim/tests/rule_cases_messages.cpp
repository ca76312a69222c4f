// Rule cases of guest memory access (read GPA, write GPA).
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<Issued>;

bool memory_only(const Variant& v) { return v.fast || v.rep_start != 0; }

// Read or write GPA on VP 0 of a child whose GFN 0x10 is mapped read-write.
Opt access(const Variant& v, CallId call, std::uint32_t count, std::uint64_t flags) {
    if (memory_only(v)) return std::nullopt;
    Model md(v.strict);
    const auto id = md.with_vps(1);
    REQUIRE(md.map(id, 0x10, md.take_pages(1)).ok());
    return capture(md.m, md.raw(call, Bytes{}.at(0, id).at(12, count).at(16, std::uint64_t{0x10000}).at(24, flags)));
}

}  // namespace

void add_message_cases(const AddCase& add) {
    add(RuleId::access_gpa_byte_count_invalid, "read 17 bytes", [](const Variant& v) { return access(v, CallId::read_gpa, 17, 6); });
    add(RuleId::access_gpa_cache_type_invalid, "read with cache type 2", [](const Variant& v) { return access(v, CallId::read_gpa, 8, 2); });
    add(RuleId::access_gpa_flags_reserved, "write with control flag bit 8", [](const Variant& v) {
        return access(v, CallId::write_gpa, 8, 0x106);
    });
}

}  // namespace hvsim::test
