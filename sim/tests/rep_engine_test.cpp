#include <catch2/catch_test_macros.hpp>

#include <cstring>

#include "test_machine.hpp"

using namespace hvsim;
using namespace hvsim::test;
using hvcall::Control;
using hvcall::Status;

namespace {

std::uint64_t output_qword(Machine& m, std::uint64_t gpa) {
    std::uint64_t v = 0;
    std::array<std::byte, 8> b{};
    m.memory().read(gpa, b);
    std::memcpy(&v, b.data(), 8);
    return v;
}

constexpr std::uint64_t kIn = kScratch;
constexpr std::uint64_t kOut = kScratch + hvcall::kPageSize;

}  // namespace

TEST_CASE("reps completed is absolute: start 5, count 10 reports 10", "[rep]") {
    auto m = make_machine();
    const auto r = m.call(0, word(code_of(CallId::get_vp_registers), 10, 5), kIn, kOut);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 10);
    // Elements 5..9 ran and wrote their slots; 0..4 were not touched.
    CHECK(output_qword(m, kOut + 16 * 5) == 0x1005);
    CHECK(output_qword(m, kOut + 16 * 9) == 0x1009);
    CHECK(output_qword(m, kOut + 16 * 4) == 0);
}

TEST_CASE("a failing element reports its own index as reps completed", "[rep]") {
    auto m = make_machine();
    const auto r = m.call(0, word(code_of(CallId::withdraw_memory), 10, 2), kIn, kOut);
    CHECK(r.status() == Status::INVALID_HYPERCALL_INPUT);
    CHECK(r.reps_completed() == 7);
    REQUIRE(m.last_diagnostic());
    CHECK(m.last_diagnostic()->rule == RuleId::control_nested);
    CHECK(m.last_diagnostic()->site == Site::input);

    // Resuming past the failing element finishes the rest.
    const auto rest = m.call(0, word(code_of(CallId::withdraw_memory), 10, 8), kIn, kOut);
    CHECK(rest.ok());
    CHECK(rest.reps_completed() == 10);
}

TEST_CASE("a time-slice end returns success with fewer reps, and the Linux loop resumes", "[rep][faults]") {
    FaultPlan plan;
    plan.rep_ends.push_back({FaultPlan::kAnyCall, 3});
    auto m = make_machine(false, true, plan);
    auto c = word(code_of(CallId::get_vp_registers), 10, 0);

    auto r = m.call(0, c, kIn, kOut);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 3);

    // What hv_do_rep_hypercall_ex does: resume at rep start = reps completed until done.
    int calls = 1;
    while (r.ok() && r.reps_completed() < c.rep_count()) {
        c = *c.with_rep_start(r.reps_completed());
        r = m.call(0, c, kIn, kOut);
        ++calls;
    }
    CHECK(r.ok());
    CHECK(r.reps_completed() == 10);
    CHECK(calls == 4);  // 3 + 3 + 3 + 1
    for (std::uint32_t i = 0; i < 10; ++i) CHECK(output_qword(m, kOut + 16 * i) == 0x1000 + i);
}

TEST_CASE("at least one element runs before a time-slice end", "[rep][faults]") {
    FaultPlan plan;
    plan.early_end_per_mille = 1000;  // end after every element
    auto m = make_machine(false, true, plan);
    const auto r = m.call(0, word(code_of(CallId::map_gpa_pages), 4, 2), kIn, kOut);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 3);
}

TEST_CASE("the hypervisor may re-execute the call itself (TLFS continuation option)", "[rep][faults]") {
    FaultPlan plan;
    plan.rep_ends.push_back({FaultPlan::kAnyCall, 2});
    auto config = test_config();
    config.hypervisor_restarts_reps = true;
    Machine m(config, plan);
    install_stubs(m);
    const auto r = m.call(0, word(code_of(CallId::get_vp_registers), 7, 0), kIn, kOut);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 7);
    CHECK(m.restarts() == 3);  // 2 + 2 + 2 + 1
    CHECK(m.calls() == 4);
}

TEST_CASE("error ordering: the control word, then the call, then its shape, then its blocks", "[rules][order]") {
    auto m = make_machine();
    auto rule_of = [&](Control c, std::uint64_t in = kIn, std::uint64_t out = kOut) {
        (void)m.call(0, c, in, out);
        return m.last_diagnostic() ? m.last_diagnostic()->rule : RuleId{};
    };
    // Reserved bits beat an unknown code: the word is malformed before it names a call (KVM's order).
    CHECK(rule_of(Control::from_raw(0x0001 | 1ull << 60)) == RuleId::control_reserved_bits);
    // An unknown code beats a bad shape: the shape depends on the call.
    CHECK(rule_of(word(0x0001, 0, 5)) == RuleId::call_unknown_code);
    // Rep count on a simple call beats a variable header it does not allow.
    CHECK(rule_of(word(code_of(CallId::get_partition_id), 1, 0, 1)) == RuleId::control_simple_rep_count);
    // Shape beats alignment.
    CHECK(rule_of(word(code_of(CallId::map_gpa_pages), 0), kIn + 4) == RuleId::control_rep_count_zero);
    // Input before output.
    CHECK(rule_of(word(code_of(CallId::get_vp_registers), 1), kIn + 4, kOut + 4) == RuleId::gpa_input_unaligned);
    // Alignment before page crossing before RAM bounds.
    CHECK(rule_of(word(code_of(CallId::map_gpa_pages), 1), kRam - 4) == RuleId::gpa_input_unaligned);
    CHECK(rule_of(word(code_of(CallId::map_gpa_pages), 1), kRam - 8) == RuleId::gpa_input_crosses_page);
}

