#include "rule_cases.hpp"

namespace hvsim::test {

using hvcall::Control;
using hvcall::Status;

std::vector<CaseForm> all_variants() {
    std::vector<CaseForm> v;
    for (bool fast : {false, true})
        for (std::uint32_t start : {0u, 3u})
            for (bool strict : {false, true}) v.push_back({fast, start, strict});
    return v;
}

std::string to_string(const CaseForm& v) {
    return std::string(v.fast ? "fast" : "memory") + ", rep start " + std::to_string(v.rep_start) +
           (v.strict ? ", strict" : "");
}

namespace {

constexpr std::uint64_t kIn = kScratch;
constexpr std::uint64_t kOut = kScratch + hvcall::kPageSize;

// A catalogued call with a known layout and no handler, of the given shape; the families
// fill in handlers over time, so the case picks one rather than naming it.
std::optional<hvcall::CallId> unimplemented(hvcall::Kind kind, hvcall::Fast fast) {
    for (const auto& c : hvcall::kCalls)
        if (!model_implements(c.id) && c.layout == hvcall::Layout::Known && c.kind == kind && c.fast == fast &&
            c.header == hvcall::Header::Fixed)
            return c.id;
    return std::nullopt;
}

// Issues `c` in the variant's form: GPAs for the memory form, the XMM register block for fast.
CaseAnswer issue(Machine& m, const CaseForm& v, Control c, std::uint64_t in = kIn, std::uint64_t out = kOut) {
    if (v.fast) {
        hvcall::XmmRegisters regs{};
        return capture(m, m.call_fast_xmm(0, Control::from_raw(c.raw() | Control::kFastBit), regs));
    }
    return capture(m, m.call(0, c, in, out));
}

Machine fresh(const CaseForm& v, bool reject_spec_only = true, FaultPlan plan = {}) {
    return make_machine(v.strict, reject_spec_only, std::move(plan));
}

Control with_bits(Control c, std::uint64_t bits) { return Control::from_raw(c.raw() | bits); }

// A control word of the variant's shape that breaks nothing: simple when rep start is 0,
// else a rep call with reps beyond the start.
Control clean_word(const CaseForm& v) {
    if (v.rep_start == 0) return word(code_of(v.fast ? CallId::initialize_partition : CallId::get_partition_id));
    return word(code_of(v.fast ? CallId::flush_virtual_address_list : CallId::map_gpa_pages), v.rep_start + 2,
                v.rep_start);
}

using Opt = std::optional<CaseAnswer>;

// The generic rules' cases; `recorded` marks a rule recorded as a violation on the default machine.
using AddGenericCase =
    std::function<void(RuleId, std::string_view, std::function<Opt(const CaseForm&)>, bool recorded)>;

// The control word and the fast register blocks.
void add_control_cases(const AddGenericCase& add_case) {
    auto add = [&](RuleId rule, std::string_view how, std::function<Opt(const CaseForm&)> f, bool recorded = false) {
        add_case(rule, how, std::move(f), recorded);
    };
    add(RuleId::control_reserved_bits, "a reserved control bit (27, or 47 for rep calls) set",
        [](const CaseForm& v) -> Opt {
            auto m = fresh(v);
            return issue(m, v, with_bits(clean_word(v), v.rep_start ? 1ull << 47 : 1ull << 27));
        });
    add(RuleId::control_nested, "bit 31 (Is Nested) set", [](const CaseForm& v) -> Opt {
        auto m = fresh(v);
        return issue(m, v, with_bits(clean_word(v), Control::kNestedBit));
    });
    add(RuleId::call_unknown_code, "code 0x0001, which no source defines", [](const CaseForm& v) -> Opt {
        auto m = fresh(v);
        return issue(m, v, word(0x0001, v.rep_start ? v.rep_start + 1 : 0, v.rep_start));
    });
    add(RuleId::call_unimplemented, "a catalogued call without a handler", [](const CaseForm& v) -> Opt {
        auto m = fresh(v);
        const auto id = v.rep_start
                            ? unimplemented(hvcall::Kind::Rep, hvcall::Fast::None)
                            : unimplemented(hvcall::Kind::Simple, v.fast ? hvcall::Fast::Regs : hvcall::Fast::None);
        if (!id) return std::nullopt;
        if (v.rep_start) return issue(m, v, word(code_of(*id), v.rep_start + 1, v.rep_start));
        return issue(m, v, word(code_of(*id)));
    });
    add(RuleId::control_simple_rep_count, "rep count 1 on a simple call (wins over a rep start)",
        [](const CaseForm& v) -> Opt {
            auto m = fresh(v);
            const auto id = v.fast ? CallId::initialize_partition : CallId::get_partition_id;
            return issue(m, v, word(code_of(id), 1, v.rep_start));
        });
    add(RuleId::control_simple_rep_start, "rep start on a simple call with rep count 0", [](const CaseForm& v) -> Opt {
        if (v.rep_start == 0) return std::nullopt;
        auto m = fresh(v);
        const auto id = v.fast ? CallId::initialize_partition : CallId::get_partition_id;
        return issue(m, v, word(code_of(id), 0, v.rep_start));
    });
    add(RuleId::control_rep_count_zero, "rep count 0 on a rep call", [](const CaseForm& v) -> Opt {
        auto m = fresh(v);
        const auto id = v.fast ? CallId::flush_virtual_address_list : CallId::map_gpa_pages;
        return issue(m, v, word(code_of(id), 0, v.rep_start));
    });
    add(RuleId::control_rep_start_not_below_count, "rep start equal to the rep count", [](const CaseForm& v) -> Opt {
        if (v.rep_start == 0) return std::nullopt;
        auto m = fresh(v);
        const auto id = v.fast ? CallId::flush_virtual_address_list : CallId::map_gpa_pages;
        return issue(m, v, word(code_of(id), v.rep_start, v.rep_start));
    });
    add(RuleId::control_varhead_not_allowed, "variable header size 1 on a fixed-header call",
        [](const CaseForm& v) -> Opt {
            auto m = fresh(v);
            if (v.rep_start == 0)
                return issue(m, v,
                             word(code_of(v.fast ? CallId::initialize_partition : CallId::get_partition_id), 0, 0, 1));
            const auto id = v.fast ? CallId::set_vp_registers : CallId::map_gpa_pages;
            return issue(m, v, word(code_of(id), v.rep_start + 1, v.rep_start, 1));
        });
    add(RuleId::control_fast_not_allowed, "the fast bit on a memory-only call", [](const CaseForm& v) -> Opt {
        if (!v.fast) return std::nullopt;
        auto m = fresh(v);
        if (v.rep_start == 0) return issue(m, v, word(code_of(CallId::get_partition_id)));
        return issue(m, v, word(code_of(CallId::map_gpa_pages), v.rep_start + 1, v.rep_start));
    });
    add(
        RuleId::fast_xmm_not_allowed, "fast input beyond 16 bytes on a call without an XMM form (spec-only, recorded)",
        [](const CaseForm& v) -> Opt {
            if (!v.fast) return std::nullopt;
            auto m = fresh(v, /*reject_spec_only=*/false);
            return issue(m, v, word(code_of(CallId::map_gpa_pages), v.rep_start + 1, v.rep_start));
        },
        /*recorded=*/true);
    add(RuleId::fast_input_too_large, "12 flush-list elements: 24 + 96 bytes exceed 112", [](const CaseForm& v) -> Opt {
        if (!v.fast) return std::nullopt;
        auto m = fresh(v);
        return issue(m, v, word(code_of(CallId::flush_virtual_address_list), 12, v.rep_start));
    });
    add(RuleId::fast_output_too_large, "7 registers: 112 output bytes after 48 input bytes",
        [](const CaseForm& v) -> Opt {
            if (!v.fast) return std::nullopt;
            auto m = fresh(v);
            return issue(m, v, word(code_of(CallId::get_vp_registers), 7, v.rep_start));
        });
}

// Memory-form parameter blocks, and the fault plan's own rules.
void add_block_and_fault_cases(const AddGenericCase& add_case) {
    auto add = [&](RuleId rule, std::string_view how, std::function<Opt(const CaseForm&)> f, bool recorded = false) {
        add_case(rule, how, std::move(f), recorded);
    };
    // A rep call with input (map) or output (get registers).
    auto map_word = [](const CaseForm& v) {
        return word(code_of(CallId::map_gpa_pages), v.rep_start + 1, v.rep_start);
    };
    auto regs_word = [](const CaseForm& v, std::uint32_t extra = 1) {
        return word(code_of(CallId::get_vp_registers), v.rep_start + extra, v.rep_start);
    };
    add(RuleId::gpa_input_unaligned, "input GPA 4 bytes into a page", [=](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        auto m = fresh(v);
        return issue(m, v, map_word(v), kIn + 4);
    });
    add(RuleId::gpa_input_crosses_page, "input block starting 24 bytes before a page end",
        [=](const CaseForm& v) -> Opt {
            if (v.fast) return std::nullopt;
            auto m = fresh(v);
            return issue(m, v, map_word(v), kIn + hvcall::kPageSize - 24);
        });
    add(RuleId::gpa_input_outside_ram, "input GPA at the end of RAM", [=](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        auto m = fresh(v);
        return issue(m, v, map_word(v), kRam);
    });
    add(RuleId::gpa_output_unaligned, "output GPA 4 bytes into a page", [=](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        auto m = fresh(v);
        return issue(m, v, regs_word(v), kIn, kOut + 4);
    });
    add(RuleId::gpa_output_crosses_page, "output block starting 16 bytes before a page end",
        [=](const CaseForm& v) -> Opt {
            if (v.fast) return std::nullopt;
            auto m = fresh(v);
            return issue(m, v, regs_word(v, 2), kIn, kOut + hvcall::kPageSize - 16);
        });
    add(RuleId::gpa_output_outside_ram, "output GPA at the end of RAM", [=](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        auto m = fresh(v);
        return issue(m, v, regs_word(v), kIn, kRam);
    });
    add(RuleId::gpa_input_output_overlap, "output block 8 bytes after the input block's start",
        [=](const CaseForm& v) -> Opt {
            if (v.fast) return std::nullopt;
            auto m = fresh(v);
            return issue(m, v, regs_word(v), kIn, kIn + 8);
        });

    add(RuleId::fault_injected_status, "the plan injects OPERATION_FAILED on the first call of the code",
        [](const CaseForm& v) -> Opt {
            const Control c = clean_word(v);
            FaultPlan plan;
            plan.statuses.push_back({c.code(), 0, Status::OPERATION_FAILED});
            auto m = fresh(v, true, plan);
            return issue(m, v, c);
        });
    add(RuleId::fault_allocation_failed, "the plan fails the first allocation", [](const CaseForm& v) -> Opt {
        if (v.fast || v.rep_start) return std::nullopt;
        FaultPlan plan;
        plan.failing_allocations.push_back(0);
        auto m = fresh(v, true, plan);
        return issue(m, v, word(code_of(CallId::set_vp_state)));
    });
}

std::vector<RuleCase> build() {
    std::vector<RuleCase> cases;
    const AddGenericCase add = [&](RuleId rule, std::string_view how, std::function<Opt(const CaseForm&)> f,
                                   bool recorded) {
        cases.push_back({rule, how, recorded, std::move(f)});
    };
    add_control_cases(add);
    add_block_and_fault_cases(add);
    const AddCase family = [&](RuleId rule, std::string_view how, std::function<Opt(const CaseForm&)> f) {
        add(rule, how, std::move(f), false);
    };
    add_partition_cases(family);
    add_memory_cases(family);
    add_vp_cases(family);
    add_synic_cases(family);
    add_system_cases(family);
    add_message_cases(family);
    return cases;
}

}  // namespace

const std::vector<RuleCase>& rule_cases() {
    static const std::vector<RuleCase> cases = build();
    return cases;
}

}  // namespace hvsim::test