TEST_CASE("the input block counts every element from index 0, whatever the rep start", "[rules]") {
    auto m = make_machine();
    // 24 + 509 * 8 = 4096 bytes: exactly one page, at any rep start.
    CHECK(m.call(0, word(code_of(CallId::map_gpa_pages), 509, 508), kIn, kOut).ok());
    const auto r = m.call(0, word(code_of(CallId::map_gpa_pages), 510, 509), kIn, kOut);
    CHECK(r.status() == Status::INVALID_ALIGNMENT);
    CHECK(m.last_diagnostic()->rule == RuleId::gpa_input_crosses_page);
    CHECK(m.last_diagnostic()->size == 4104);
}

TEST_CASE("a simple call with nothing to read or write ignores its GPAs", "[rules]") {
    auto m = make_machine();
    // get_partition_id has no input: an odd input GPA is never looked at.
    CHECK(m.call(0, word(code_of(CallId::get_partition_id)), 0x3, kOut).ok());
    CHECK(output_qword(m, kOut) == m.hypervisor().root_partition_id());
}

TEST_CASE("spec-only violations are recorded while the call proceeds when so configured", "[rules]") {
    auto m = make_machine(false, /*reject_spec_only=*/false);
    const auto r = m.call(0, Control::from_raw(code_of(CallId::get_partition_id) | Control::kNestedBit), 0, kOut);
    CHECK(r.ok());
    REQUIRE(m.violations().size() == 1);
    CHECK(m.violations()[0].rule == RuleId::control_nested);
    CHECK_FALSE(m.last_diagnostic().has_value());
    // The next call starts with a clean slate.
    CHECK(m.call(0, word(code_of(CallId::get_partition_id)), 0, kOut).ok());
    CHECK(m.violations().empty());
}

namespace {
// Reads the input's first qword for every element and writes it, plus one, to the element's
// output slot: an element that saw an earlier element's output would write a larger value.
Outcome echo_first_qword_plus_one(CallContext& ctx, const RepHeader&, std::uint32_t i) {
    ctx.out<std::uint64_t>(ctx.rep_output_offset(i), ctx.in<std::uint64_t>(0) + 1);
    ctx.out<std::uint64_t>(ctx.rep_output_offset(i) + 8, 0);
    return Outcome::ok();
}
}  // namespace

// Found by raw_dispatch_fuzz: with the overlap let through, withdraw_memory's later elements
// re-read a partition id its first element's output had overwritten, and found no partition.
TEST_CASE("an input block the output overlaps is read as it was when the call began", "[rules]") {
    auto m = make_machine(false, /*reject_spec_only=*/false);
    m.hypervisor().set_handler(CallId::get_vp_registers, {.element = echo_first_qword_plus_one});
    const std::uint64_t first = 41;
    m.memory().write(kIn, std::as_bytes(std::span(&first, 1)));
    const auto r = m.call(0, word(code_of(CallId::get_vp_registers), 3), kIn, kIn);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 3);
    REQUIRE(m.violations().size() == 1);
    CHECK(m.violations()[0].rule == RuleId::gpa_input_output_overlap);
    for (std::uint64_t i = 0; i < 3; ++i) CHECK(output_qword(m, kIn + 16 * i) == 42);
}

namespace {
// A rep call whose header step counts its runs and rejects a header whose first qword is 0, and
// whose elements write the header's value plus their index: each element sees the one header.
struct CountedHeader {
    std::uint64_t value = 0;
};
int header_runs = 0;
Outcome read_counted_header(CallContext& ctx, CountedHeader& h) {
    ++header_runs;
    h.value = ctx.in<std::uint64_t>(0);
    if (h.value == 0) return ctx.reject(RuleId::partition_id_unknown, Site::input, 0, 0);
    return Outcome::ok();
}
Outcome write_header_value(CallContext& ctx, const CountedHeader& h, std::uint32_t i) {
    ctx.out<std::uint64_t>(ctx.rep_output_offset(i), h.value + i);
    ctx.out<std::uint64_t>(ctx.rep_output_offset(i) + 8, 0);
    return Outcome::ok();
}
constexpr Handler kCounted = rep_handler<CountedHeader, read_counted_header, write_header_value>();
}  // namespace

TEST_CASE("a rep call's header is read once per call, and its rejection is the first element's", "[engine]") {
    auto m = make_machine();
    m.hypervisor().set_handler(CallId::get_vp_registers, kCounted);
    const std::uint64_t value = 100;
    m.memory().write(kIn, std::as_bytes(std::span(&value, 1)));
    header_runs = 0;
    auto r = m.call(0, word(code_of(CallId::get_vp_registers), 5), kIn, kOut);
    CHECK(r.ok());
    CHECK(r.reps_completed() == 5);
    CHECK(header_runs == 1);
    for (std::uint32_t i = 0; i < 5; ++i) CHECK(output_qword(m, kOut + 16 * i) == 100 + i);

    // Resumed at rep start 3: the header is read again, once, and elements 3 and 4 run.
    header_runs = 0;
    r = m.call(0, word(code_of(CallId::get_vp_registers), 5, 3), kIn, kOut);
    CHECK(r.reps_completed() == 5);
    CHECK(header_runs == 1);

    const std::uint64_t zero = 0;
    m.memory().write(kIn, std::as_bytes(std::span(&zero, 1)));
    r = m.call(0, word(code_of(CallId::get_vp_registers), 5, 2), kIn, kOut);
    CHECK(r.status() == Status::INVALID_PARTITION_ID);
    CHECK(r.reps_completed() == 2);
}
